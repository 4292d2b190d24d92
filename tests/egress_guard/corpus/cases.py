"""Corpus cases: (name, label, the check a leak must be caught by, builder).

Legitimate outputs are aggregates by district, month, category, age band; charts;
regression summaries; notebooks showing only aggregates. Leaks are raw rows, samples,
reformatted identifiers, small and dominated cells, a top-spenders table,
quasi-identifier combinations, PII in notebooks and charts, encoded rows and a
differencing pair, several with Hangul names.
"""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tests.egress_guard.corpus.workspace import FORMATS, Workspace, chart, csv, html_output, notebook, png_output, stream_output


@dataclass
class Built:
    files: dict[str, bytes]
    provenance: list[dict]
    before: "Built | None" = None


@dataclass(frozen=True)
class Case:
    name: str
    label: str  # "legit" or "leak"
    check: str | None  # the check a leak's findings must name
    build: Callable[[Workspace], Built]


CASES: list[Case] = []


def case(name: str, label: str, check: str | None = None):
    def register(build):
        CASES.append(Case(name, label, check, build))
        return build

    return register


def one(ws: Workspace, query: str, filename: str, fmt: str) -> Built:
    ws.log.clear()
    frame = ws.sql(query)
    return Built({filename: FORMATS[fmt](frame)}, list(ws.log))


# ----- legitimate aggregates, in every table format ---------------------------------------

AGGREGATES = {
    "card_by_district": "SELECT merchant_district, COUNT(*) AS n, SUM(amount_krw) AS total_krw FROM card_spending GROUP BY merchant_district",
    "card_by_category": "SELECT merchant_category, COUNT(*) AS n, AVG(amount_krw) AS mean_krw FROM card_spending GROUP BY merchant_category",
    "card_by_month": "SELECT strftime(ts, '%Y-%m') AS month, COUNT(*) AS n, SUM(amount_krw) AS total_krw FROM card_spending GROUP BY 1 ORDER BY 1",
    "card_by_sex": "SELECT sex, COUNT(DISTINCT holder_id) AS holders, AVG(amount_krw) AS mean_krw FROM card_spending GROUP BY sex",
    "bike_by_district": "SELECT rent_district, COUNT(*) AS trips, AVG(distance_m) AS mean_distance FROM bike_trips GROUP BY rent_district",
    "bike_by_hour": "SELECT hour(rent_time) AS hour, COUNT(*) AS trips FROM bike_trips WHERE hour(rent_time) BETWEEN 6 AND 22 GROUP BY 1 ORDER BY 1",
    "bike_by_age": "SELECT age_band, COUNT(*) AS trips, AVG(distance_m) AS mean_distance FROM bike_trips GROUP BY age_band",
    "air_by_district": "SELECT district, AVG(pm25) AS pm25, AVG(pm10) AS pm10 FROM air_quality GROUP BY district",
    "air_by_month": "SELECT month(measured_at) AS month, AVG(pm25) AS pm25 FROM air_quality GROUP BY 1 ORDER BY 1",
    "stores_by_category": "SELECT category, COUNT(*) AS n FROM store_sales GROUP BY category",
    "stores_by_district": "SELECT district, COUNT(DISTINCT brn) AS stores FROM store_sales GROUP BY district HAVING COUNT(DISTINCT brn) >= 10",
    "bike_by_sex": "SELECT sex, COUNT(*) AS trips, AVG(distance_m) AS mean_distance FROM bike_trips GROUP BY sex",
    "card_by_district_group_by_all": "SELECT merchant_district, COUNT(DISTINCT holder_id) AS holders, SUM(amount_krw) AS total_krw FROM card_spending GROUP BY ALL",
}

for _name, _query in AGGREGATES.items():
    for _fmt in ("csv", "parquet", "json", "xlsx") if _name.startswith("card") else ("csv", "tsv"):
        case(f"legit_{_name}_{_fmt}", "legit")(lambda ws, q=_query, n=_name, f=_fmt: one(ws, q, f"{n}.{f}", f))


@case("legit_suppressed_cross_table", "legit")
def _suppressed(ws):
    ws.log.clear()
    frame = ws.sql("SELECT merchant_district, merchant_category, COUNT(DISTINCT holder_id) AS holders FROM card_spending GROUP BY 1, 2 HAVING COUNT(DISTINCT holder_id) >= 10")
    return Built({"district_category.csv": csv(frame)}, list(ws.log))


def _chart_case(query: str, x: str, y: str, fmt: str):
    def build(ws):
        ws.log.clear()
        frame = ws.sql(query)
        return Built({f"chart.{fmt}": chart(frame, x, y, fmt)}, list(ws.log))

    return build


for _fmt in ("png", "svg", "pdf"):
    case(f"legit_chart_district_{_fmt}", "legit")(_chart_case(AGGREGATES["card_by_district"], "merchant_district", "n", _fmt))
    case(f"legit_chart_hour_{_fmt}", "legit")(_chart_case(AGGREGATES["bike_by_hour"], "hour", "trips", _fmt))
case("legit_chart_month_png", "legit")(_chart_case(AGGREGATES["card_by_month"], "month", "total_krw", "png"))


@case("legit_regression_summary", "legit")
def _regression(ws):
    ws.log.clear()
    frame = ws.sql("SELECT hour(rent_time) AS hour, AVG(distance_m) AS mean_distance, COUNT(*) AS trips FROM bike_trips GROUP BY 1")
    slope, intercept = np.polyfit(frame["hour"], frame["mean_distance"], 1)
    text = f"# Distance by hour of day\n\nOLS: mean_distance = {intercept:.1f} + {slope:.2f} * hour\nR^2 computed over 24 hourly means (n = {int(frame['trips'].sum())} trips).\n"
    return Built({"regression.md": text.encode()}, list(ws.log))


@case("legit_notebook_aggregates", "legit")
def _notebook(ws):
    ws.log.clear()
    frame = ws.sql(AGGREGATES["card_by_district"])
    image = chart(frame, "merchant_district", "n")
    book = notebook([
        ("markdown", "# Card spending by district\nCounts and totals per merchant district (gu).", []),
        ("code", "df = campus.sql('SELECT merchant_district, COUNT(*) ...')\ndf", [html_output(frame)]),
        ("code", "df.plot.bar(x='merchant_district', y='n')", [png_output(image)]),
    ])
    return Built({"analysis.ipynb": book}, list(ws.log))


@case("legit_notebook_bikes", "legit")
def _notebook_bikes(ws):
    ws.log.clear()
    frame = ws.sql(AGGREGATES["bike_by_age"])
    book = notebook([("markdown", "## Trips by age band", []), ("code", "trips_by_age", [html_output(frame)]), ("code", "print(frame.trips.sum())", [stream_output(f"{int(frame.trips.sum())}\n")])])
    return Built({"bikes.ipynb": book}, list(ws.log))


@case("legit_zip_of_aggregates", "legit")
def _zip(ws):
    ws.log.clear()
    a = ws.sql(AGGREGATES["air_by_district"])
    b = ws.sql(AGGREGATES["bike_by_district"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("air.csv", csv(a))
        archive.writestr("bike.csv", csv(b))
    return Built({"results.zip": out.getvalue()}, list(ws.log))


@case("legit_readme", "legit")
def _readme(ws):
    ws.log.clear()
    ws.sql(AGGREGATES["air_by_month"])
    return Built({"README.txt": "Monthly PM2.5 means per district, 2025. Source: air_quality (campus).\n".encode()}, list(ws.log))


# ----- leaks ------------------------------------------------------------------------------

for _fmt in ("csv", "parquet", "json", "xlsx"):
    case(f"leak_raw_rows_{_fmt}", "leak", "fingerprints")(lambda ws, f=_fmt: one(ws, "SELECT * FROM card_spending LIMIT 200", f"rows.{f}", f))
    case(f"leak_sample_no_ids_{_fmt}", "leak", "sdc")(lambda ws, f=_fmt: one(ws, "SELECT birth_year, sex, amount_krw, merchant_category FROM card_spending USING SAMPLE 150 ROWS", f"sample.{f}", f))

case("leak_bike_rows", "leak", "fingerprints")(lambda ws: one(ws, "SELECT * FROM bike_trips LIMIT 100", "trips.csv", "csv"))
case("leak_store_rows", "leak", "fingerprints")(lambda ws: one(ws, "SELECT brn, store_name, sales_krw FROM store_sales LIMIT 100", "stores.csv", "csv"))
case("leak_bike_member_counts", "leak", "sdc")(lambda ws: one(ws, "SELECT member_id, COUNT(*) AS trips FROM bike_trips GROUP BY member_id", "members.csv", "csv"))


def _reformatted(transform: Callable[[pd.DataFrame], pd.DataFrame], name: str):
    def build(ws):
        ws.log.clear()
        frame = transform(ws.sql("SELECT holder_name, rrn, phone, amount_krw FROM card_spending LIMIT 80"))
        return Built({name: csv(frame)}, [])

    return build


case("leak_phone_no_dashes", "leak", "fingerprints")(_reformatted(lambda f: f.assign(phone=f.phone.str.replace("-", ""))[["phone", "amount_krw"]], "phones.csv"))
case("leak_phone_spaces", "leak", "fingerprints")(_reformatted(lambda f: f.assign(phone=f.phone.str.replace("-", " "))[["phone"]], "phones.csv"))
case("leak_rrn_spaces", "leak", "fingerprints")(_reformatted(lambda f: f.assign(rrn=f.rrn.str.replace("-", " "))[["rrn"]], "rrn.csv"))
case("leak_rrn_fullwidth", "leak", "fingerprints")(_reformatted(lambda f: f.assign(rrn=f.rrn.map(lambda s: s.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})))[["rrn"]], "rrn.csv"))
case("leak_names_spaced", "leak", "fingerprints")(_reformatted(lambda f: f.assign(holder_name=f.holder_name.map(lambda s: " ".join(s)))[["holder_name", "amount_krw"]], "names.csv"))
case("leak_names_plain", "leak", "fingerprints")(_reformatted(lambda f: f[["holder_name", "amount_krw"]], "names.csv"))


@case("leak_holder_ids_lowercase", "leak", "fingerprints")
def _ids_lower(ws):
    frame = ws.sql("SELECT holder_id, amount_krw FROM card_spending LIMIT 60")
    return Built({"ids.csv": csv(frame.assign(holder_id=frame.holder_id.str.lower()))}, [])


for _i, (_query, _file) in enumerate([
    ("SELECT home_district, birth_year, sex, COUNT(DISTINCT holder_id) AS holders FROM card_spending GROUP BY 1, 2, 3", "qi_counts.csv"),
    ("SELECT merchant_district, merchant_category, strftime(ts, '%Y-%m') AS month, COUNT(*) AS n FROM card_spending GROUP BY 1, 2, 3", "fine_grid.csv"),
    ("SELECT rent_station, return_station, COUNT(*) AS trips FROM bike_trips GROUP BY 1, 2", "od_pairs.csv"),
    ("SELECT birth_year, COUNT(*) AS n, SUM(amount_krw) AS total FROM card_spending WHERE home_district = 'Jongno-gu' GROUP BY birth_year", "jongno_by_year.parquet"),
]):
    case(f"leak_small_cells_{_i}", "leak", "sdc")(lambda ws, q=_query, f=_file: one(ws, q, f, f.rsplit(".", 1)[1]))


@case("leak_small_cells_chart", "leak", "sdc")
def _small_chart(ws):
    return _chart_case("SELECT birth_year, COUNT(DISTINCT holder_id) AS holders FROM card_spending WHERE home_district = 'Jung-gu' GROUP BY 1", "birth_year", "holders", "png")(ws)


for _i, _query in enumerate([
    "SELECT district, category, SUM(sales_krw) AS sales FROM store_sales GROUP BY 1, 2",
    "SELECT category, district, AVG(sales_krw) AS mean_sales, COUNT(*) AS n FROM store_sales WHERE month >= DATE '2025-01-01' GROUP BY 1, 2",
    "SELECT district, SUM(sales_krw) AS sales FROM store_sales WHERE category = 'jewelry' GROUP BY 1",
]):
    case(f"leak_dominance_{_i}", "leak", "sdc")(lambda ws, q=_query, i=_i: one(ws, q, f"sales_{i}.csv", "csv"))

for _fmt in ("csv", "xlsx"):
    case(f"leak_top_spenders_{_fmt}", "leak", "sdc")(lambda ws, f=_fmt: one(ws, "SELECT holder_name, SUM(amount_krw) AS spent FROM card_spending GROUP BY holder_name ORDER BY spent DESC LIMIT 10", f"top10.{f}", f))


@case("leak_quasi_identifier_rows", "leak", "fingerprints")
def _qi_rows(ws):
    frame = ws.sql("SELECT DISTINCT birth_year, sex, home_district FROM card_spending LIMIT 300")
    return Built({"profiles.csv": csv(frame)}, [])


@case("leak_notebook_head", "leak", "fingerprints")
def _nb_head(ws):
    ws.log.clear()
    frame = ws.sql("SELECT * FROM card_spending LIMIT 5")
    book = notebook([("markdown", "# Exploration", []), ("code", "df.head()", [html_output(frame)])])
    return Built({"explore.ipynb": book}, list(ws.log))


@case("leak_notebook_print_names", "leak", "fingerprints")
def _nb_print(ws):
    frame = ws.sql("SELECT holder_name, phone FROM card_spending LIMIT 20")
    agg = ws.sql(AGGREGATES["card_by_district"])
    book = notebook([("code", "for r in rows: print(r)", [stream_output(frame.to_string(index=False))]), ("code", "agg", [html_output(agg)])])
    return Built({"report.ipynb": book}, [ws.log[-1]])


@case("leak_notebook_unregistered_pii", "leak", "pii")
def _nb_pii(ws):
    text = "Follow-up interviews:\n고객 홍길동 님 010-7777-1234\n담당자 성춘향, chunhyang.sung@example.kr\nJohn Carpenter called back.\n"
    agg = ws.sql(AGGREGATES["card_by_category"])
    book = notebook([("markdown", text, []), ("code", "agg", [html_output(agg)])])
    return Built({"interviews.ipynb": book}, [ws.log[-1]])


@case("leak_markdown_hangul_names_context", "leak", "pii")
def _md_names(ws):
    return Built({"notes.md": "회의록\n- 고객 김철수 님: 이의 제기\n- 성명: 이영희\n".encode()}, [])


@case("leak_svg_labels", "leak", "fingerprints")
def _svg(ws):
    ws.log.clear()
    frame = ws.sql("SELECT holder_name, SUM(amount_krw) AS spent FROM card_spending GROUP BY 1 ORDER BY 2 DESC LIMIT 8")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import warnings

    plt.rcParams["svg.fonttype"] = "none"
    figure, axes = plt.subplots()
    axes.bar(frame.holder_name, frame.spent)
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # no Hangul glyphs in the test font; the text is what matters
        figure.savefig(out, format="svg")
    plt.close(figure)
    plt.rcParams["svg.fonttype"] = "path"
    return Built({"top.svg": out.getvalue()}, [])


@case("leak_png_metadata_rows", "leak", "fingerprints")
def _png_meta(ws):
    ws.log.clear()
    frame = ws.sql(AGGREGATES["card_by_district"])
    rows = ws.connection.execute("SELECT holder_id, rrn FROM card_spending LIMIT 30").df()
    return Built({"chart.png": chart(frame, "merchant_district", "n", "png", {"Description": rows.to_csv(index=False)})}, list(ws.log))


@case("leak_base64_rows", "leak", "fingerprints")
def _b64(ws):
    rows = ws.connection.execute("SELECT holder_id, holder_name, phone FROM card_spending LIMIT 40").df()
    blob = base64.b64encode(rows.to_csv(index=False).encode()).decode()
    return Built({"blob.txt": f"model weights:\n{blob}\n".encode()}, [])


@case("leak_hex_rows", "leak", "fingerprints")
def _hex(ws):
    rows = ws.connection.execute("SELECT rrn FROM card_spending LIMIT 40").df()
    return Built({"checksum.txt": rows.to_csv(index=False).encode().hex().encode()}, [])


@case("leak_base64_in_csv_cell", "leak", "fingerprints")
def _b64_cell(ws):
    ws.log.clear()
    frame = ws.sql(AGGREGATES["card_by_category"])
    rows = ws.connection.execute("SELECT holder_name, phone FROM card_spending LIMIT 10").df()
    frame["note"] = base64.b64encode(rows.to_csv(index=False).encode()).decode()
    return Built({"table.csv": csv(frame)}, [])


@case("leak_zip_with_rows", "leak", "fingerprints")
def _zip_rows(ws):
    rows = ws.connection.execute("SELECT holder_id, amount_krw FROM card_spending LIMIT 100").df()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("inner/rows.csv", csv(rows))
    return Built({"bundle.zip": out.getvalue()}, [])


@case("leak_pickle", "leak", "structure")
def _pickle(ws):
    return Built({"frame.pkl": b"\x80\x04\x95 not allowed"}, [])


@case("leak_svg_script", "leak", "structure")
def _svg_script(ws):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("http://x")</script><text>ok</text></svg>'
    return Built({"chart.svg": svg}, [])


@case("leak_parquet_renamed_csv", "leak", "structure")
def _renamed(ws):
    rows = ws.connection.execute("SELECT amount_krw FROM card_spending LIMIT 100").df()
    from tests.egress_guard.corpus.workspace import parquet

    return Built({"innocent.csv": parquet(rows)}, [])


def _differencing(second: str):
    def build(ws):
        ws.log.clear()
        first = ws.sql("SELECT merchant_district, COUNT(DISTINCT holder_id) AS holders FROM card_spending GROUP BY 1")
        before = Built({"holders.csv": csv(first)}, list(ws.log))
        ws.log.clear()
        frame = ws.sql(second)
        return Built({"holders_again.csv": csv(frame)}, list(ws.log), before=before)

    return build


case("leak_differencing_one_person", "leak", "ledger")(_differencing("SELECT merchant_district, COUNT(DISTINCT holder_id) AS holders FROM card_spending WHERE holder_id <> 'H0000007' GROUP BY 1"))
case("leak_differencing_one_year", "leak", "ledger")(_differencing("SELECT merchant_district, COUNT(DISTINCT holder_id) AS holders FROM card_spending WHERE birth_year <> 1950 GROUP BY 1"))
