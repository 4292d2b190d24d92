"""The demo generator: deterministic, valid identifiers, and the patterns analyses rely on."""

from __future__ import annotations

import pandas as pd
import pytest

from demo_data import identifiers
from demo_data.generate import GENERATORS, generate

SCALE = 0.2


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return {name: generate(name, scale=SCALE) for name in GENERATORS}


@pytest.mark.parametrize("name", list(GENERATORS))
def test_same_seed_same_rows(frames, name):
    pd.testing.assert_frame_equal(frames[name], generate(name, scale=SCALE))


def test_other_seed_other_rows(frames):
    assert not frames["card_spending"].equals(generate("card_spending", scale=SCALE, seed=1))


def test_identifiers_have_valid_check_digits(frames):
    cards = frames["card_spending"]
    assert cards["rrn"].map(identifiers.rrn_is_valid).all()
    assert cards["phone"].str.fullmatch(r"010-\d{4}-\d{4}").all()
    assert frames["store_sales"]["brn"].map(identifiers.brn_is_valid).all()
    assert cards["holder_name"].str.fullmatch(r"[가-힣]{3}").all()


@pytest.mark.parametrize("bad", ["850101-1234567", "8501011234560", "abc"])
def test_rrn_validator_rejects_bad_numbers(bad):
    assert not identifiers.rrn_is_valid(bad)


def test_rrn_sex_digit_matches_birth_century(frames):
    cards = frames["card_spending"].drop_duplicates("holder_id")
    digit = cards["rrn"].str[7].astype(int)
    born_2000s = cards["birth_year"] >= 2000
    assert digit[born_2000s].isin([3, 4]).all() and digit[~born_2000s].isin([1, 2]).all()


def test_spending_is_skewed(frames):
    per_holder = frames["card_spending"].groupby("holder_id")["amount_krw"].sum().sort_values(ascending=False)
    top_decile = per_holder.head(len(per_holder) // 10).sum() / per_holder.sum()
    assert top_decile > 0.3


def test_bike_commuter_peaks_and_sejong_imbalance(frames):
    trips = frames["bike_trips"]
    by_hour = trips["rent_time"].dt.hour.value_counts()
    assert by_hour[8] > 2 * by_hour[14] and by_hour[18] > 2 * by_hour[14]
    morning = trips[trips["rent_time"].dt.hour.between(7, 9)]
    arrivals = (morning["return_station"] == "ST-101").sum()
    departures = (morning["rent_station"] == "ST-101").sum()
    assert arrivals > 3 * max(departures, 1)


def test_pm_is_seasonal(frames):
    air = frames["air_quality"]
    by_month = air.groupby(air["measured_at"].dt.month)["pm25"].mean()
    assert by_month[[1, 3, 4]].mean() > 1.5 * by_month[[7, 8]].mean()


def test_store_sales_cover_every_district(frames):
    assert frames["store_sales"]["district"].nunique() >= 20
