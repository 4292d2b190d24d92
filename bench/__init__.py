"""Benchmarks of the campus (`make bench`, `python -m bench`); not run by CI."""
