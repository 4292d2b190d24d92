"""The `%sql` / `%%sql` magics (`%load_ext campus`): campus.sql from a notebook cell.

A magic of our own rather than jupysql's: every query typed in a cell goes through
`campus.sql`, so it meets the same dataset check and lands in the same provenance log as
one run from Python, and nothing else (jupysql runs extra queries of its own to inspect
tables) pollutes that log.

    %%sql                          the result is the cell's output (a pandas DataFrame)
    %%sql spending <<              ... or is stored in the variable `spending`
    %%sql --output arrow top <<    ... as a pyarrow Table (or polars)
    %sql SELECT count(*) FROM card_spending
"""

from __future__ import annotations

import re

from IPython.core.magic import Magics, line_cell_magic, magics_class

from campus import query
from campus.errors import CampusQueryError

_HEAD = re.compile(
    r"""^\s*
    (?:(?:--output|-o)[\s=]+(?P<output>\w+)\s*)?
    (?:(?P<target>[A-Za-z_]\w*)\s*<<\s*)?
    (?P<rest>.*)$""",
    re.VERBOSE | re.DOTALL,
)


def split(line: str, cell: str | None) -> tuple[str | None, str, str]:
    """(variable to store into, output format, query) from a magic's line and cell."""
    match = _HEAD.match(line)
    assert match is not None  # the pattern matches any text
    rest = match.group("rest").strip()
    if cell is None:
        text = rest
    else:
        if rest:
            raise CampusQueryError(f"unexpected {rest!r} after %%sql: use '%%sql [--output FORMAT] [NAME <<]'")
        text = cell
    return match.group("target"), match.group("output") or "pandas", text


@magics_class
class CampusMagics(Magics):
    @line_cell_magic
    def sql(self, line: str, cell: str | None = None):
        """Run SQL over the granted datasets: see the module docstring for the forms."""
        target, output, text = split(line, cell)
        result = query.sql(text, output=output)
        if target:
            self.shell.user_ns[target] = result
            return None
        return result
