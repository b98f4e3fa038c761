"""The demo park: a coastal chemical park in Jiangsu with a dozen enterprises whose
by-products, waste heat and reclaimed water could feed one another.

Enterprise names and credit codes are fictional (the codes are generated with valid check
characters); coordinates are real places on the Lianyungang coast. Hazardous waste codes
come from the shipped, verified seed table. The general solid waste codes follow the 2024
catalogue's format (industry, sequence, class) but their sequence numbers are
illustrative: the official table could not be verified here (see the code tables' headers).
"""

from __future__ import annotations

PARK = {
    "name": "海滨石化产业园（演示）",
    "province": "Jiangsu",
    "level": "provincial",
    "park_type": "chemical_park",
    "centroid": {"lat": 34.5905, "lon": 119.5890},
    "baselines": [
        {
            "year": 2025,
            "gdp_10k_cny": 8_650_000,
            "energy_tce": 4_120_000,
            "water_m3": 61_500_000,
            "solid_waste_generated_t": 1_380_000,
        },
        {
            "year": 2026,
            "gdp_10k_cny": 9_120_000,
            "energy_tce": 4_260_000,
            "water_m3": 62_800_000,
            "solid_waste_generated_t": 1_410_000,
        },
    ],
}

# (division, organisation code body) → a credit code is made from these with valid check characters.
ENTERPRISES = [
    {
        "key": "power",
        "name": "海滨热电有限公司",
        "industry_code": "D4411",
        "org": "MA1HB001",
        "location": {"lat": 34.6032, "lon": 119.5711},
    },
    {
        "key": "refinery",
        "name": "东海炼化有限公司",
        "industry_code": "C2511",
        "org": "MA1HB002",
        "location": {"lat": 34.5818, "lon": 119.6045},
    },
    {
        "key": "ethylene",
        "name": "海滨乙烯有限公司",
        "industry_code": "C2614",
        "org": "MA1HB003",
        "location": {"lat": 34.5764, "lon": 119.5932},
    },
    {
        "key": "pta",
        "name": "连海PTA有限公司",
        "industry_code": "C2653",
        "org": "MA1HB004",
        "location": {"lat": 34.5951, "lon": 119.6128},
    },
    {
        "key": "cement",
        "name": "云台水泥有限公司",
        "industry_code": "C3011",
        "org": "MA1HB005",
        "location": {"lat": 34.6213, "lon": 119.5502},
    },
    {
        "key": "gypsum",
        "name": "海滨石膏板有限公司",
        "industry_code": "C3024",
        "org": "MA1HB006",
        "location": {"lat": 34.6120, "lon": 119.5634},
    },
    {
        "key": "wwtp",
        "name": "海滨园区再生水厂",
        "industry_code": "D4620",
        "org": "MA1HB007",
        "location": {"lat": 34.5702, "lon": 119.5776},
    },
    {
        "key": "hw_recycler",
        "name": "东海环境资源有限公司",
        "industry_code": "N7724",
        "org": "MA1HB008",
        "location": {"lat": 34.5658, "lon": 119.6021},
        "licences": [
            {
                "number": "JSLYG0707OOD001-1",
                "codes": ["900-217-08", "900-218-08", "900-249-08", "900-039-49", "900-041-49"],
                "capacity_t_per_year": 30000,
                "valid_from": "2024-03-01",
                "valid_until": "2029-02-28",
            }
        ],
    },
    {
        "key": "catalyst",
        "name": "海滨催化剂再生有限公司",
        "industry_code": "C2661",
        "org": "MA1HB009",
        "location": {"lat": 34.5869, "lon": 119.6190},
        "licences": [
            {
                "number": "JSLYG0707OOD002-1",
                "codes": ["261-151-50", "261-152-50", "900-048-50"],
                "capacity_t_per_year": 5000,
                "valid_from": "2025-01-01",
                "valid_until": "2029-12-31",
            }
        ],
    },
    {
        "key": "chlor_alkali",
        "name": "海滨氯碱有限公司",
        "industry_code": "C2612",
        "org": "MA1HB010",
        "location": {"lat": 34.5990, "lon": 119.5820},
    },
    {
        "key": "fine_chem",
        "name": "赣榆精细化工有限公司",
        "industry_code": "C2669",
        "org": "MA1HB011",
        "location": {"lat": 34.5834, "lon": 119.5668},
    },
    {
        "key": "solvent",
        "name": "海滨溶剂回收有限公司",
        "industry_code": "N7724",
        "org": "MA1HB012",
        "location": {"lat": 34.5745, "lon": 119.6110},
        "licences": [
            {
                "number": "JSLYG0707OOD003-1",
                "codes": ["900-404-06", "900-405-06"],
                "capacity_t_per_year": 12000,
                "valid_from": "2023-07-01",
                "valid_until": "2028-06-30",
            }
        ],
    },
]

ADMIN_DIVISION = "320703"  # Lianyun District, Lianyungang


def material(code_or_codes, amount, recurrence="per_month", **extra):
    key = "waste_codes" if isinstance(code_or_codes, list) else "waste_code"
    return {
        "kind": "material",
        "material": {
            key: code_or_codes,
            "quantity": {"amount": amount, "unit": "t", "recurrence": recurrence},
            **extra,
        },
    }


def heat(medium, temperature_c, power_mw, pressure_mpa=None, hours=24, days=330, **extra):
    return {
        "kind": "heat",
        "heat": {
            "medium": medium,
            "temperature_c": temperature_c,
            "pressure_mpa": pressure_mpa,
            "thermal_power_mw": power_mw,
            "hours_per_day": hours,
            "days_per_year": days,
            **extra,
        },
    }


def water(category, flow, **extra):
    return {"kind": "water", "water": {"reuse_category": category, "flow_m3_per_day": flow, **extra}}


OFFERS = [
    ("power", "中压抽汽", 15, heat("steam", 250, 30, pressure_mpa=1.6, price_cny_per_gj=58)),
    (
        "power",
        "煤粉锅炉粉煤灰",
        150,
        material(
            "441-001-S02",
            18000,
            properties=[
                {"name": "loss_on_ignition", "value": 4.2, "unit": "%"},
                {"name": "fineness_45um_residue", "value": 11.5, "unit": "%"},
            ],
            price_cny_per_t=35,
        ),
    ),
    (
        "power",
        "烟气脱硫石膏",
        150,
        material(
            "441-002-S06",
            9000,
            properties=[
                {"name": "CaSO4_2H2O", "value": 93.5, "unit": "%"},
                {"name": "moisture", "value": 9.0, "unit": "%"},
            ],
            price_cny_per_t=12,
        ),
    ),
    ("refinery", "废矿物油及含油包装物", 200, material("900-249-08", 25, price_cny_per_t=900)),
    ("refinery", "废加氢处理催化剂", 300, material("261-151-50", 60, recurrence="per_year", price_cny_per_t=-1500)),
    ("ethylene", "急冷水余热", 5, heat("hot_water", 92, 8, price_cny_per_gj=18)),
    ("ethylene", "裂解气碱洗废碱液", 100, material("261-059-35", 400, price_cny_per_t=-800)),
    ("cement", "窑尾烟气余热", 3, heat("flue_gas", 330, 6)),
    (
        "wwtp",
        "冷却塔用再生水",
        12,
        water(
            "circulating_cooling",
            12000,
            parameters=[{"name": "COD", "value": 28, "unit": "mg/L"}, {"name": "TDS", "value": 850, "unit": "mg/L"}],
            price_cny_per_m3=2.1,
        ),
    ),
    ("fine_chem", "废混合溶剂（甲苯/乙酸乙酯）", 150, material("900-404-06", 40, price_cny_per_t=-600)),
    ("chlor_alkali", "设备清洗废酸", 80, material("900-300-34", 15, price_cny_per_t=-900)),
]

WANTS = [
    (
        "cement",
        "粉煤灰用作水泥掺合料",
        200,
        material(
            ["441-001-S02"],
            15000,
            property_bounds=[{"name": "loss_on_ignition", "max": 8, "unit": "%"}],
            price_cny_per_t=40,
        ),
    ),
    (
        "gypsum",
        "脱硫石膏用于纸面石膏板",
        120,
        material(
            ["441-002-S06"],
            8000,
            property_bounds=[
                {"name": "CaSO4_2H2O", "min": 90, "unit": "%"},
                {"name": "moisture", "max": 12, "unit": "%"},
            ],
            price_cny_per_t=20,
        ),
    ),
    ("pta", "氧化工段工艺蒸汽", 10, heat("steam", 200, 20, pressure_mpa=1.0)),
    ("chlor_alkali", "烧碱蒸发用蒸汽", 10, heat("steam", 180, 12, pressure_mpa=0.8)),
    ("fine_chem", "反应釜夹套低品位热", 6, heat("hot_water", 70, 3, hours=16)),
    (
        "refinery",
        "冷却塔补充水",
        15,
        water("circulating_cooling", 8000, parameter_bounds=[{"name": "COD", "max": 60, "unit": "mg/L"}]),
    ),
    ("power", "锅炉补给水（除盐前）", 15, water("boiler_makeup", 5000)),
    (
        "hw_recycler",
        "废矿物油再生炼制",
        250,
        material(["900-249-08", "900-217-08", "900-218-08"], 200, price_cny_per_t=800),
    ),
    (
        "catalyst",
        "废加氢催化剂",
        500,
        material(["261-151-50", "261-152-50"], 300, recurrence="per_year", price_cny_per_t=-1200),
    ),
    ("solvent", "废有机溶剂蒸馏回收", 300, material(["900-404-06"], 500, price_cny_per_t=-500)),
]

# Exchanges completed through ParkLoop, so the ledger and the annual report have evidence:
# (offer title, want title, agreed amount, unit, deliveries as (amount, evidence, substitution)).
EXCHANGES = [
    (
        "煤粉锅炉粉煤灰",
        "粉煤灰用作水泥掺合料",
        "1500",
        "t",
        [
            ("620.40", {"weighbridge_ticket": "HB-WB-0001"}, {"substitutes": "virgin_material", "material": "clinker"}),
            ("598.75", {"weighbridge_ticket": "HB-WB-0002"}, {"substitutes": "virgin_material", "material": "clinker"}),
        ],
    ),
    (
        "烟气脱硫石膏",
        "脱硫石膏用于纸面石膏板",
        "800",
        "t",
        [
            (
                "786.20",
                {"weighbridge_ticket": "HB-WB-0107"},
                {"substitutes": "virgin_material", "material": "natural gypsum"},
            ),
        ],
    ),
    (
        "中压抽汽",
        "氧化工段工艺蒸汽",
        "20000",
        "GJ",
        [
            (
                "18450",
                {"meter_reading": "FT-301 0018450 GJ", "period": "2026-Q3"},
                {"substitutes": "boiler_heat", "fuel": "coal", "boiler_efficiency": "0.85"},
            ),
        ],
    ),
    (
        "冷却塔用再生水",
        "冷却塔补充水",
        "240000",
        "m3",
        [
            ("221300", {"meter_reading": "RW-02 221300 m3", "period": "2026-Q3"}, {"substitutes": "municipal_water"}),
        ],
    ),
    (
        "废矿物油及含油包装物",
        "废矿物油再生炼制",
        "25",
        "t",
        [
            (
                "23.86",
                {"weighbridge_ticket": "HB-WB-0213", "manifest_number": "320700-2026-000481"},
                {"substitutes": "virgin_material", "material": "base oil"},
            ),
        ],
    ),
]
