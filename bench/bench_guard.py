"""Speed and recall of the egress guard against Presidio run cell by cell.

    python -m bench.bench_guard [--rows 100000] [--baseline-sample 1500] [--notebook-mb 5]

Builds, from the demo card_spending data (registered in a temporary campus, fingerprints
included), a 100,000-row CSV output whose free-text column carries planted identifiers in
1 % of the cells (registered RRNs, phones and Hangul names with context, unregistered
Hangul names, e-mails, English names), and a 5 MB notebook. Times the guard's full check
(all checks, policy thresholds stubbed: this measures the guard, not OPA) after a warm-up,
and the cold start separately. Baseline: Presidio's default English analyzer (same spaCy
model) on every cell; it is timed on a random sample of cells and extrapolated to the
table, and its recall is measured on every planted cell. Goals: <= 2 s for the table,
>= 20x faster than the baseline, recall at least the baseline's.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

GOAL_SECONDS = 2.0
GOAL_SPEEDUP = 20.0
FIRST = ["James", "Mary", "Robert", "Patricia", "Michael", "Linda", "David", "Susan", "Daniel", "Karen"]
LAST = ["Smith", "Johnson", "Brown", "Miller", "Wilson", "Taylor", "Clark", "Lewis", "Walker", "Young"]
UNREGISTERED_HANGUL = ["홍길동", "성춘향", "이몽룡", "변학도", "임꺽정", "장보고", "허균", "심청"]
FILLER = ["정기 결제", "refund requested", "payment at store", "배송 지연 문의", "monthly plan renewed", "포인트 적립", "card replaced", "영수증 재발급"]


def setup(folder: Path):
    from demo_data.__main__ import write_dataset
    from egress_guard.fingerprints import build_fingerprints
    from egress_guard.source import DatasetInfo
    from hub.catalog.manifest import load_manifest
    from hub.settings import CampusSettings

    settings = CampusSettings.from_env({"CAMPUS_HOME": str(folder)})
    manifest_path = write_dataset("card_spending", settings.data_root)
    manifest = load_manifest(manifest_path)
    files = [manifest_path.parent / f for f in manifest.files]
    build_fingerprints(settings, manifest, files)
    people = pd.read_parquet(files[0])
    info = DatasetInfo("card_spending", manifest, len(people), manifest_path.parent)
    return settings, {"card_spending": info}, people.drop_duplicates("holder_id")


def planted_table(rows: int, people: pd.DataFrame, rng: random.Random) -> tuple[pd.DataFrame, dict[int, str]]:
    memo = [rng.choice(FILLER) + f" #{rng.randrange(10_000)}" for _ in range(rows)]
    planted: dict[int, str] = {}
    kinds = ["rrn", "phone", "name_registered", "name_unregistered", "email", "english_name"]
    for index in rng.sample(range(rows), rows // 100):
        kind = kinds[len(planted) % len(kinds)]
        person = people.iloc[rng.randrange(len(people))]
        value = {
            "rrn": f"주민번호 {person.rrn} 확인",
            "phone": f"연락처 {person.phone} 로 회신",
            "name_registered": f"고객 {person.holder_name} 님 요청",
            "name_unregistered": f"담당자 {rng.choice(UNREGISTERED_HANGUL)} 처리",
            "email": f"reply to {rng.choice(FIRST).lower()}.{rng.choice(LAST).lower()}{rng.randrange(99)}@example.com",
            "english_name": f"Called {rng.choice(FIRST)} {rng.choice(LAST)} about the refund",
        }[kind]
        memo[index], planted[index] = value, kind
    districts = ["Jung-gu", "Mapo-gu", "Gangnam-gu", "Songpa-gu", "Jongno-gu"]
    frame = pd.DataFrame({
        "district": [districts[i % 5] for i in range(rows)],
        "month": [f"2025-{1 + i % 12:02d}" for i in range(rows)],
        "amount_krw": np.random.default_rng(1).integers(1_000, 500_000, rows),
        "memo": memo,
    })
    return frame, planted


def big_notebook(megabytes: float, people: pd.DataFrame) -> bytes:
    from tests.egress_guard.corpus.workspace import notebook, stream_output

    line = "hourly mean pm25 by station: " + " ".join(f"{v:.2f}" for v in np.random.default_rng(2).random(12)) + "\n"
    body = line * int(megabytes * 2**20 / len(line))
    return notebook([("markdown", "# Air quality\nMeans per station.", []), ("code", "print(report)", [stream_output(body)])])


def guard_check(settings, catalog, folder: Path, names: list[str]):
    from egress_guard.context import RequestInfo
    from egress_guard.fingerprints import fingerprints_root
    from egress_guard.pipeline import check_request

    return check_request(
        request=RequestInfo("bench", "alice", "bench"), root=folder, names=names, provenance=None, catalog=catalog,
        fingerprints_root=fingerprints_root(settings), thresholds_provider=lambda datasets: {},
    )


def _recall(detected: dict[int, bool], planted: dict[int, str]) -> dict[str, float]:
    out = {}
    for kind in sorted(set(planted.values())):
        rows = [r for r, k in planted.items() if k == kind]
        out[kind] = sum(detected[r] for r in rows) / len(rows)
    out["all"] = sum(detected.values()) / len(detected)
    return out


def baseline(frame: pd.DataFrame, planted: dict[int, str], sample: int, rng: random.Random):
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from egress_guard.presidio_engine import SPACY_MODEL, _offline_tldextract

    _offline_tldextract()
    provider = NlpEngineProvider(nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": SPACY_MODEL}]})
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    engine.analyze("warm up John Smith", language="en")
    cells = [(r, c) for r in rng.sample(range(len(frame)), sample // frame.shape[1] + 1) for c in frame.columns]
    start = time.perf_counter()
    for row, column in cells:
        engine.analyze(str(frame.at[row, column]), language="en")
    per_cell = (time.perf_counter() - start) / len(cells)
    detected = {row: bool(engine.analyze(frame.at[row, "memo"], language="en", score_threshold=0.5)) for row in planted}
    return per_cell * frame.size, len(cells), _recall(detected, planted)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-sample", type=int, default=1500)
    parser.add_argument("--notebook-mb", type=float, default=5.0)
    args = parser.parse_args(argv)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="bench-guard-") as tmp:
        folder = Path(tmp)
        settings, catalog, people = setup(folder / "campus")
        frame, planted = planted_table(args.rows, people, rng)
        request = folder / "request"
        request.mkdir()
        (request / "table.csv").write_text(frame.to_csv(index=False), encoding="utf-8")
        (request / "analysis.ipynb").write_bytes(big_notebook(args.notebook_mb, people))

        start = time.perf_counter()
        from egress_guard.presidio_engine import analyzer, pattern_recognizers

        pattern_recognizers(), analyzer()
        cold = time.perf_counter() - start
        guard_check(settings, catalog, request, ["table.csv"])  # warm-up: imports, DuckDB, caches
        start = time.perf_counter()
        report = guard_check(settings, catalog, request, ["table.csv"])
        table_s = time.perf_counter() - start
        start = time.perf_counter()
        guard_check(settings, catalog, request, ["analysis.ipynb"])
        notebook_s = time.perf_counter() - start

        values = list(dict.fromkeys(frame["memo"]))
        index_of = {v: i for i, v in enumerate(values)}
        planted_values = {row: frame.at[row, "memo"] for row in planted}
        ours = _ours(settings, values, planted_values, planted, index_of)
        base_s, sampled, base_recall = baseline(frame, planted, args.baseline_sample, rng)

    result = {
        "rows": args.rows,
        "planted_cells": len(planted),
        "guard_table_seconds": round(table_s, 3),
        "guard_notebook_seconds": round(notebook_s, 3),
        "notebook_mb": args.notebook_mb,
        "presidio_model_load_seconds": round(cold, 2),
        "baseline_seconds_extrapolated": round(base_s, 1),
        "baseline_cells_timed": sampled,
        "speedup": round(base_s / table_s, 1),
        "guard_recall": {k: round(v, 3) for k, v in ours.items()},
        "baseline_recall": {k: round(v, 3) for k, v in base_recall.items()},
        "table_findings": [f.as_input() for f in report.findings][:8],
        "goals_met": table_s <= GOAL_SECONDS and base_s / table_s >= GOAL_SPEEDUP and ours["all"] >= base_recall["all"],
    }
    print(json.dumps(result, indent=1, ensure_ascii=False))
    return result


def _ours(settings, values, planted_values, planted, index_of):
    from egress_guard.checks.fingerprints import FingerprintCheck
    from egress_guard.checks.pii import PiiCheck
    from egress_guard.fingerprints import fingerprints_root, load_fingerprints

    prints = [load_fingerprints(fingerprints_root(settings), "card_spending")]
    flagged: set[int] = set()
    for owners in [*FingerprintCheck.match_in_values(values, prints).values(), *PiiCheck().scan_values(values).values()]:
        flagged |= owners
    return _recall({row: index_of[value] in flagged for row, value in planted_values.items()}, planted)


if __name__ == "__main__":
    main()
