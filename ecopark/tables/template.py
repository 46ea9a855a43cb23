"""Blank year files for an analyst to fill in: every catalogue item, its Chinese name and unit.

The columns are the data contract's ``item,value,unit,note`` followed by ``name_zh`` (the loader
looks columns up by name, so the extra column is ignored when the filled file is read). The
xlsx form has the same columns in its first sheet, drop-down lists for status items (达标/不达标
…) and for the accepted units, non-negative number checks, and column widths for the Chinese
names.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from ecopark.errors import InputError, Problem, display_path
from ecopark.io.atomic import keep_copy, refuse_inputs, write_bytes
from ecopark.io.units import UNITS
from ecopark.io.yearfile import year_file_list
from ecopark.standard.model import DEFAULT_STANDARD, Standard, load_standard

TEMPLATE_COLUMNS = ["item", "value", "unit", "note", "name_zh"]
TEMPLATE_FORMATS = ("csv", "xlsx")


def template_rows(standard: Standard | None = None) -> list[list[str]]:
    """One row per catalogue item: item id, empty value, catalogue unit, empty note, Chinese name."""
    standard = standard or load_standard()
    return [[it.id, "", it.unit, "", it.name_zh] for it in standard.items.values()]


def template_csv(standard: Standard | None = None) -> str:
    """The template as CSV text (write it as UTF-8 with BOM so Excel shows the Chinese names)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(TEMPLATE_COLUMNS)
    writer.writerows(template_rows(standard))
    return buf.getvalue()


def template_workbook_bytes(year: int, standard: Standard | None = None) -> bytes:
    """The template as an .xlsx workbook.

    Sheet 1 (``<year>``) holds the columns item, value, unit, note, name_zh, one row per catalogue
    item, with data validation: status items take one of their words, count items a whole number
    ≥ 0, other items a number ≥ 0; the unit cell offers the units the loader converts. Sheet 2
    (``说明``) explains the columns.

    Parameters
    ----------
    year : int
        The data year (sheet name).
    standard : Standard, optional
        Whose catalogue (default HJ 274-2015).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    standard = standard or load_standard()
    wb = Workbook()
    ws = wb.active
    ws.title = str(year)
    ws.append(TEMPLATE_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
    for row in template_rows(standard):
        ws.append([c if c != "" else None for c in row])
    validations: dict[str, DataValidation] = {}

    def validation(key: str, **kwargs: object) -> DataValidation:
        if key not in validations:
            dv = DataValidation(allow_blank=True, showErrorMessage=True, **kwargs)
            ws.add_data_validation(dv)
            validations[key] = dv
        return validations[key]

    for r, item in enumerate(standard.items.values(), start=2):
        if item.kind == "status":
            words = ",".join(item.allowed)
            validation(
                f"status:{words}",
                type="list",
                formula1=f'"{words}"',
                errorTitle="取值",
                error=f"填写 {' / '.join(item.allowed)}",
                promptTitle=item.name_zh,
                prompt=" / ".join(item.allowed),
            ).add(f"B{r}")
            continue
        if item.kind == "count":
            validation(
                "count",
                type="whole",
                operator="greaterThanOrEqual",
                formula1="0",
                errorTitle="数值",
                error="填写非负整数",
            ).add(f"B{r}")
        else:
            validation(
                "number",
                type="decimal",
                operator="greaterThanOrEqual",
                formula1="0",
                errorTitle="数值",
                error="填写非负数（不含单位）",
            ).add(f"B{r}")
        units = [u for u in UNITS[item.dimension] if "," not in u]
        if units:
            validation(
                f"unit:{item.dimension}",
                type="list",
                formula1='"' + ",".join(units) + '"',
                errorTitle="单位",
                error="可用单位：" + " / ".join(units),
            ).add(f"C{r}")
    for col, width in zip("ABCDE", (28, 16, 12, 40, 60), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    help_ws = wb.create_sheet("说明")
    for line in (
        [f"{standard.code} 原始数据填报模板（{year} 年）"],
        ["item", "指标项目代码，勿改；也可写中文名称（name_zh 列）"],
        ["value", "数值（不含单位）；状态类项目从下拉列表选择；不填表示缺少该项数据"],
        ["unit", "单位；留空为目录单位，可选下拉列表中的其他单位（自动换算）"],
        ["note", "备注：数据来源、口径说明"],
        ["name_zh", "中文名称（仅供参考，读取时忽略）"],
        ["", f"基准年和评价年前三年的数据分别填在各自年份的文件中（如 {year - 3}.csv）"],
    ):
        help_ws.append(line)
    help_ws.column_dimensions["A"].width = 12
    help_ws.column_dimensions["B"].width = 80
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_template(
    park_dir: Path | str,
    year: int,
    fmt: str | None = None,
    output: Path | str | None = None,
    *,
    force: bool = False,
    now: dt.datetime | None = None,
    standard: str | None = None,
) -> tuple[Path, list[Path]]:
    """Write a blank year file.

    Parameters
    ----------
    park_dir : path-like
        The park folder; its park.yaml (if any) names the standard.
    year : int
        The data year.
    fmt : {"csv", "xlsx"}, optional
        Default: the suffix of ``output``, else csv.
    output : path-like, optional
        Where to write; default ``PARK_DIR/<YEAR>.<fmt>``.
    force : bool
        Overwrite an existing file (and, in the park folder, any other year file of the same
        year, such as ``2021.xlsx`` beside ``2021.csv``), keeping a copy ``<file>.bak-<timestamp>``
        of each.
    now : datetime, optional
        Timestamp of backups.
    standard : str, optional
        The code of the standard whose items to list: one of the park's (park.yaml
        ``standard:``); default the first it names (HJ 274-2015 without a park.yaml).

    Returns
    -------
    (Path, list of Path)
        The file written and the backups made.

    Raises
    ------
    InputError
        If the file (or the same year in the other format) exists and ``force`` is not given,
        or ``standard`` is not one of the park's.
    """
    park_dir = Path(park_dir)
    if fmt is None:
        fmt = Path(output).suffix.lower().lstrip(".") if output else "csv"
    if fmt not in TEMPLATE_FORMATS:
        raise InputError(
            Problem(str(output or "--format"), f"format '{fmt}' is not one of csv, xlsx")
        )
    chosen = load_standard(standard or DEFAULT_STANDARD)
    if (park_dir / "park.yaml").is_file():
        from ecopark.io.config import load_config
        from ecopark.io.park import park_standard

        config = load_config(park_dir)
        chosen = park_standard(config, standard or config.standard, park_dir)
    target = Path(output) if output else park_dir / f"{year}.{fmt}"
    refuse_inputs(target, [park_dir / "park.yaml"], "give another -o FILE")
    clashes = [target] if target.exists() else []
    if output is None:  # any other year file of that year (2021.xlsx, 2021.CSV) would clash too
        clashes += [p for y, p in year_file_list(park_dir) if y == year and p.name != target.name]
    if clashes and not force:
        raise InputError(
            [
                Problem(
                    display_path(p),
                    "exists; give --force to replace it (a copy is kept as "
                    ".bak-<timestamp>) or -o FILE to write elsewhere",
                )
                for p in clashes
            ]
        )
    data = (
        template_workbook_bytes(year, chosen)
        if fmt == "xlsx"
        else template_csv(chosen).encode("utf-8-sig")
    )
    backups = []
    for p in clashes:
        backups.append(keep_copy(p, move=p != target, now=now))
    write_bytes(target, data)
    return target, backups
