"""Seoul reference data for the demo generator: districts, names, categories, stations.

Synthetic on purpose: names are built from common surnames and given-name syllables, so
they look real to a disclosure checker but belong to no one.
"""

# The 25 autonomous districts (gu) of Seoul, with a rough relative population weight.
DISTRICTS: dict[str, float] = {
    "Jongno-gu": 0.15, "Jung-gu": 0.13, "Yongsan-gu": 0.23, "Seongdong-gu": 0.29,
    "Gwangjin-gu": 0.35, "Dongdaemun-gu": 0.35, "Jungnang-gu": 0.39, "Seongbuk-gu": 0.44,
    "Gangbuk-gu": 0.30, "Dobong-gu": 0.31, "Nowon-gu": 0.51, "Eunpyeong-gu": 0.47,
    "Seodaemun-gu": 0.31, "Mapo-gu": 0.37, "Yangcheon-gu": 0.44, "Gangseo-gu": 0.57,
    "Guro-gu": 0.40, "Geumcheon-gu": 0.23, "Yeongdeungpo-gu": 0.38, "Dongjak-gu": 0.38,
    "Gwanak-gu": 0.49, "Seocho-gu": 0.41, "Gangnam-gu": 0.53, "Songpa-gu": 0.66,
    "Gangdong-gu": 0.46,
}

# Business districts where card spending concentrates (merchant side).
BUSINESS_DISTRICTS = {"Jung-gu": 3.0, "Jongno-gu": 2.5, "Gangnam-gu": 3.5, "Seocho-gu": 2.0, "Yeongdeungpo-gu": 2.0, "Mapo-gu": 1.8}

# Surnames with their approximate share of the population.
SURNAMES: dict[str, float] = {
    "김": 21.5, "이": 14.7, "박": 8.4, "최": 4.7, "정": 4.3, "강": 2.4, "조": 2.1, "윤": 2.1,
    "장": 2.0, "임": 1.7, "한": 1.5, "오": 1.5, "서": 1.4, "신": 1.4, "권": 1.4, "황": 1.4,
    "안": 1.3, "송": 1.3, "전": 1.1, "홍": 1.1, "유": 1.1, "고": 0.9, "문": 0.9, "양": 0.9,
    "손": 0.9, "배": 0.8, "백": 0.8, "허": 0.6, "남": 0.5, "노": 0.5,
}
GIVEN_SYLLABLES = list("민서지현준우수영하도윤은예진성재연채아시호건유주원동혜경태승희")

MERCHANT_CATEGORIES: dict[str, tuple[float, float]] = {
    # category: (share of transactions, median amount in KRW)
    "restaurant": (0.22, 18_000), "cafe": (0.16, 6_500), "grocery": (0.14, 42_000),
    "convenience_store": (0.15, 7_800), "apparel": (0.06, 85_000), "beauty": (0.04, 45_000),
    "medical": (0.05, 38_000), "education": (0.03, 250_000), "entertainment": (0.05, 32_000),
    "transport": (0.06, 14_000), "electronics": (0.02, 420_000), "furniture": (0.02, 310_000),
}

STORE_CATEGORIES = ["restaurant", "cafe", "bakery", "convenience_store", "pharmacy", "hair_salon", "fitness", "bookstore", "florist", "jewelry"]

# Air-quality monitoring: one urban station per district (as the city's network has).
AIR_STATIONS = {district: f"{district.removesuffix('-gu')} station" for district in DISTRICTS}

# Bike stations: (id, name, district). ST-101 on Sejong-daero is the seeded re-allocation
# case: commuters return bikes there in the morning and take them in the evening, so it
# overflows at 9:00 and runs dry at 18:00.
BIKE_STATIONS = [
    ("ST-101", "Sejong-daero Gwanghwamun", "Jongno-gu"),
    ("ST-102", "Jongno 3-ga", "Jongno-gu"),
    ("ST-201", "City Hall", "Jung-gu"),
    ("ST-202", "Euljiro 1-ga", "Jung-gu"),
    ("ST-301", "Yeouido IFC", "Yeongdeungpo-gu"),
    ("ST-302", "Yeouido Park", "Yeongdeungpo-gu"),
    ("ST-401", "Gangnam Station", "Gangnam-gu"),
    ("ST-402", "Samseong Station", "Gangnam-gu"),
    ("ST-501", "Hongik Univ.", "Mapo-gu"),
    ("ST-502", "Mangwon Hangang Park", "Mapo-gu"),
    ("ST-601", "Jamsil Station", "Songpa-gu"),
    ("ST-602", "Olympic Park", "Songpa-gu"),
    ("ST-701", "Nowon Station", "Nowon-gu"),
    ("ST-702", "Sanggye Station", "Nowon-gu"),
    ("ST-801", "Eunpyeong New Town", "Eunpyeong-gu"),
    ("ST-802", "Bulgwang Station", "Eunpyeong-gu"),
    ("ST-901", "Guro Digital Complex", "Guro-gu"),
    ("ST-902", "Sindorim Station", "Guro-gu"),
    ("ST-951", "Gwanak-gu Office", "Gwanak-gu"),
    ("ST-952", "Seoul Nat'l Univ. Station", "Gwanak-gu"),
]
# Stations in residential districts: the origin of morning commutes.
RESIDENTIAL_STATIONS = ["ST-701", "ST-702", "ST-801", "ST-802", "ST-951", "ST-952", "ST-502", "ST-602", "ST-902"]
OFFICE_STATIONS = ["ST-101", "ST-102", "ST-201", "ST-202", "ST-301", "ST-401", "ST-402", "ST-901"]
