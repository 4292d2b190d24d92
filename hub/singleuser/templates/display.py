"""Campus workspace kernel start-up: keep large results short on screen.

Loaded by every kernel (root-owned, read-only). A deterrent, not a protection: user code
can change these options; the export request is the only way out either way.
"""

try:
    import pandas as _pd

    _pd.set_option("display.max_rows", 20)
    _pd.set_option("display.min_rows", 10)
    _pd.set_option("display.max_columns", 30)
    _pd.set_option("display.max_colwidth", 60)
    del _pd
except ImportError:  # a kernel without pandas still starts
    pass

try:
    import duckdb as _duckdb

    # Offline workspaces: fail fast instead of trying to download extensions (FACTS.md).
    _duckdb.default_connection().execute(
        "SET autoinstall_known_extensions=false; SET autoload_known_extensions=false"
    )
    del _duckdb
except Exception:
    pass
