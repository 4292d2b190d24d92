"""The labelled corpus of the egress guard: legitimate outputs and leaks, built from the demo datasets.

Cases are code (cases.py), not stored files: each builds its files the way a researcher
would (queries through a provenance-recording workspace, then pandas, matplotlib,
nbformat), so the corpus follows the demo data when it changes.
"""
