"""A stand-in for a researcher's kernel: DuckDB views over the campus data, and a
provenance log shaped like `campus.provenance.log()` (one record per query, with
per-output-column sources and aggregation), so corpus cases are built the way a
researcher would build them.
"""

from __future__ import annotations

import io
import json

import duckdb
import pandas as pd
import sqlglot
from sqlglot import exp

from egress_guard.source import DatasetInfo


class Workspace:
    def __init__(self, catalog: dict[str, DatasetInfo]):
        self.catalog = catalog
        self.connection = duckdb.connect(":memory:")
        for name, info in catalog.items():
            files = ", ".join(f"'{info.folder / f}'" for f in info.manifest.files)
            self.connection.execute(f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet([{files}])')
        self.log: list[dict] = []

    def sql(self, query: str) -> pd.DataFrame:
        frame = self.connection.execute(query).df()
        self.log.append(self.record(query, frame))
        return frame

    def record(self, query: str, frame: pd.DataFrame) -> dict:
        tree = sqlglot.parse_one(query, read="duckdb")
        tables = sorted({t.name for t in tree.find_all(exp.Table) if t.name in self.catalog})
        columns = {t: sorted({c.name for c in tree.find_all(exp.Column)} & {c.name for c in self.catalog[t].manifest.columns}) for t in tables}
        outputs = []
        for projection in tree.expressions:
            if isinstance(projection, exp.Star):
                for table in tables:
                    outputs.extend({"name": c.name, "sources": [f"{table}.{c.name}"], "aggregated": False} for c in self.catalog[table].manifest.columns)
                continue
            cols = sorted({c.name for c in projection.find_all(exp.Column)})
            sources = [f"{t}.{c}" for t in tables for c in cols if c in columns[t]]
            outputs.append({"name": projection.alias_or_name, "sources": sources, "aggregated": projection.find(exp.AggFunc) is not None})
        aggregated = tree.args.get("group") is not None or any(p.find(exp.AggFunc) for p in tree.expressions)
        return {"sql": query, "datasets": tables, "columns": columns, "aggregated": aggregated, "output_columns": outputs, "rows": len(frame), "at": "2026-11-25T12:00:00Z"}


def csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def tsv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, sep="\t").encode()


def parquet(frame: pd.DataFrame) -> bytes:
    out = io.BytesIO()
    frame.to_parquet(out, index=False)
    return out.getvalue()


def json_records(frame: pd.DataFrame) -> bytes:
    return frame.to_json(orient="records", force_ascii=False, date_format="iso").encode()


def xlsx(frame: pd.DataFrame) -> bytes:
    out = io.BytesIO()
    frame.to_excel(out, index=False, engine="openpyxl")
    return out.getvalue()


FORMATS = {"csv": csv, "tsv": tsv, "parquet": parquet, "json": json_records, "xlsx": xlsx}


def chart(frame: pd.DataFrame, x: str, y: str, fmt: str = "png", metadata: dict | None = None) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5, 3), dpi=60)
    axes.bar(frame[x].astype(str), frame[y])
    axes.tick_params(axis="x", labelrotation=90)
    out = io.BytesIO()
    figure.savefig(out, format=fmt, metadata=metadata or {})
    plt.close(figure)
    return out.getvalue()


def notebook(cells: list[tuple[str, str, list[dict]]]) -> bytes:
    """cells: (cell_type, source, outputs) with outputs as nbformat output dicts."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    book = new_notebook()
    for kind, source, outputs in cells:
        if kind == "markdown":
            book.cells.append(new_markdown_cell(source))
        else:
            book.cells.append(new_code_cell(source, outputs=[nbformat.from_dict(o) for o in outputs]))
    return nbformat.writes(book).encode()


def html_output(frame: pd.DataFrame) -> dict:
    return {"output_type": "execute_result", "execution_count": 1, "metadata": {}, "data": {"text/html": frame.to_html(index=False), "text/plain": frame.to_string(index=False)}}


def stream_output(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def png_output(data: bytes) -> dict:
    import base64

    return {"output_type": "display_data", "metadata": {}, "data": {"image/png": base64.b64encode(data).decode()}}


def dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()
