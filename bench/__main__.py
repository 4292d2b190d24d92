"""Run every benchmark module: each bench/bench_*.py's main(), in name order."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def main() -> int:
    failed = []
    for module in sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")):
        print(f"== bench.{module}", flush=True)
        try:
            importlib.import_module(f"bench.{module}").main()
        except Exception as exc:  # one broken benchmark should not hide the others' numbers
            print(f"bench.{module} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            failed.append(module)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
