"""Write data/example-park/ (示例园区): a SYNTHETIC park, 2015-2023, with sector breakdowns.

Every figure is made up. The park exists so that trends and sector attribution can be shown on
more than Nantong's three years; Nantong stays the real case. Run from the repository root:

    .venv/bin/python scripts/make_example_park.py

The output is deterministic (fixed seed); the generated files are committed. What the data are
built to show (HJ 274-2015 indicator numbers):

- must indicators pass every year except 2020, when a 重大突发环境事件 (a chemical-tank leak)
  makes no. 19 fail;
- 9 (单位工业用地面积工业增加值三年年均增长率) fails 2019-2022 because value added stalls in
  2019-2020, and passes again in 2023 (3 fails throughout: 15 % a year is a high bar);
- 11 (单位工业增加值综合能耗) fails every year through a structure shift: every sector gets more
  efficient, but value added moves toward 化工 (energy-intensive);
- 28 (单位工业增加值固废产生量) passes until 2019 and fails from 2020 because 新材料's waste
  intensity rises after a new production line opens in 2019;
- 27 (单位工业增加值废水排放量) improves and crosses its requirement (≤7) in 2020;
- 12 (可再生能源使用比例) improves but stays below 9 %; 4 fails (the recycling sector is small),
  so footnote b bars 7.

Aggregates that must-indicators depend on (energy, fresh water, pollutants, CO₂) are designed at
park level (elasticities 0.5 / 0.3 with respect to value added) and then split between sectors;
the random noise (seed 274) only moves the split, so the verdicts above do not depend on it.
Park totals are the sums of the rounded sector values, so the sector check finds no difference.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecopark.io.atomic import write_text  # noqa: E402
from ecopark.standard.model import load_standard  # noqa: E402

SEED = 274
OUT = ROOT / "data" / "example-park"
YEARS = list(range(2015, 2024))
BASE = 2015
NOTE = "合成数据（虚构，仅作示例）"

SECTORS = ["化工", "装备制造", "电子信息", "新材料", "再生资源"]
# Value added in 2015 [万元] and yearly growth by period.
VA0 = np.array([600_000, 900_000, 700_000, 300_000, 150_000], dtype=float)
# Sector growth per year: 化工 grows fastest (the structure shift behind no. 11).
GROWTH = {
    "boom": np.array([0.15, 0.07, 0.08, 0.09, 0.03]),  # 2016-2018
    "stall": np.array([0.04, -0.01, 0.00, 0.02, -0.02]),  # 2019-2020
    "recovery": np.array([0.12, 0.07, 0.09, 0.09, 0.03]),  # 2021-2023
}
# Relative intensity profiles by sector (scaled each year to the park aggregate).
ENERGY_PROFILE = np.array([2.0, 0.30, 0.15, 1.0, 0.6])  # tce per 万元, relative
ENERGY_SECTOR_TREND = np.array([0.03, 0.02, 0.02, 0.03, 0.01])  # relative yearly improvement
WATER_PROFILE = np.array([3.0, 0.6, 0.8, 1.5, 1.0])
WASTEWATER_PROFILE = np.array([3.0, 0.5, 0.6, 1.2, 1.5])
POLLUTANT_PROFILE = np.array([3.0, 0.5, 0.3, 1.5, 1.2])
WASTE_INTENSITY0 = np.array([0.11, 0.045, 0.018, 0.22, 0.24])  # t per 万元, 2015
WASTE_TREND = np.array([-0.03, -0.03, -0.02, 0.0, -0.02])  # yearly change before 2019
NEW_LINE_GROWTH = 0.50  # 新材料's waste intensity rises 50 % a year in 2019-2021 (new line)
OUTPUT_RATIO = np.array([4.2, 3.8, 5.0, 3.6, 4.5])  # industrial output / value added
HIGHTECH_SHARE = np.array([0.15, 0.35, 0.85, 0.80, 0.0])


def period(year: int) -> str:
    if year <= 2018:
        return "boom"
    return "stall" if year <= 2020 else "recovery"


def split(total: float, weights: np.ndarray, rng: np.random.Generator, decimals: int) -> np.ndarray:
    """Split ``total`` by ``weights`` with a little noise; round; park total = sum of the parts."""
    noisy = weights * rng.lognormal(0.0, 0.02, size=len(weights))
    parts = total * noisy / noisy.sum()
    return np.round(parts, decimals)


def build() -> tuple[dict[int, dict[str, object]], dict[int, dict[str, np.ndarray]]]:
    rng = np.random.default_rng(SEED)
    va = {BASE: VA0.copy()}
    for y in YEARS[1:]:
        va[y] = np.round(va[y - 1] * (1 + GROWTH[period(y)]) * rng.lognormal(0, 0.003, 5))
    park: dict[int, dict[str, object]] = {}
    sectors: dict[int, dict[str, np.ndarray]] = {}
    va_total0 = VA0.sum()
    energy0 = 0.68 * va_total0  # no. 11 = 0.68 in 2015
    water0 = 7.2 * va_total0 / 10_000  # no. 14 = 7.2 m³/万元 [万m³]
    wastewater0 = 8.6 * va_total0  # no. 27 = 8.6 t/万元
    pollutants0 = {"cod": 950.0, "ammonia_nitrogen": 82.0, "so2": 1900.0, "nox": 2300.0}
    pollutant_decline = {"cod": 0.02, "ammonia_nitrogen": 0.03, "so2": 0.07, "nox": 0.04}
    for y in YEARS:
        t = y - BASE
        s: dict[str, np.ndarray] = {"value_added": va[y]}
        Y = va[y].sum()
        n = max(t, 1)
        g_v = (Y / va_total0) ** (1 / n) - 1 if t else 0.0
        # Park aggregates designed from elasticities (10: 0.5, 13: 0.3, pollutants falling).
        energy = energy0 * (1 + 0.5 * g_v) ** t
        water = water0 * (1 + 0.3 * g_v) ** t
        wastewater = wastewater0 * (Y / va_total0) * (0.955**t)
        w_energy = va[y] * ENERGY_PROFILE * (1 - ENERGY_SECTOR_TREND) ** t
        s["energy"] = split(energy, w_energy, rng, 2)
        s["fresh_water"] = split(water, va[y] * WATER_PROFILE, rng, 4)
        s["wastewater"] = split(wastewater, va[y] * WASTEWATER_PROFILE, rng, 0)
        ef = 2.3 * 0.985**t  # t CO₂ per tce
        s["co2"] = np.round(s["energy"] * ef * rng.lognormal(0, 0.005, 5), 1)
        for p, q0 in pollutants0.items():
            total = q0 * (1 - pollutant_decline[p]) ** t
            s[p] = split(total, va[y] * POLLUTANT_PROFILE, rng, 3)
        waste_int = WASTE_INTENSITY0 * (1 + WASTE_TREND) ** min(t, 4)
        if y >= 2019:
            waste_int = waste_int.copy()
            waste_int[3] *= (1 + NEW_LINE_GROWTH) ** min(y - 2018, 3)  # ramps up to 2021
        s["solid_waste_generated"] = np.round(va[y] * waste_int * rng.lognormal(0, 0.01, 5), 1)
        s["industrial_output"] = np.round(va[y] * OUTPUT_RATIO * rng.lognormal(0, 0.01, 5))
        sectors[y] = s
        output = s["industrial_output"].sum()
        generated = s["solid_waste_generated"].sum()
        fresh = s["fresh_water"].sum()
        energy_total = s["energy"].sum()
        renewable_share = 0.01 + 0.0058 * t  # no. 12: 1.0 % -> 5.6 %
        land = [20.0, 20.2, 20.5, 21.0, 21.1, 21.2, 21.3, 21.6, 22.0][t]
        collected = 260_000 * 1.03**t
        discharge = wastewater / 10_000 * 0.92
        park[y] = {
            "hightech_output": round(float((s["industrial_output"] * HIGHTECH_SHARE).sum())),
            "industrial_output": float(output),
            "employees": round(118_000 * 1.015**t),
            "value_added": float(Y),
            "recycling_value_added": float(va[y][4]),
            "eco_chain_projects": min(5 + t, 12),
            "solid_waste_utilized": round(generated * (0.86 + 0.005 * t), 1),
            "solid_waste_generated": round(float(generated), 1),
            "solid_waste_stock_utilized": round(1500 * 0.9**t, 1),
            "recyclables_recycled": round(collected * 0.84),
            "recyclables_collected": round(collected),
            "industrial_land": land,
            "energy": round(float(energy_total), 2),
            "renewable_energy": round(float(energy_total) * renewable_share, 2),
            "fresh_water": round(float(fresh), 4),
            "water_reused": round(float(fresh) * 10_000 * (9.0 + 0.15 * t)),
            "reclaimed_water": round(discharge * (0.16 + 0.005 * t), 2),
            "wwtp_discharge": round(discharge, 2),
            "key_source_compliance": "达标",
            "emission_caps": "全部完成",
            "major_incidents": 1 if y == 2020 else 0,
            "env_management": 100,
            "cleaner_production_audit": 100,
            "wastewater_facility": "具备",
            "risk_prevention": 100,
            "solid_waste_disposal": 100,
            "cod": round(float(s["cod"].sum()), 3),
            "ammonia_nitrogen": round(float(s["ammonia_nitrogen"].sum()), 3),
            "so2": round(float(s["so2"].sum()), 3),
            "nox": round(float(s["nox"].sum()), 3),
            "co2": round(float(s["co2"].sum()), 1),
            "wastewater": float(s["wastewater"].sum()),
            "green_coverage": round(16.0 + 0.4 * t, 1),
            "disclosure_rate": 100,
            "info_platform": 100,
            "publicity_events": 3 if y % 2 else 4,
        }
    return park, sectors


SPECIAL_NOTES = {
    (
        "major_incidents",
        2020,
    ): "合成数据：2020 年化工企业储罐泄漏，定为重大突发环境事件（示例中必选指标 19 未达标的年份）",
    ("solid_waste_generated", 2019): "合成数据：新材料行业新生产线投产，固废产生强度上升",
}


def fmt(value: object) -> str:
    if isinstance(value, str):
        return value
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    lines = [",".join(header)]
    lines += [",".join(cell if "," not in cell else f'"{cell}"' for cell in row) for row in rows]
    return "\n".join(lines) + "\n"


def write(park: dict[int, dict[str, object]], sectors: dict[int, dict[str, np.ndarray]]) -> None:
    standard = load_standard()
    items = standard.items
    for y, values in park.items():
        rows = []
        for item in items:  # every catalogue item, in catalogue order
            unit = items[item].unit
            rows.append([item, fmt(values[item]), unit, SPECIAL_NOTES.get((item, y), NOTE)])
        write_text(OUT / f"{y}.csv", csv_text(["item", "value", "unit", "note"], rows))
    for y, s in sectors.items():
        rows = []
        for i, sector in enumerate(SECTORS):
            for item, arr in s.items():
                rows.append([sector, item, fmt(float(arr[i])), items[item].unit, NOTE])
        write_text(
            OUT / "sectors" / f"{y}.csv",
            csv_text(["sector", "item", "value", "unit", "note"], rows),
        )
    shares = [
        float((s["industrial_output"] / s["industrial_output"].sum()).max())
        for s in sectors.values()
    ]
    config = {
        "id": "example-park",
        "name": "示例园区",
        "name_en": "Example Park (synthetic)",
        "standard": "HJ 274-2015",
        "base_year": BASE,
        "water_region": "other",
        "selected_optional": [2, 6, 8, 14, 15, 16],
        "dominant_sector_share": round(max(shares), 2),
        "synthetic": True,
        "description": (
            "合成（虚构）数据，仅用于演示趋势和分行业归因，不代表任何真实园区。"
            "Synthetic, made-up data for demonstrating trends and sector attribution; "
            "not a real park."
        ),
        "source": f"scripts/make_example_park.py (seed {SEED})",
    }
    header = (
        "# SYNTHETIC park: every figure is made up (scripts/make_example_park.py, "
        f"seed {SEED}).\n# Do not edit by hand: change the script and run it again.\n"
    )
    write_text(
        OUT / "park.yaml",
        header
        + yaml.safe_dump(
            config, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=None
        ),
    )
    write_text(OUT / "README.md", README)


README = """# 示例园区 (example-park): synthetic data

**Every figure in this folder is made up.** It is not a real park and must not be cited as one.
Nantong ETDZ (`data/nantong-etdz/`) is the real case.

The folder is generated by `scripts/make_example_park.py` (fixed seed 274); change the script and
run it again rather than editing the files:

    .venv/bin/python scripts/make_example_park.py

What it holds: `park.yaml` (with `synthetic: true`), a full year file of every catalogue item for
2015–2023 (base year 2015), and a sector breakdown per year in `sectors/<year>.csv`
(化工, 装备制造, 电子信息, 新材料, 再生资源; format in `docs/data-format-sectors.md`).

What it is built to show (HJ 274-2015 indicator numbers):

| indicator | what happens | why |
|---|---|---|
| 19 (must) | fails in 2020 only | a synthetic 重大突发环境事件 (chemical-tank leak) |
| 9 | fails 2019–2022, passes again in 2023 | value added stalls in 2019–2020 (3 fails throughout: ≥15 % a year) |
| 11 | fails every year | structure shift: every sector gets more efficient, but value added moves toward 化工 |
| 28 | fails from 2020 | 新材料's solid-waste intensity rises after a new line opens in 2019 |
| 27 | fails until 2019, passes from 2020 | wastewater intensity falls about 4.5 % a year |
| 12 | improves, still fails in 2023 | renewables grow from 1 % to about 5.6 % of energy |
| 4 | fails | the recycling sector is small, so footnote b bars 7 |

All other must indicators pass in every year after the base year; the selected optional
indicators (2, 6, 8, 14, 15, 16) pass in every year.
"""


def main() -> int:
    park, sectors = build()
    write(park, sectors)
    print(
        f"wrote {OUT.relative_to(ROOT)}: park.yaml, README.md, {len(park)} year files, "
        f"{len(sectors)} sector files"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
