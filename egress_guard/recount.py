"""Recounting the cells of an aggregate query against the source data.

This is what ACRO does for tables built through its API (it aggregates the contributing
records of every cell), made to work for any SQL a researcher ran: the provenance query's
outermost SELECT is rewritten, keeping its FROM, joins and WHERE, into

    SELECT <group keys>, COUNT(*) AS __n, SUM(ABS(v)) AS __t0, max(ABS(v), n) AS __top0
    FROM (SELECT <group keys>, <entity>, SUM(<summed expr>) AS v ... GROUP BY keys, entity)
    GROUP BY <group keys>

so each cell gets its number of contributors (people, when the dataset names them by a
direct identifier; rows otherwise) and its largest contributions, from which the
threshold, n-k dominance and p-ratio rules follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from hub.catalog.manifest import ColumnClass
from egress_guard.source import DatasetInfo

DOMINANCE_FUNCS = (exp.Sum, exp.Avg)
EXTREME_FUNCS = (exp.Max, exp.Min)


@dataclass
class QueryShape:
    """What the outermost SELECT of a provenance query does."""

    aggregated: bool
    keys: list[tuple[str, exp.Expression]] = field(default_factory=list)
    # (output name, aggregate function name, argument) for SUM/AVG of sensitive columns
    summed: list[tuple[str, str, exp.Expression]] = field(default_factory=list)
    # output names of MIN/MAX over sensitive columns: they reveal one contributor's value
    extremes: list[str] = field(default_factory=list)
    # output names of COUNT(...) projections
    counts: list[str] = field(default_factory=list)
    # direct identifiers used as group keys (each group is one person)
    identifier_keys: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    has_join: bool = False


def _columns(node: exp.Expression) -> set[str]:
    return {c.name for c in node.find_all(exp.Column)}


def shape_of(tree: exp.Expression, datasets: dict[str, DatasetInfo]) -> QueryShape:
    if not isinstance(tree, exp.Select):
        return QueryShape(aggregated=False)
    tables = [t.name for t in tree.find_all(exp.Table) if t.name in datasets]
    classes: dict[str, str] = {}
    for name in tables:
        classes.update(datasets[name].column_classes)
    sensitive = {c for c, k in classes.items() if k == ColumnClass.sensitive}
    identifiers = {c for c, k in classes.items() if k == ColumnClass.direct_identifier}
    group = tree.args.get("group")
    aggregated = group is not None or any(p.find(exp.AggFunc) for p in tree.expressions)
    shape = QueryShape(aggregated=aggregated, tables=tables, has_join=bool(tree.args.get("joins")))
    by_alias = {p.alias_or_name: p for p in tree.expressions}
    keys = list(group.expressions) if group else []
    if group is not None and group.args.get("all"):
        # DuckDB's GROUP BY ALL groups by every projection that is not an aggregate.
        keys = [exp.column(p.alias_or_name) for p in tree.expressions if not p.find(exp.AggFunc)]
    for index, key in enumerate(keys):
        # A key may be a projection alias, a position or the projected expression itself.
        name = None
        if isinstance(key, exp.Literal) and key.is_int and 0 < int(key.name) <= len(tree.expressions):
            projection = tree.expressions[int(key.name) - 1]
            name, key = projection.alias_or_name, projection.unalias()
        elif isinstance(key, exp.Column) and key.name in by_alias and not key.table and isinstance(by_alias[key.name], exp.Alias):
            name, key = key.name, by_alias[key.name].unalias()
        else:
            for projection in tree.expressions:
                if projection.unalias() == key:
                    name = projection.alias_or_name
        shape.keys.append((name or f"__k{index}", key.copy()))
        shape.identifier_keys.extend(sorted(_columns(key) & identifiers))
    for projection in tree.expressions:
        inner = projection.unalias()
        for func in inner.find_all(exp.AggFunc):
            argument = func.this if func.this is not None else exp.Star()
            touches = _columns(argument) & sensitive
            if isinstance(func, exp.Count):
                shape.counts.append(projection.alias_or_name)
            elif isinstance(func, DOMINANCE_FUNCS) and touches:
                shape.summed.append((projection.alias_or_name, type(func).__name__.lower(), argument.copy()))
            elif isinstance(func, EXTREME_FUNCS) and touches:
                shape.extremes.append(projection.alias_or_name)
    return shape


def nested_grouping(tree: exp.Expression, datasets: dict[str, DatasetInfo]) -> list[str] | None:
    """For a query whose outer SELECT does not aggregate: do its rows still come from groups?

    The case of a query that aggregates inside WITH clauses or sub-queries and only joins
    or arranges the groups outside (`WITH d AS (... GROUP BY ...) SELECT ... FROM d JOIN
    a ...`). The lineage is worked out here again, from the SQL, with the analysis the
    workspace client uses (campus.lineage): the client's own claim is never taken on
    trust. Returns None when the rows are records (or the analysis cannot tell), else the
    "dataset.column" direct identifiers that reach the output un-aggregated (group keys
    that make every group one person).
    """
    from campus import lineage  # here, not at import: the client package loads pandas, DuckDB, Dask

    schemas = {name: {column.name: "VARCHAR" for column in info.manifest.columns} for name, info in datasets.items()}
    analysis = lineage.analyse(tree, schemas)
    if not (analysis.exact and analysis.aggregated):
        return None
    identifiers = {f"{name}.{column}" for name, info in datasets.items() for column in info.columns_of(ColumnClass.direct_identifier)}
    return sorted({source for output in analysis.outputs if not output.aggregated for source in output.sources} & identifiers)


def recount_query(tree: exp.Select, shape: QueryShape, datasets: dict[str, DatasetInfo], top_n: int) -> exp.Expression:
    """The rewritten query giving, per cell, contributors and largest contributions."""
    entity = None
    if len(shape.tables) == 1 and not shape.has_join:
        entity = datasets[shape.tables[0]].entity_column
    inner = tree.copy()
    for arg in ("having", "order", "limit", "offset", "distinct", "qualify"):
        inner.set(arg, None)
    key_names = [f"__k{i}" for i in range(len(shape.keys))]
    projections: list[exp.Expression] = [exp.alias_(key.copy(), name) for (_, key), name in zip(shape.keys, key_names, strict=True)]
    if entity:
        projections.append(exp.alias_(exp.column(entity), "__e"))
    for index, (_, _, argument) in enumerate(shape.summed):
        value = exp.Sum(this=argument.copy()) if entity else argument.copy()
        projections.append(exp.alias_(value, f"__v{index}"))
    inner.set("expressions", projections)
    if entity:
        inner.set("group", exp.Group(expressions=[k.copy() for _, k in shape.keys] + [exp.column(entity)]))
    else:
        inner.set("group", None)
    outer_projections: list[exp.Expression] = [exp.column(name) for name in key_names]
    outer_projections.append(exp.alias_(exp.Count(this=exp.Star()), "__n"))
    for index in range(len(shape.summed)):
        value = exp.Abs(this=exp.column(f"__v{index}"))
        outer_projections.append(exp.alias_(exp.Sum(this=value), f"__t{index}"))
        outer_projections.append(exp.alias_(exp.Anonymous(this="max", expressions=[value.copy(), exp.Literal.number(top_n)]), f"__top{index}"))
    outer = exp.select(*outer_projections).from_(inner.subquery("__cells"))
    if key_names:
        outer = outer.group_by(*[exp.column(n) for n in key_names])
    return outer
