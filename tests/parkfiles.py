"""Build park folders for tests: ``park.yaml`` and year files written from plain dicts.

Used by test_engine, test_load, test_cli and test_units_property::

    folder = write_park(tmp_path, {2015: {"value_added": 100}, 2021: {"value_added": 150}})

A year's dict maps an item (id or Chinese name) to a value, or to ``(value, unit)`` or
``(value, unit, note)``; values are written as given (``str`` of a number or a word).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import yaml

from ecopark.tables.output import to_csv

ROOT = Path(__file__).resolve().parent.parent
NANTONG = ROOT / "data" / "nantong-etdz"

#: The Nantong park.yaml fields (data/nantong-etdz/park.yaml) without id.
NANTONG_CONFIG: dict[str, Any] = {
    "name": "南通经济技术开发区",
    "standard": "HJ 274-2015",
    "base_year": 2015,
    "water_region": "other",
    "selected_optional": [2, 6, 8, 11, 14, 27],
    "dominant_sector_share": None,
}


def nantong_years() -> dict[int, dict[str, tuple[str, str]]]:
    """Nantong's raw items as written: ``{year: {item: (value text, unit)}}``."""
    years = {}
    for path in sorted(NANTONG.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as f:
            years[int(path.stem)] = {r["item"]: (r["value"], r["unit"]) for r in csv.DictReader(f)}
    return years


def year_csv(items: dict[str, Any], header: str = "item,value,unit,note") -> str:
    """The text of a year file holding ``items``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    buf.write(header + "\n")
    for item, spec in items.items():
        value, unit, note = (
            (tuple(spec) + ("", ""))[:3] if isinstance(spec, tuple) else (spec, "", "")
        )
        writer.writerow([item, value, unit, note])
    return buf.getvalue()


def write_park(
    root: Path,
    years: dict[int, dict[str, Any]],
    config: dict[str, Any] | None = None,
    park_id: str = "toy-park",
    encoding: str = "utf-8",
    xlsx_years: tuple[int, ...] = (),
) -> Path:
    """Write ``root/park_id`` with park.yaml and one file per year; return the folder.

    ``config`` entries override the defaults (base year 2015, region other, Nantong's six
    selected optional indicators); a value of ``...`` removes the key.
    """
    folder = root / park_id
    folder.mkdir(parents=True, exist_ok=True)
    cfg: dict[str, Any] = {
        "id": park_id,
        "name": "测试园区",
        "base_year": 2015,
        "water_region": "other",
        "selected_optional": [2, 6, 8, 11, 14, 27],
    }
    cfg.update(config or {})
    cfg = {k: v for k, v in cfg.items() if v is not ...}
    (folder / "park.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    for year, items in years.items():
        if year in xlsx_years:
            write_xlsx(folder / f"{year}.xlsx", items)
        else:
            (folder / f"{year}.csv").write_bytes(year_csv(items).encode(encoding))
    return folder


def write_xlsx(path: Path, items: dict[str, Any]) -> None:
    """A year file as an Excel workbook (first sheet); numeric-looking values become numbers."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["item", "value", "unit", "note"])
    for item, spec in items.items():
        value, unit, note = (
            (tuple(spec) + ("", ""))[:3] if isinstance(spec, tuple) else (spec, "", "")
        )
        try:
            cell: Any = int(value) if str(value).isdigit() else float(value)
        except ValueError:
            cell = value
        ws.append([item, cell, unit or None, note or None])
    wb.save(path)


def nantong_copy(
    root: Path,
    config: dict[str, Any] | None = None,
    drop: dict[int, set[str]] | None = None,
    change: dict[int, dict[str, Any]] | None = None,
    park_id: str = "nantong-variant",
    years: tuple[int, ...] = (2015, 2018, 2021),
) -> Path:
    """A copy of the Nantong park with items dropped or changed and park.yaml overridden."""
    data = nantong_years()
    out: dict[int, dict[str, Any]] = {}
    for year in years:
        items: dict[str, Any] = dict(data[year])
        for item in (drop or {}).get(year, ()):
            del items[item]
        items.update((change or {}).get(year, {}))
        out[year] = items
    cfg = dict(NANTONG_CONFIG)
    cfg.update(config or {})
    return write_park(root, out, cfg, park_id=park_id)


def table_rows(assessment) -> list[dict[str, str]]:
    """The assessment table as a list of dicts of strings (as the CSV prints it)."""
    return list(csv.DictReader(io.StringIO(to_csv(assessment))))


def row(assessment, number: int) -> dict[str, str]:
    """One row of the table as strings."""
    return table_rows(assessment)[number - 1]


def patch_sheet(path: Path, edit) -> None:
    """Rewrite the first sheet's XML of the workbook ``path`` with ``edit(xml) -> xml``.

    The XML is given with empty elements written ``<x a="1"/>`` whichever writer openpyxl used
    (its own writes ``<x a="1" />``, lxml's ``<x a="1"/>``).
    """
    with zipfile.ZipFile(path) as zf:
        members = {info.filename: zf.read(info.filename) for info in zf.infolist()}
    name = "xl/worksheets/sheet1.xml"
    members[name] = edit(re.sub(r"\s+/>", "/>", members[name].decode())).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in members.items():
            zf.writestr(n, data)
