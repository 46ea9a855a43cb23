"""Data checks: figures that are possible to read but unlikely to be right.

The loader (:mod:`ecopark.io.park`) stops on input that cannot be read. These checks look at data
that reads fine but does not add up, and report each finding as a :class:`DataWarning` naming
the items and years, never silently:

- a part above its whole in one year (``warning``): utilised solid waste above generated plus
  prior-year stock (indicator 6), high-tech output above total output (1), value added above
  output (1, 2), recycling-industry value added above value added (4), recycled above collected
  recyclables (7), reclaimed water above WWTP discharge (16), renewable above total energy (12);
- a value that jumps more than ×2 or ÷2 from the previous year with data (``notice``);
- a figure carried unchanged between years (``notice``), such as Nantong's industrial land area,
  19.1 km² in both 2018 and 2021 (indicator 9 then equals indicator 3);
- a figure whose own source note doubts it (``warning``, words of :data:`DOUBT_WORDS`), such as
  Nantong's renewables 2021, 51.8 tce, "光伏约合1.65万吨标煤，单位或口径存疑".

Percentages, counts and status words are not checked for jumps or repeats: 100 % every year is
normal for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ecopark.io.park import Park, is_finite_number
from ecopark.standard.model import Standard

#: Factor beyond which a year-on-year change is flagged (×2 up or ÷2 down).
JUMP_FACTOR = 2.0

#: Words by which a source note says its figure is doubtful.
DOUBT_WORDS = ("存疑", "有疑", "疑问", "待核", "待确认", "有误", "不确定")

#: Dimensions of items checked for jumps and carried figures (amounts, not rates or counts).
SERIES_DIMENSIONS = ("money", "mass", "energy", "water", "area", "people")


@dataclass(frozen=True)
class DataWarning:
    """One finding of the data checks.

    Attributes
    ----------
    year : int
        The year of the figure concerned (the later year for a jump or a repeat).
    items : tuple of str
        The raw item ids concerned.
    message_zh, message_en : str
        What was found, with the figures and years.
    severity : str
        ``"warning"`` (cannot be right as written) or ``"notice"`` (worth checking at source).
    kind : str
        ``"part_exceeds_whole"``, ``"jump"``, ``"carried_forward"`` or ``"noted_doubt"``.
    """

    year: int
    items: tuple[str, ...]
    message_zh: str
    message_en: str
    severity: str
    kind: str

    def __str__(self) -> str:
        return f"{self.year} [{self.severity}] {', '.join(self.items)}: {self.message_zh}"


def _num(x: float) -> str:
    return f"{x:,.6g}" if abs(x) < 1e6 else f"{x:,.0f}"


def check_year(values: Mapping[str, object], year: int, standard: Standard) -> list[DataWarning]:
    """Part-of-whole checks on one year's raw items.

    Parameters
    ----------
    values : mapping
        ``{item id: value}`` of one year in catalogue units (``Park.values(year)``).
    year : int
        The year, for the messages.
    standard : Standard
        For the items' Chinese names and units.

    Returns
    -------
    list of DataWarning
        One ``part_exceeds_whole`` warning per item above the sum of its ``part_of`` items (the
        item catalogue declares them) when the part and its first whole are present (further
        wholes, such as the prior-year stock of indicator 6, count as 0 when missing); in
        catalogue order.
    """
    out = []
    items = standard.items
    for part, wholes, numbers in (
        (it.id, it.part_of, it.part_of_indicators) for it in items.values() if it.part_of
    ):
        if not is_finite_number(values.get(part)) or not is_finite_number(values.get(wholes[0])):
            continue
        present = [w for w in wholes if is_finite_number(values.get(w))]
        whole = sum(float(values[w]) for w in present)
        p = float(values[part])
        if p <= whole:
            continue
        unit = items[part].unit
        whole_zh = "与".join(f"「{items[w].name_zh}」" for w in present)
        ind = "、".join(map(str, numbers))
        out.append(
            DataWarning(
                year=year,
                items=(part, *present),
                message_zh=(
                    f"{year} 年「{items[part].name_zh}」{_num(p)} {unit} 大于{whole_zh}"
                    f"{'之和' if len(present) > 1 else ''} {_num(whole)} {unit}，"
                    f"请核对（影响指标 {ind}）"
                ),
                message_en=(
                    f"{year}: {part} {_num(p)} {unit} exceeds {' + '.join(present)} "
                    f"{_num(whole)} {unit}; check the figures (indicators {', '.join(map(str, numbers))})"
                ),
                severity="warning",
                kind="part_exceeds_whole",
            )
        )
    return out


def check_series(
    by_year: Mapping[int, Mapping[str, object]], standard: Standard
) -> list[DataWarning]:
    """Jumps and carried-forward figures across years.

    Parameters
    ----------
    by_year : mapping of int to mapping
        ``{year: {item id: value}}`` in catalogue units.
    standard : Standard
        For the items' names, units and dimensions.

    Returns
    -------
    list of DataWarning
        For each amount item (dimensions :data:`SERIES_DIMENSIONS`), compared with the previous
        year that has it: a ``jump`` notice when the ratio is above ×2 or below ÷2 (or from 0 to
        a positive value), a ``carried_forward`` notice when the value is exactly the same.
    """
    out = []
    years = sorted(by_year)
    for item_id, item in standard.items.items():
        if item.dimension not in SERIES_DIMENSIONS or item.kind != "number":
            continue
        prev: tuple[int, float] | None = None
        for year in years:
            v = by_year[year].get(item_id)
            if not is_finite_number(v):
                continue
            v = float(v)
            if prev is not None:
                y0, v0 = prev
                span = f"{y0}→{year}"
                if v == v0:
                    out.append(
                        DataWarning(
                            year=year,
                            items=(item_id,),
                            message_zh=(
                                f"「{item.name_zh}」{y0} 年与 {year} 年同为 {_num(v)} {item.unit}，"
                                "可能沿用旧数据，请核对"
                            ),
                            message_en=(
                                f"{item_id} is {_num(v)} {item.unit} in both {y0} and {year}; "
                                "possibly carried forward, check the source"
                            ),
                            severity="notice",
                            kind="carried_forward",
                        )
                    )
                elif v0 == 0 or v > JUMP_FACTOR * v0 or v < v0 / JUMP_FACTOR:
                    ratio = "从 0 增至正值" if v0 == 0 else f"变为 {v / v0:.3g} 倍"
                    ratio_en = "from 0 to a positive value" if v0 == 0 else f"×{v / v0:.3g}"
                    out.append(
                        DataWarning(
                            year=year,
                            items=(item_id,),
                            message_zh=(
                                f"「{item.name_zh}」{span} 由 {_num(v0)} 变为 {_num(v)} {item.unit}"
                                f"（{ratio}），超出 ×2 或 ÷2，请核对单位与口径"
                            ),
                            message_en=(
                                f"{item_id} {span}: {_num(v0)} → {_num(v)} {item.unit} ({ratio_en}), "
                                "more than ×2 or ÷2; check unit and scope"
                            ),
                            severity="notice",
                            kind="jump",
                        )
                    )
            prev = (year, v)
    return sorted(out, key=lambda w: (w.year, w.kind, w.items))


def check_notes(park: Park, year: int) -> list[DataWarning]:
    """A ``noted_doubt`` warning for each item of ``year`` whose source note holds one of
    :data:`DOUBT_WORDS`, quoting the note whole."""
    out = []
    for r in park.records(year):
        note = r.note or ""
        if not any(word in note for word in DOUBT_WORDS):
            continue
        name = park.standard.items[r.item].name_zh if r.item in park.standard.items else r.item
        value = r.value_as_written or (_num(r.value) if is_finite_number(r.value) else str(r.value))
        out.append(
            DataWarning(
                year=year,
                items=(r.item,),
                message_zh=f"{year} 年「{name}」{value} {r.unit}：来源说明称「{note}」，请核实",
                message_en=f"{year}: {r.item} {value} {r.unit}: its source note doubts it ({note})",
                severity="warning",
                kind="noted_doubt",
            )
        )
    return out


def check_data(park: Park) -> list[DataWarning]:
    """Every data check on every year of a park.

    Parameters
    ----------
    park : Park
        From :func:`ecopark.load_park`.

    Returns
    -------
    list of DataWarning
        Part-of-whole warnings and doubts noted at source of each year, then jumps and repeats
        across years, ordered by year. Nantong: industrial_land 19.1 km² in 2018 and 2021 is
        ``carried_forward``; renewable_energy 2021 is ``noted_doubt``.
    """
    by_year = {year: park.values(year) for year in park.years}
    out = [w for year in park.years for w in check_year(by_year[year], year, park.standard)]
    out += [w for year in park.years for w in check_notes(park, year)]
    out += check_series(by_year, park.standard)
    return sorted(out, key=lambda w: (w.year, w.severity != "warning", w.kind, w.items))
