"""What a query reads and what each of its output columns is made of.

The egress guard judges an export partly by its provenance: which dataset columns an
output derives from and whether its values are aggregates or record values. This module
works that out from the SQL text alone, with sqlglot: parse (DuckDB dialect), `qualify`
against the mounted datasets' schemas (every column gets its table, stars are expanded),
then a walk over the query's scopes. Full `optimize()` would be about five times slower
and adds nothing here (see FACTS.md).

Definitions, chosen so that doubt always errs towards "record-level":
- an output column is *aggregated* when every dataset column it uses reaches it only
  through an aggregate function that summarises (SUM, COUNT, AVG, ...). Aggregates that
  hand back a member's own value (ANY_VALUE, FIRST, ARG_MAX, LIST/ARRAY_AGG, STRING_AGG,
  MODE) and aggregates evaluated as window functions (`lag`, `sum(...) OVER (...)` keep
  one row per record) do not count.
- a query is *aggregated* when its result rows are groups, not records: the outermost
  SELECT (every branch of a UNION) has GROUP BY or aggregate functions, or reads only
  from sub-queries that are themselves aggregated.
- when the walk cannot be sure (a column it cannot resolve, DuckDB's COLUMNS(...)), the
  analysis is *inexact* and the caller records the conservative answer: every column of
  every dataset read, nothing aggregated.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError, TokenError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope
from sqlglot.schema import MappingSchema

from campus.errors import CampusQueryError

DIALECT = "duckdb"

# Table functions that generate rows instead of reading files: harmless, no dataset.
GENERATORS = (exp.GenerateSeries, exp.Unnest, exp.ExplodingGenerateSeries)
GENERATOR_NAMES = {"range", "generate_series", "unnest"}

# Aggregates that return one member's value (or all of them) rather than a summary.
PASS_THROUGH = tuple(
    getattr(exp, name)
    for name in ("AnyValue", "First", "Last", "FirstValue", "LastValue", "NthValue", "ArgMax", "ArgMin",
                 "ArrayAgg", "ArrayUniqueAgg", "GroupConcat", "Mode", "Lag", "Lead")
    if hasattr(exp, name)
)
# DuckDB's COLUMNS(...) picks columns at run time: lineage cannot be decided from the text.
COLUMNS_EXPANSION = getattr(exp, "Columns", exp.Anonymous)


@dataclass(frozen=True)
class Output:
    """Lineage of one output column (by position; names come from the engine's result)."""

    sources: tuple[str, ...]  # "dataset.column", sorted
    aggregated: bool


@dataclass(frozen=True)
class Analysis:
    """What a query reads. `outputs` is None when per-column lineage is unknown (inexact)."""

    datasets: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]
    aggregated: bool
    outputs: tuple[Output, ...] | None

    @property
    def exact(self) -> bool:
        return self.outputs is not None


class _Inexact(Exception):
    """The walk met something it cannot attribute with certainty."""


# ---- parsing and the table check -------------------------------------------------------

_TOKEN = re.compile(r"<Token token_type: [^,]+, text: (.*?), line: \d+.*?>")


def _syntax_message(error: ParseError) -> str:
    first = error.errors[0] if error.errors else {}
    description = _TOKEN.sub(lambda m: repr(m.group(1)), str(first.get("description") or error)).splitlines()[0]
    line, col = first.get("line"), first.get("col")
    if line is None:
        return f"syntax error: {description}"
    near = first.get("highlight")
    near_text = f" near {near!r}" if near else ""
    return f"syntax error at line {line}, column {col}{near_text}: {description}"


def parse(sql: str) -> exp.Expression:
    """Parse one read-only query; raise CampusQueryError with line/column on a syntax error."""
    try:
        statements = [s for s in sqlglot.parse(sql, dialect=DIALECT) if s is not None]
    except ParseError as error:
        raise CampusQueryError(_syntax_message(error)) from None
    except TokenError as error:
        raise CampusQueryError(f"syntax error: {str(error).splitlines()[0]}") from None
    if not statements:
        raise CampusQueryError("the query is empty")
    if len(statements) > 1:
        raise CampusQueryError(f"one query at a time, please: found {len(statements)} statements")
    statement = statements[0]
    if not isinstance(statement, exp.Query):
        kind = statement.key.upper()
        raise CampusQueryError(f"campus.sql runs queries (SELECT, WITH, UNION ...); {kind} statements are not available")
    return statement


def _function_name(node: exp.Expression) -> str:
    return (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()


def referenced_tables(expression: exp.Expression) -> set[str]:
    """Names of the tables a query reads, CTEs excluded; refuse direct file reads.

    Anything that is neither a CTE nor a generator is reported, so the caller can check
    it against the mounted datasets (a quoted path in FROM is a "table" here and fails
    that check, which is how DuckDB's replacement scans of files are refused).
    """
    ctes = {cte.alias_or_name.lower() for cte in expression.find_all(exp.CTE)}
    names: set[str] = set()
    for table in expression.find_all(exp.Table):
        target = table.this
        if isinstance(target, GENERATORS):
            continue
        if isinstance(target, exp.Func):
            name = _function_name(target)
            if name in GENERATOR_NAMES:
                continue
            raise CampusQueryError(
                f"{name}() reads files directly; query a dataset by its name instead (see campus.datasets())"
            )
        name = table.name
        if isinstance(target, exp.Identifier) and target.quoted and re.search(r"[/\\.*?]", name):
            # DuckDB would read `FROM 'some/file.parquet'` as a file: refuse it by name.
            raise CampusQueryError(f"'{name}' looks like a file path; query a dataset by its name instead (see campus.datasets())")
        qualifier = ".".join(part for part in (table.catalog, table.db) if part)
        if qualifier and qualifier.lower() not in {"main", "memory", "memory.main"}:
            names.add(f"{qualifier}.{name}".lower())
            continue
        if not qualifier and name.lower() in ctes:
            continue
        names.add(name.lower())  # DuckDB resolves names case-insensitively, quoted or not
    return names


# ---- the scope walk ---------------------------------------------------------------------


def _source(scope: Scope, alias: str):
    """The source a column's table alias names, looking outwards for correlated references."""
    current: Scope | None = scope
    while current is not None:
        if alias in current.sources:
            return current.sources[alias]
        current = current.parent
    return None


def _windowed(node: exp.Expression) -> bool:
    return isinstance(node.find_ancestor(exp.Window, exp.Query), exp.Window)


def _summarising(node: exp.Expression) -> bool:
    return isinstance(node, exp.AggFunc) and not isinstance(node, PASS_THROUGH) and not _windowed(node)


def _own_nodes(expression: exp.Expression):
    """Nodes of an expression that belong to its scope: nested queries are yielded, not entered."""
    return expression.walk(prune=lambda node: node is not expression and isinstance(node, exp.Query))


def _under_summary(node: exp.Expression, stop: exp.Expression) -> bool:
    current = node.parent
    while current is not None:
        # `count(*) FILTER (WHERE x)`: the filter's columns are summarised by the aggregate it filters
        if _summarising(current) or (isinstance(current, exp.Filter) and _summarising(current.this)):
            return True
        if current is stop:
            return False
        current = current.parent
    return False


class _Walker:
    def __init__(self, root: Scope, datasets: set[str]) -> None:
        self.datasets = datasets
        self.scopes = list(root.traverse())
        self.by_expression = {id(scope.expression): scope for scope in self.scopes}
        self.memo: dict[tuple[int, str], tuple[frozenset[str], bool]] = {}

    def is_dataset(self, source) -> bool:
        return isinstance(source, exp.Table) and isinstance(source.this, exp.Identifier) and source.name in self.datasets

    # columns read, whatever for
    def columns_read(self) -> dict[str, set[str]]:
        read: dict[str, set[str]] = defaultdict(set)
        for scope in self.scopes:
            for source in scope.sources.values():
                if self.is_dataset(source):
                    read.setdefault(source.name, set())
            for column in scope.columns:
                if self._is_lambda_variable(column):
                    continue
                source = _source(scope, column.table)
                if source is None:
                    raise _Inexact(f"unresolved column {column.sql()}")
                if self.is_dataset(source):
                    read[source.name].add(column.name)
        return read

    @staticmethod
    def _is_lambda_variable(column: exp.Column) -> bool:
        if column.table:
            return False
        lam = column.find_ancestor(exp.Lambda)
        while lam is not None:
            if column.name in {p.name for p in lam.expressions}:
                return True
            lam = lam.find_ancestor(exp.Lambda)
        return False

    # lineage of outputs
    def outputs(self, scope: Scope) -> list[tuple[frozenset[str], bool]]:
        if scope.set_operation_scopes:
            branches = [self.outputs(branch) for branch in scope.set_operation_scopes]
            if len({len(b) for b in branches}) != 1:
                raise _Inexact("union branches differ in width")
            return [
                (frozenset().union(*(b[i][0] for b in branches)), all(b[i][1] for b in branches))
                for i in range(len(branches[0]))
            ]
        select = scope.expression
        if not isinstance(select, exp.Select):
            raise _Inexact(f"unexpected scope {select.key}")
        return [self.expression_lineage(scope, projection) for projection in select.selects]

    def named_output(self, scope: Scope, name: str) -> tuple[frozenset[str], bool]:
        key = (id(scope), name)
        if key not in self.memo:
            first = scope
            while first.set_operation_scopes:
                first = first.set_operation_scopes[0]
            names = [projection.alias_or_name for projection in first.expression.selects]
            if name not in names:
                raise _Inexact(f"column {name} not found in sub-query")
            self.memo[key] = self.outputs(scope)[names.index(name)]
        return self.memo[key]

    def expression_lineage(self, scope: Scope, expression: exp.Expression) -> tuple[frozenset[str], bool]:
        sources: set[str] = set()
        leaves = covered = 0
        summary = False
        for node in _own_nodes(expression):
            if isinstance(node, COLUMNS_EXPANSION) or (isinstance(node, exp.Anonymous) and node.name.lower() == "columns"):
                raise _Inexact("COLUMNS(...) expands at run time")
            if _summarising(node):
                summary = True
            if isinstance(node, exp.Column):
                if self._is_lambda_variable(node):
                    continue
                source = _source(scope, node.table)
                if source is None:
                    raise _Inexact(f"unresolved column {node.sql()}")
                if isinstance(source, Scope):
                    upstream, upstream_aggregated = self.named_output(source, node.name)
                elif self.is_dataset(source):
                    upstream, upstream_aggregated = frozenset({f"{source.name}.{node.name}"}), False
                else:  # a generator's column: no dataset behind it
                    continue
                sources |= upstream
                leaves += 1
                covered += upstream_aggregated or _under_summary(node, expression)
            elif isinstance(node, exp.Query) and node is not expression:
                inner = node
                while isinstance(inner, exp.Subquery):  # a parenthesised query; its scope is the query inside
                    inner = inner.this
                nested = self.by_expression.get(id(inner))
                if nested is None:
                    raise _Inexact("nested query without a scope")
                for upstream, upstream_aggregated in self.outputs(nested):
                    sources |= upstream
                    leaves += 1
                    covered += upstream_aggregated or _under_summary(node, expression)
        aggregated = (covered == leaves) and (leaves > 0 or summary)
        return frozenset(sources), aggregated

    def rows_aggregated(self, scope: Scope) -> bool:
        if scope.set_operation_scopes:
            return all(self.rows_aggregated(branch) for branch in scope.set_operation_scopes)
        select = scope.expression
        if not isinstance(select, exp.Select):
            return False
        if select.args.get("group") or select.args.get("having"):
            return True
        for projection in select.selects:
            if any(_summarising(node) for node in _own_nodes(projection)):
                return True
        sources = list(scope.selected_sources.values())
        return bool(sources) and all(isinstance(source, Scope) and self.rows_aggregated(source) for _, source in sources)


def prepare_schema(schemas: dict[str, dict[str, str]]) -> MappingSchema:
    """The datasets' schemas in sqlglot's form, built once per kernel (building costs more than a query)."""
    readable = {}
    for table, columns in schemas.items():
        readable[table] = {}
        for column, type_name in columns.items():
            try:
                exp.DataType.build(type_name, dialect=DIALECT)
            except SqlglotError:
                type_name = "UNKNOWN"  # an exotic DuckDB type: the walk needs names, not types
            readable[table][column] = type_name
    return MappingSchema(readable, dialect=DIALECT)


def analyse(expression: exp.Expression, schemas: dict[str, dict[str, str]], prepared: MappingSchema | None = None) -> Analysis:
    """Provenance of a parsed query over datasets with the given {name: {column: type}}."""
    tables = sorted(name for name in referenced_tables(expression) if name in schemas)
    try:
        schema = prepared if prepared is not None else prepare_schema(schemas)
        qualified = qualify(expression.copy(), schema=schema, dialect=DIALECT, validate_qualify_columns=True)
        root = build_scope(qualified)
        if root is None:
            raise _Inexact("no scope")
        walker = _Walker(root, set(schemas))
        read = walker.columns_read()
        outputs = tuple(Output(tuple(sorted(s)), a) for s, a in walker.outputs(root))
        aggregated = walker.rows_aggregated(root)
    except (_Inexact, SqlglotError, KeyError, ValueError, AttributeError):
        return conservative(tables, schemas)
    datasets = tuple(sorted(set(tables) | set(read)))
    return Analysis(
        datasets=datasets,
        columns={name: tuple(sorted(read.get(name, ()))) for name in datasets},
        aggregated=aggregated,
        outputs=outputs,
    )


def conservative(tables: list[str], schemas: dict[str, dict[str, str]]) -> Analysis:
    """The answer when in doubt: every column of every dataset read, nothing aggregated."""
    return Analysis(
        datasets=tuple(tables),
        columns={name: tuple(schemas[name]) for name in tables},
        aggregated=False,
        outputs=None,
    )


def conservative_outputs(analysis: Analysis, width: int) -> tuple[Output, ...]:
    everything = tuple(sorted(f"{name}.{column}" for name, columns in analysis.columns.items() for column in columns))
    return tuple(Output(everything, False) for _ in range(width))
