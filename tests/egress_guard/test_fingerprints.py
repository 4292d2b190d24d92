"""Fingerprints are built outside the data folder, hold only hashes, and find identifiers."""

from __future__ import annotations

import numpy as np

from egress_guard.fingerprints import contains, fingerprints_root, load_fingerprints
from egress_guard.normalize import hash_strings, normalize_text


def test_built_at_registration_outside_the_data_folder_without_clear_values(egress_campus):
    settings = egress_campus.settings
    root = fingerprints_root(settings)
    assert not root.is_relative_to(settings.data_root)
    folder = root / "card_spending"
    assert (folder / "meta.json").exists()
    blob = b"".join(p.read_bytes() for p in folder.iterdir())
    import pandas as pd

    people = pd.read_parquet(settings.data_root / "card_spending" / "card_spending.parquet").head(20)
    assert not any(v.encode() in blob for v in people["phone"]) and not any(v.encode() in blob for v in people["holder_name"])
    prints = load_fingerprints(root, "card_spending")
    hashes = hash_strings([normalize_text(v) for v in people["rrn"]])
    assert contains(prints.direct, hashes).all()
    assert not contains(prints.direct, hash_strings([normalize_text("000000-0000000")])).any()
    assert prints.subsets and all(len(s) >= 2 for s in prints.subsets)
    assert all(np.all(c[:-1] < c[1:]) for c in prints.combos if len(c) > 1)  # sorted, unique
