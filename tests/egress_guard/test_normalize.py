"""Normalisation folds the ways an identifier gets rewritten, and nothing more."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from egress_guard.normalize import candidates_by_value, hash_strings, normalize_series, normalize_text


@pytest.mark.parametrize(
    "original,rewritten",
    [
        ("010-1234-5678", "010 1234 5678"),
        ("010-1234-5678", "01012345678"),
        ("900101-1234567", "９００１０１－１２３４５６７"),  # full-width digits and dash
        ("H0001234", "h0001234"),
        ("1,234,567", "1234567"),
        ("김민준", unicodedata.normalize("NFD", "김민준")),  # decomposed jamo
        ("김민준", "김 민준"),
        ("minjun.kim@example.com", "MINJUN.KIM@EXAMPLE.COM"),
    ],
)
def test_rewrites_fold_together(original, rewritten):
    assert normalize_text(original) == normalize_text(rewritten)
    assert list(hash_strings(normalize_series(pd.Series([original])))) == list(hash_strings(normalize_series(pd.Series([rewritten]))))


@pytest.mark.parametrize("a,b", [("010-1234-5678", "010-1234-5679"), ("김민준", "김민지"), ("H0001234", "H0001243")])
def test_different_identifiers_stay_different(a, b):
    assert normalize_text(a) != normalize_text(b)


def test_candidates_find_identifiers_inside_sentences_with_their_value():
    candidates, owners = candidates_by_value(["no id here", "call 010 1234 5678 today", "고객 김 민준 님", "주민번호 ９００１０１－１２３４５６７"])
    found = dict(zip(candidates, owners, strict=True))
    assert found["01012345678"] == 1 and found["김민준"] == 2 and found["9001011234567"] == 3
    assert "noidhere" not in found  # only digit groups and short Hangul runs are joined
