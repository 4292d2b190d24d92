"""Normalisation and hashing of identifier-like values, shared by fingerprint build and match.

Values are compared after folding the ways one identifier is commonly rewritten: Unicode
compatibility forms and Hangul composition (NFKC, which includes NFC), case, and the
separators people insert or drop (spaces, dashes, dots, commas of digit grouping,
brackets, slashes). Hashes come from pandas' vectorised `hash_array` (SipHash with a fixed
key): stable across processes and fast on millions of values.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

# Every character that may be inserted into or dropped from an identifier when it is
# reformatted: whitespace, ASCII and Unicode dashes, dots, commas, brackets, slashes, colons.
SEPARATORS = r"[\s\-‐‑‒–—―_.,()\[\]/:'\"·]+"
_SEPARATORS = re.compile(SEPARATORS)
HANGUL = re.compile(r"[가-힣]")

# Normalised values shorter than this are too common to identify anyone ("M", "2025").
MIN_LATIN_LENGTH = 5
MIN_HANGUL_LENGTH = 2

# Bump when the normalisation or hash changes: stored fingerprints must be rebuilt.
FINGERPRINT_VERSION = 1


def normalize_series(values: pd.Series) -> pd.Series:
    """Normalised strings of any series (numbers are rendered as text first)."""
    text = values.dropna().astype(str)
    return text.str.normalize("NFKC").str.casefold().str.replace(SEPARATORS, "", regex=True)


def normalized_column(column: pd.Series) -> pd.Series:
    """Normalised strings of a column, keeping its length (missing values become "").

    Whole floats are rendered as integers, so 1985.0 read back from a CSV with gaps
    matches 1985 in the source.
    """
    if pd.api.types.is_float_dtype(column) and column.dropna().apply(float.is_integer).all():
        column = column.astype("Int64")
    values = column.astype(str).where(column.notna(), "")
    return values.str.normalize("NFKC").str.casefold().str.replace(SEPARATORS, "", regex=True)


def normalize_text(value: str) -> str:
    import unicodedata

    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value).casefold())


def long_enough(values: pd.Series) -> pd.Series:
    """Mask of normalised values long enough to count as an identifier."""
    lengths = values.str.len().fillna(0).to_numpy()
    mask = lengths >= MIN_LATIN_LENGTH
    # Only the few short values need the (slower) look for Hangul.
    short = np.flatnonzero(~mask & (lengths >= MIN_HANGUL_LENGTH))
    if len(short):
        mask[short] = values.iloc[short].str.contains(HANGUL.pattern, regex=True).fillna(False).to_numpy(dtype=bool)
    return pd.Series(mask, index=values.index)


def hash_strings(values: pd.Series | np.ndarray | list[str]) -> np.ndarray:
    """64-bit hashes of already-normalised strings."""
    array = np.asarray(values, dtype=object)
    if array.size == 0:
        return np.empty(0, dtype=np.uint64)
    return pd.util.hash_array(array, categorize=False)


def hash_rows(frame: pd.DataFrame) -> np.ndarray:
    """64-bit hash of each row of already-normalised string columns (order matters)."""
    return pd.util.hash_pandas_object(frame.reset_index(drop=True), index=False).to_numpy()


# A "word" of running text: letters, digits and the separators allowed inside identifiers.
_WORD = re.compile(r"[0-9A-Za-z가-힣@+]+(?:[\-.][0-9A-Za-z가-힣@+]+)*")


# Words that may be one group of an identifier written with spaces: digit groups of
# up to 8 digits ("010 1234 5678", "900101 1234567") or one or two Hangul syllables ("김 민준").
_GROUP = r"^(?:\d{1,8}|[가-힣]{1,2})$"


def candidates_by_value(values: list[str], max_join: int = 3) -> tuple[pd.Series, np.ndarray]:
    """Normalised candidate identifiers of many texts at once, and the index of the text each is from.

    Every word is a candidate; runs of up to `max_join` adjacent groups (see _GROUP) are
    too. Vectorised: words are found per text by pandas, normalised once per distinct word.
    """
    # NFKC first, so full-width digits and decomposed Hangul become words at all.
    words = pd.Series(values, dtype=object).str.normalize("NFKC").str.findall(_WORD.pattern).explode().dropna()
    if words.empty:
        return pd.Series([], dtype=object), np.empty(0, dtype=np.int64)
    owners = words.index.to_numpy()
    codes, uniques = pd.factorize(words.to_numpy(dtype=object))
    normal_uniques = pd.Series(uniques, dtype=object).str.normalize("NFKC").str.casefold().str.replace(SEPARATORS, "", regex=True)
    normal = normal_uniques.to_numpy(dtype=object)[codes]
    candidates, candidate_owners = [normal], [owners]
    group = normal_uniques.str.match(_GROUP).to_numpy()[codes]
    for width in range(2, max_join + 1):
        if len(normal) < width:
            break
        same = np.ones(len(normal) - width + 1, dtype=bool)
        for k in range(width):
            same &= group[k : len(normal) - width + 1 + k]
        for k in range(1, width):
            same &= owners[k : len(normal) - width + 1 + k] == owners[: len(normal) - width + 1]
        starts = np.flatnonzero(same)
        if len(starts):
            joined = normal[starts].astype(object)
            for k in range(1, width):
                joined = joined + normal[starts + k]
            candidates.append(joined)
            candidate_owners.append(owners[starts])
    return pd.Series(np.concatenate(candidates), dtype=object), np.concatenate(candidate_owners)
