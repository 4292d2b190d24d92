"""Seeded generators of the four demo datasets, as pandas DataFrames.

Deterministic for a given seed and scale. Distributions are shaped so that analyses show
something: spending is log-normal and concentrated in business districts at lunch and in
the evening; bike trips peak at commuter hours (with a seeded imbalance at Sejong-daero);
PM is high in winter and spring (yellow dust) and low in the summer monsoon; a few store
categories have one dominant store per district (dominance cases for the guard).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo_data import identifiers, seoul

BASE_ROWS = {"card_spending": 20_000, "bike_trips": 20_000, "store_sales_stores": 400}
YEAR = 2025


def _weights(mapping: dict) -> tuple[list, np.ndarray]:
    keys = list(mapping)
    values = np.array([v if not isinstance(v, tuple) else v[0] for v in mapping.values()], dtype=float)
    return keys, values / values.sum()


def _names(rng: np.random.Generator, n: int) -> list[str]:
    surnames, p = _weights(seoul.SURNAMES)
    family = rng.choice(surnames, size=n, p=p)
    first = rng.choice(seoul.GIVEN_SYLLABLES, size=n)
    second = rng.choice(seoul.GIVEN_SYLLABLES, size=n)
    return [f"{a}{b}{c}" for a, b, c in zip(family, first, second, strict=True)]


def _timestamps(rng: np.random.Generator, n: int, hour_weights: np.ndarray) -> pd.DatetimeIndex:
    days = rng.integers(0, 365, size=n)
    hours = rng.choice(24, size=n, p=hour_weights / hour_weights.sum())
    seconds = rng.integers(0, 3600, size=n)
    start = np.datetime64(f"{YEAR}-01-01T00:00:00")
    return pd.DatetimeIndex(start + days.astype("timedelta64[D]") + hours.astype("timedelta64[h]") + seconds.astype("timedelta64[s]"))


def card_spending(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    n = max(200, int(BASE_ROWS["card_spending"] * scale))
    holders = max(50, n // 10)
    districts, district_p = _weights(seoul.DISTRICTS)
    birth_year = rng.integers(1950, 2006, size=holders)
    sex = rng.choice(["F", "M"], size=holders)
    people = pd.DataFrame(
        {
            "holder_id": [f"H{index:07d}" for index in range(1, holders + 1)],
            "holder_name": _names(rng, holders),
            "rrn": [identifiers.make_rrn(rng, int(y), str(s)) for y, s in zip(birth_year, sex, strict=True)],
            "phone": [identifiers.make_mobile(rng) for _ in range(holders)],
            "birth_year": birth_year.astype("int32"),
            "sex": sex,
            "home_district": rng.choice(districts, size=holders, p=district_p),
        }
    )
    # A few heavy spenders (Pareto activity), so "top spenders" tables are a real leak.
    activity = rng.pareto(1.5, size=holders) + 1
    holder_index = rng.choice(holders, size=n, p=activity / activity.sum())
    tx = people.iloc[holder_index].reset_index(drop=True)

    merchant_weights = np.array([seoul.DISTRICTS[d] * seoul.BUSINESS_DISTRICTS.get(d, 1.0) for d in districts])
    home_share = 0.45  # almost half of spending happens near home
    near_home = rng.random(n) < home_share
    merchant = rng.choice(districts, size=n, p=merchant_weights / merchant_weights.sum())
    tx["merchant_district"] = np.where(near_home, tx["home_district"], merchant)
    categories, category_p = _weights(seoul.MERCHANT_CATEGORIES)
    tx["merchant_category"] = rng.choice(categories, size=n, p=category_p)
    medians = tx["merchant_category"].map({c: m for c, (_, m) in seoul.MERCHANT_CATEGORIES.items()}).to_numpy(dtype=float)
    amount = rng.lognormal(mean=np.log(medians), sigma=0.7)
    tx["amount_krw"] = (np.round(amount / 100) * 100).astype("int64")
    hour_weights = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 3, 3, 5, 8, 6, 4, 4, 4, 5, 7, 8, 7, 5, 3, 2], dtype=float)
    tx["ts"] = _timestamps(rng, n, hour_weights)
    return tx.sort_values("ts", kind="stable").reset_index(drop=True)


def bike_trips(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    n = max(200, int(BASE_ROWS["bike_trips"] * scale))
    members = max(50, n // 8)
    station_ids = [s[0] for s in seoul.BIKE_STATIONS]
    station_district = {s[0]: s[2] for s in seoul.BIKE_STATIONS}
    member_age = rng.choice(["10s", "20s", "30s", "40s", "50s", "60s+"], size=members, p=[0.05, 0.34, 0.28, 0.17, 0.11, 0.05])
    member_sex = rng.choice(["F", "M"], size=members, p=[0.42, 0.58])
    who = rng.integers(0, members, size=n)

    hour_weights = np.array([0.3, 0.2, 0.1, 0.1, 0.1, 0.4, 1.5, 5, 7, 3, 1.5, 1.5, 2, 2, 1.5, 1.8, 2.5, 4, 7, 5, 3, 2, 1.2, 0.6])
    rent_time = _timestamps(rng, n, hour_weights)
    hour = rent_time.hour.to_numpy()
    morning, evening = (hour >= 7) & (hour <= 9), (hour >= 17) & (hour <= 19)
    rent = rng.choice(station_ids, size=n)
    ret = rng.choice(station_ids, size=n)
    # Commuter flows: residential -> office in the morning (Sejong-daero the favourite
    # destination), office -> residential in the evening.
    office_p = np.array([4.0 if s == "ST-101" else 1.0 for s in seoul.OFFICE_STATIONS])
    office_p /= office_p.sum()
    commute = rng.random(n) < 0.7
    m, e = morning & commute, evening & commute
    rent[m] = rng.choice(seoul.RESIDENTIAL_STATIONS, size=m.sum())
    ret[m] = rng.choice(seoul.OFFICE_STATIONS, size=m.sum(), p=office_p)
    rent[e] = rng.choice(seoul.OFFICE_STATIONS, size=e.sum(), p=office_p)
    ret[e] = rng.choice(seoul.RESIDENTIAL_STATIONS, size=e.sum())

    distance = np.clip(rng.gamma(2.2, 1_300, size=n), 200, 25_000).round().astype("int32")
    minutes = np.clip(distance / 170 + rng.normal(4, 3, size=n), 2, 180)
    return_time = rent_time + pd.to_timedelta(minutes, unit="m")
    frame = pd.DataFrame(
        {
            "member_id": [f"M{index:06d}" for index in who + 1],
            "rent_station": rent,
            "rent_district": [station_district[s] for s in rent],
            "rent_time": rent_time,
            "return_station": ret,
            "return_district": [station_district[s] for s in ret],
            "return_time": return_time.round("s"),
            "distance_m": distance,
            "age_band": member_age[who],
            "sex": member_sex[who],
        }
    )
    return frame.sort_values("rent_time", kind="stable").reset_index(drop=True)


def air_quality(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    hours = pd.date_range(f"{YEAR}-01-01", f"{YEAR}-12-31 23:00", freq="h")
    if scale < 1:  # fewer hours, still the whole year so seasons show
        hours = hours[:: max(1, int(round(1 / scale)))]
    frames = []
    day_of_year = hours.dayofyear.to_numpy()
    hour = hours.hour.to_numpy()
    # Seasonal PM: high in winter, a dust peak in March–April, lowest in the July monsoon.
    seasonal = 1 + 0.45 * np.cos(2 * np.pi * (day_of_year - 15) / 365) + 0.5 * np.exp(-(((day_of_year - 95) / 18) ** 2))
    rush = 1 + 0.25 * (np.exp(-(((hour - 8) / 2) ** 2)) + np.exp(-(((hour - 19) / 2.5) ** 2)))
    for district, station in seoul.AIR_STATIONS.items():
        local = 1 + 0.3 * seoul.BUSINESS_DISTRICTS.get(district, 1.0) / 3.5
        episode = np.repeat(rng.lognormal(0, 0.35, size=len(hours) // 24 + 1), 24)[: len(hours)]
        pm25 = np.clip(17 * seasonal * rush * local * episode * rng.lognormal(0, 0.2, len(hours)), 1, 400)
        pm10 = np.clip(pm25 * rng.normal(1.7, 0.15, len(hours)) + 8 * np.exp(-(((day_of_year - 95) / 15) ** 2)) * 5, 2, 800)
        no2 = np.clip(0.025 * rush * local * rng.lognormal(0, 0.25, len(hours)), 0.002, 0.2)
        o3 = np.clip(0.03 * (1 + 0.6 * np.sin(2 * np.pi * (day_of_year - 100) / 365)) * (1 + 0.5 * np.exp(-(((hour - 15) / 3) ** 2))) * rng.lognormal(0, 0.2, len(hours)), 0.002, 0.2)
        frames.append(
            pd.DataFrame(
                {
                    "station": station,
                    "district": district,
                    "measured_at": hours,
                    "pm10": pm10.round(0).astype("int32"),
                    "pm25": pm25.round(0).astype("int32"),
                    "no2": no2.round(3),
                    "o3": o3.round(3),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def store_sales(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    stores = max(40, int(BASE_ROWS["store_sales_stores"] * scale))
    districts, district_p = _weights(seoul.DISTRICTS)
    category = rng.choice(seoul.STORE_CATEGORIES, size=stores, p=[0.22, 0.2, 0.1, 0.16, 0.08, 0.1, 0.05, 0.03, 0.03, 0.03])
    # Store size is heavy-tailed: in rare categories one big store dominates its district.
    size = rng.pareto(1.2, size=stores) + 1
    base = {"restaurant": 38e6, "cafe": 21e6, "bakery": 24e6, "convenience_store": 52e6, "pharmacy": 45e6, "hair_salon": 14e6, "fitness": 30e6, "bookstore": 18e6, "florist": 9e6, "jewelry": 60e6}
    store_table = pd.DataFrame(
        {
            "brn": [identifiers.make_brn(rng) for _ in range(stores)],
            "store_name": [f"{c.replace('_', ' ').title()} {index:03d}" for index, c in enumerate(category, start=1)],
            "district": rng.choice(districts, size=stores, p=district_p),
            "category": category,
            "base_sales": [base[c] for c in category] * size,
        }
    )
    months = pd.date_range(f"{YEAR - 1}-01-01", f"{YEAR}-12-01", freq="MS")
    season = 1 + 0.12 * np.sin(2 * np.pi * (months.month.to_numpy() - 3) / 12) + 0.2 * (months.month.to_numpy() == 12)
    rows = store_table.loc[store_table.index.repeat(len(months))].reset_index(drop=True)
    rows["month"] = np.tile(months.date, stores)
    factor = np.tile(season, stores) * rng.lognormal(0, 0.12, size=len(rows))
    rows["sales_krw"] = (rows.pop("base_sales") * factor).round(-3).astype("int64")
    rows["customers"] = np.maximum(1, (rows["sales_krw"] / rng.normal(19_000, 2_500, len(rows)))).round().astype("int32")
    return rows


GENERATORS = {
    "card_spending": card_spending,
    "bike_trips": bike_trips,
    "air_quality": air_quality,
    "store_sales": store_sales,
}


def generate(name: str, *, seed: int = 20251125, scale: float = 1.0) -> pd.DataFrame:
    """One demo dataset; the same seed and scale always give the same rows."""
    # Each dataset gets its own stream so that adding one never changes the others.
    rng = np.random.default_rng([seed, list(GENERATORS).index(name)])
    return GENERATORS[name](rng, scale)
