"""The portfolio report: every park of a data folder in one year, loaded once, and its sections.

The notebook ``04_portfolio`` opens a session and calls its sections, which display themselves::

    from ecopark.reports.portfolio import open_portfolio

    portfolio = open_portfolio("data", 2021)
    portfolio.compliance()     # the verdict of every park, with its failing counts
    portfolio.margin_chart()   # each indicator's margins across the parks

The results are :func:`ecopark.comparison.results` of the folder and year, computed once
(:attr:`PortfolioSession.results`); the counts and the ranking are :mod:`ecopark.portfolio`'s,
the chart :func:`ecopark.plotting.margin_distribution`'s. The sections only word and show them.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from ecopark import __version__, portfolio
from ecopark.comparison import results
from ecopark.errors import InputError
from ecopark.portfolio import SYNTHETIC_ZH
from ecopark.reports.datadir import find_data_dir
from ecopark.reports.display import Chart, Meta, Section, Table, Text, esc
from ecopark.reports.params import ParamsError
from ecopark.verdict import OUTCOMES, VERDICT_ZH

#: Chinese headers of the portfolio tables.
HEADERS = {
    "rank": "名次",
    "park_name": "园区",
    "year": "年份",
    "verdict": "评价结论",
    "fail": "未达标",
    "at_risk": "临界",
    "not_computable": "无法计算",
    "pass": "达标",
    "counted": "考核指标数",
    "number": "序号",
    "indicator": "指标",
    "not_selected": "未选",
}


def park_label(name: str, synthetic: bool) -> str:
    """The park's name as a portfolio shows it, ``（合成示例数据）`` after a made-up park."""
    return f"{name}（{SYNTHETIC_ZH}）" if synthetic else name


class PortfolioSession:
    """One data folder in one year: the results of every park, computed once.

    Parameters
    ----------
    data_dir : Path
        The folder holding the park folders.
    year : int
        The year.
    """

    def __init__(self, data_dir: Path, year: int) -> None:
        self.data_dir = Path(data_dir)
        self.year = int(year)

    @functools.cached_property
    def results(self) -> pd.DataFrame:
        """:func:`ecopark.comparison.results` of the folder for the year."""
        return results(self.data_dir, years=[self.year])

    @functools.cached_property
    def park_years(self) -> pd.DataFrame:
        """:func:`ecopark.portfolio.park_years` of :attr:`results`."""
        return portfolio.park_years(self.results)

    def _table(self, frame: pd.DataFrame, columns: list[str]) -> Table:
        """``columns`` of ``frame`` as a report table: Chinese headers, counts right, escaped."""
        shown = frame.copy()
        if "park_name" in shown:
            shown["park_name"] = [
                park_label(n, bool(s))
                for n, s in zip(shown["park_name"], shown["synthetic"], strict=True)
            ]
        return Table(shown[columns].rename(columns=HEADERS))

    # -----------------------------------------------------------------------------------------
    # Sections

    def title(self, heading: str) -> Section:
        """One line naming the year, the number of parks, the data folder and the standard (the
        notebook's own ``#`` heading is the page's title, so none here), and
        the report's :class:`~ecopark.reports.display.Meta` (year, standard, ecopark's version:
        the running header and the footer of the printed page)."""
        t = self.park_years
        codes = "、".join(sorted(set(t["standard"])))
        meta = Meta({"year": self.year, "standard": codes, "version": __version__})
        if t.empty:
            return Section(
                meta, Text(f"**{heading}**：{self.year} 年，数据文件夹中没有该年份的园区数据。")
            )
        return Section(
            meta,
            Text(
                f"**{heading}**：{self.year} 年，{len(t)} 个园区，数据文件夹 "
                f"{esc(self.data_dir.name)}，依据 {codes}。"
            ),
        )

    def compliance(self) -> Section:
        """Every park's verdict and how many of its indicators that count fail or are at risk."""
        t = self.park_years
        if t.empty:
            return Section(Text("没有可评价的园区。"))
        words = t["verdict"].value_counts()
        said = "，".join(f"{w} {words[w]} 个" for w in VERDICT_ZH.values() if w in words)
        lines = [f"{self.year} 年共 {len(t)} 个园区：{said}。"]
        failing = t[t["fail"] > 0]
        if len(failing):
            names = "、".join(esc(n) for n in failing["park_name"])
            lines.append(f"有考核指标未达标的园区：{names}。")
        synthetic = t[t["synthetic"].astype(bool)]
        if len(synthetic):
            names = "、".join(esc(n) for n in synthetic["park_name"])
            lines.append(f"{names} 为{SYNTHETIC_ZH}，并非真实园区，不应与真实园区比较。")
        lines.append("表中各数为计入考核的指标（必选指标和园区选作考核的可选指标）按状态的个数。")
        columns = ["park_name", "verdict", "fail", "at_risk", "not_computable", "pass", "counted"]
        return Section(Text("\n\n".join(lines)), self._table(t, columns))

    def most_failed(self) -> Section:
        """The indicators that fail in the most parks (counted ones only)."""
        t = portfolio.most_failed(self.results)
        if t.empty:
            return Section(Text("没有园区有计入考核的指标未达标。"))
        top = t.iloc[0]
        lines = [
            f"未达标最多的指标是 {top['number']}「{top['indicator']}」，"
            f"在 {top['fail']} 个园区未达标（共 {top['counted']} 个园区将其计入考核）。"
        ]
        columns = ["number", "indicator", "fail", "at_risk", "not_computable", "counted"]
        return Section(Text("\n\n".join(lines)), self._table(t, columns))

    def margin_chart(self) -> Chart | Text:
        """Each indicator's margins across the parks (:func:`ecopark.plotting.margin_distribution`)."""
        from ecopark.plotting import margin_distribution, source_note

        if self.results.empty:
            return Text("没有可绘制的数据。")
        fig = margin_distribution(
            self.results, title=f"{self.year} 年各园区各指标距考核要求的余量分布"
        )
        return Chart(source_note(fig, f"数据文件夹 {self.data_dir.name}，{self.year} 年"))

    def ranking(self) -> Section:
        """The parks ranked: compliant first, then fewer failing, at-risk and unknown indicators."""
        t = portfolio.ranking(self.results)
        if t.empty:
            return Section(Text("没有可排名的园区。"))
        text = (
            f"排名规则：{_ranking_order(set(t['outcome']))}；同一结论下依次按未达标、"
            "临界、无法计算的考核指标个数从少到多排列，各项相同者名次并列。"
        )
        columns = ["rank", "park_name", "verdict", "fail", "at_risk", "not_computable"]
        return Section(Text(text), self._table(t, columns))


def _ranking_order(present: set[str]) -> str:
    """The order of the verdicts in words: ``符合要求的园区在前，不符合的其次，不作评价的在后``, with
    ``不具备评价条件的再次`` (a gate tier failed) before 不作评价 when a park-year has that outcome."""
    shown = [o for o in OUTCOMES if o != "not_assessable" or o in present]
    places = ["在前", "其次", "再次", "在后"][: len(shown) - 1] + ["在后"]
    words = [VERDICT_ZH[o] + ("要求的园区" if i == 0 else "的") for i, o in enumerate(shown)]
    return "，".join(w + p for w, p in zip(words, places, strict=True))


def open_portfolio(data_dir: str | Path = "data", year: int = 0) -> PortfolioSession:
    """Load a data folder's parks for one year from the notebook parameters, with clear messages.

    A relative ``data_dir`` is looked for from the current folder upward
    (:func:`~ecopark.reports.datadir.find_data_dir`).

    Raises
    ------
    ParamsError
        When the year is not an integer, the folder does not exist or a park's files are bad.
    """
    if isinstance(year, bool) or not isinstance(year, int):
        raise ParamsError(f"year must be an integer such as 2021, got {year!r}")
    folder = find_data_dir(data_dir, ".")
    session = PortfolioSession(folder, year)
    try:
        session.results  # noqa: B018 - read every park once, now, for a clear message
    except InputError as exc:
        raise ParamsError("; ".join(map(str, exc.problems))) from None
    pd.set_option("display.max_rows", 1000)
    return session
