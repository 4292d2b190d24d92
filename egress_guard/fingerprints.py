"""Fingerprints of a registered dataset: hashed identifiers and rare quasi-identifier combinations.

Built once at registration (`build_fingerprints`, called by the catalog) and stored under
$CAMPUS_HOME/fingerprints/<dataset>/ — never in the data folder, which workspaces mount.
Only 64-bit hashes of normalised values are stored (egress_guard.normalize), so the
fingerprints do not themselves hold the identifiers in clear.

    meta.json               version, dataset, rows, threshold, the column subsets
    direct.npy              sorted hashes of every direct-identifier value
    qi_<column>.npy         sorted hashes of the values of each quasi-identifier column
    combo_<i>.npy           sorted hashes of the combinations of subset i that fewer than
                            min_cell_count people (or rows) share: each names a small group
"""

from __future__ import annotations

import itertools
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from hub.catalog.manifest import ColumnClass, DatasetManifest
from egress_guard.normalize import FINGERPRINT_VERSION, hash_rows, hash_strings, long_enough, normalize_series, normalized_column as _normalized

MAX_SUBSET = 3


def fingerprints_root(settings) -> Path:
    return Path(settings.home) / "fingerprints"


def _read(files: list[Path], columns: list[str]) -> pd.DataFrame:
    frames = []
    for path in files:
        if path.suffix.lower() == ".parquet":
            frames.append(pd.read_parquet(path, columns=columns))
        else:
            frames.append(pd.read_csv(path, usecols=columns, dtype=str))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def build_fingerprints(settings, manifest: DatasetManifest, files: list[Path]) -> Path:
    """Build the dataset's fingerprints from its files; return their folder (atomically replaced)."""
    direct = manifest.columns_of_class(ColumnClass.direct_identifier)
    quasi = manifest.columns_of_class(ColumnClass.quasi_identifier)
    frame = _read(files, direct + quasi)
    root = fingerprints_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{manifest.name}.", dir=root))
    try:
        values = [normalize_series(frame[c]) for c in direct]
        values = pd.concat(values, ignore_index=True) if values else pd.Series([], dtype=object)
        values = values[long_enough(values)].drop_duplicates()
        np.save(work / "direct.npy", np.unique(hash_strings(values)))
        normal = pd.DataFrame({c: _normalized(frame[c]) for c in quasi})
        for column in quasi:
            np.save(work / f"qi_{column}.npy", np.unique(hash_strings(normal[column].drop_duplicates())))
        entity = direct[0] if direct else None
        threshold = manifest.disclosure.min_cell_count
        subsets = [list(s) for size in range(2, min(MAX_SUBSET, len(quasi)) + 1) for s in itertools.combinations(quasi, size)]
        for index, subset in enumerate(subsets):
            keyed = normal[subset].copy()
            keyed["__h"] = hash_rows(normal[subset])
            if entity:
                sizes = frame[entity].groupby(keyed["__h"].to_numpy()).nunique()
            else:
                sizes = keyed.groupby("__h").size()
            rare = sizes[sizes < threshold].index.to_numpy(dtype=np.uint64)
            np.save(work / f"combo_{index}.npy", np.unique(rare))
        meta = {"version": FINGERPRINT_VERSION, "dataset": manifest.name, "rows": len(frame), "min_cell_count": threshold, "direct": direct, "quasi": quasi, "subsets": subsets}
        (work / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        final = root / manifest.name
        old = root / f".{manifest.name}.old"
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            final.rename(old)
        work.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        return final
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


@dataclass
class Fingerprints:
    """The loaded fingerprints of one dataset."""

    dataset: str
    direct: np.ndarray
    quasi: dict[str, np.ndarray] = field(default_factory=dict)
    subsets: list[list[str]] = field(default_factory=list)
    combos: list[np.ndarray] = field(default_factory=list)
    min_cell_count: int = 10


@lru_cache(maxsize=32)
def _load(folder: str, stamp: float) -> Fingerprints | None:
    path = Path(folder)
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("version") != FINGERPRINT_VERSION:
        return None
    return Fingerprints(
        dataset=meta["dataset"],
        direct=np.load(path / "direct.npy"),
        quasi={c: np.load(path / f"qi_{c}.npy") for c in meta["quasi"]},
        subsets=meta["subsets"],
        combos=[np.load(path / f"combo_{i}.npy") for i in range(len(meta["subsets"]))],
        min_cell_count=meta["min_cell_count"],
    )


def load_fingerprints(root: Path, dataset: str) -> Fingerprints | None:
    """The dataset's fingerprints, or None when missing or of an older version (rebuild them)."""
    folder = root / dataset
    meta = folder / "meta.json"
    if not meta.exists():
        return None
    return _load(str(folder), meta.stat().st_mtime)


def contains(sorted_hashes: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """Vectorised membership of `hashes` in a sorted hash array."""
    if sorted_hashes.size == 0 or hashes.size == 0:
        return np.zeros(hashes.shape, dtype=bool)
    positions = np.searchsorted(sorted_hashes, hashes)
    positions[positions >= sorted_hashes.size] = 0
    return sorted_hashes[positions] == hashes
