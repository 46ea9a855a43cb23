"""A report session: one park-year, loaded once, each analysis computed once and kept.

The notebooks open a session and call its sections, which display themselves::

    from ecopark.reports.session import open_report

    report = open_report("nantong-etdz", 2021, "../data")
    report.verdict()          # the verdict, as escaped Markdown
    report.overview_chart()   # the assessment overview, as a PNG

The analyses are cached properties (:attr:`ReportSession.assessment`, :attr:`~ReportSession.gaps`,
:attr:`~ReportSession.whatif`, :attr:`~ReportSession.attribution`, :attr:`~ReportSession.series`
and :attr:`~ReportSession.fits`, :attr:`~ReportSession.advice`, :attr:`~ReportSession.checks`,
:meth:`~ReportSession.shares` and :meth:`~ReportSession.effects` per indicator, and
:meth:`~ReportSession.comparison_with` each other standard park.yaml lists): a section that
needs one computes it the first time and every later section reuses it. The charts
(:mod:`ecopark.plotting`) and the sentences (:mod:`ecopark.reports.narrative`) receive these
results and compute nothing.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import pandas as pd

from ecopark import __version__
from ecopark.advisor import SelectionAdvice, advise
from ecopark.assessment import Assessment
from ecopark.attribution import attribute, decomposable
from ecopark.checks import DataWarning, check_data
from ecopark.comparison import compare_standards
from ecopark.engine import assess
from ecopark.errors import InputError
from ecopark.gaps import gap_table
from ecopark.io.park import Park, load_park
from ecopark.io.sectors import sector_files
from ecopark.reports import narrative
from ecopark.reports.datadir import find_data_dir
from ecopark.reports.display import Chart, Meta, Section, Table, Text, esc, texts
from ecopark.reports.params import ParamsError, check_park_year, check_standard
from ecopark.sectors import numerator_items, sector_shares, structure_intensity
from ecopark.trends import park_trends
from ecopark.whatif import WHATIF_COLUMNS, what_it_would_take

#: Statuses a report analyses (the failing and the at-risk indicators).
PROBLEM_STATUSES = ("fail", "at_risk")


class ReportSession:
    """One park-year of a report: the park, loaded once, and each analysis of it, computed once.

    Parameters
    ----------
    park : Park
        From :func:`ecopark.load_park`, under the standard the report assesses it against
        (:attr:`Park.standard`; the others park.yaml lists are compared with it).
    year : int
        The evaluation year (a year of ``park``).
    """

    def __init__(self, park: Park, year: int) -> None:
        self.park = park
        self.year = int(year)
        self._assessments: dict[int, Assessment] = {}
        self._gaps: dict[int, pd.DataFrame] = {}
        self._shares: dict[int, pd.DataFrame] = {}
        self._effects: dict[tuple[int, int], tuple[pd.DataFrame | None, Exception | None]] = {}
        self._comparisons: dict[str, pd.DataFrame] = {}

    # -----------------------------------------------------------------------------------------
    # What the report is about

    @property
    def name(self) -> str:
        """The park's Chinese name."""
        return self.park.config.name

    @property
    def base_year(self) -> int:
        """The park's base year (规划基准年)."""
        return self.park.config.base_year

    @property
    def years(self) -> list[int]:
        """The park's data years up to the evaluation year."""
        return [y for y in self.park.years if y <= self.year]

    # -----------------------------------------------------------------------------------------
    # The analyses, each computed once

    def assessment_of(self, year: int) -> Assessment:
        """:func:`ecopark.assess` of ``year`` (the evaluation year's is :attr:`assessment`)."""
        if year not in self._assessments:
            self._assessments[year] = assess(self.park, year)
        return self._assessments[year]

    def gaps_of(self, year: int) -> pd.DataFrame:
        """:func:`ecopark.gaps.gap_table` of ``year``."""
        if year not in self._gaps:
            self._gaps[year] = gap_table(self.assessment_of(year))
        return self._gaps[year]

    @property
    def assessment(self) -> Assessment:
        """The evaluation year's assessment."""
        return self.assessment_of(self.year)

    @property
    def gaps(self) -> pd.DataFrame:
        """The evaluation year's gap table."""
        return self.gaps_of(self.year)

    @functools.cached_property
    def problems(self) -> pd.DataFrame:
        """Gap-table rows of the failing and at-risk indicators."""
        g = self.gaps
        return g[g["status"].isin(PROBLEM_STATUSES)]

    @property
    def problem_numbers(self) -> list[str]:
        """Ids of the failing and at-risk indicators, in the standard's order."""
        return list(self.problems["number"])

    @functools.cached_property
    def whatif(self) -> pd.DataFrame:
        """:func:`ecopark.whatif.what_it_would_take` of the failing and at-risk indicators."""
        if not self.problem_numbers:
            return pd.DataFrame(columns=WHATIF_COLUMNS)
        return what_it_would_take(self.assessment, self.problem_numbers)

    @functools.cached_property
    def _trends(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return park_trends(self.park, years=self.years)

    @property
    def series(self) -> pd.DataFrame:
        """Every indicator's value in every year up to the evaluation year
        (:func:`ecopark.trends.indicator_series`)."""
        return self._trends[0]

    @property
    def fits(self) -> pd.DataFrame:
        """The fitted trends of :attr:`series` (:func:`ecopark.trends.fit_trends`)."""
        return self._trends[1]

    @property
    def can_attribute(self) -> bool:
        """Whether an attribution from the base year is possible (a later year, base-year data)."""
        return self.year > self.base_year and self.base_year in self.park.years

    @functools.cached_property
    def attribution(self) -> pd.DataFrame | None:
        """:func:`ecopark.attribution.attribute` of the failing and at-risk indicators from the
        base year (those that can be decomposed: not a reported count such as 5); None when there
        is none or no attribution is possible."""
        can = set(decomposable(self.park.standard))
        numbers = [n for n in self.problem_numbers if n in can]
        if not numbers or not self.can_attribute:
            return None
        return attribute(self.park, self.base_year, self.year, numbers=numbers)

    @functools.cached_property
    def advice(self) -> SelectionAdvice:
        """:func:`ecopark.advisor.advise` of the evaluation year, on the trends already fitted."""
        return advise(self.assessment, self.park, trends=self.fits)

    @functools.cached_property
    def checks(self) -> list[DataWarning]:
        """:func:`ecopark.checks.check_data` of the park."""
        return check_data(self.park)

    @functools.cached_property
    def doubts(self) -> list[DataWarning]:
        """The data checks that question a figure: warnings (a part above its whole, a doubt
        noted at source)."""
        return [w for w in self.checks if w.severity == "warning"]

    @functools.cached_property
    def data_files(self) -> list[Path]:
        """The files a report of the park reads: ``park.yaml``, every year file (the data
        checks read them all) and every sector file."""
        files = [self.park.path / "park.yaml", *self.park.files.values()]
        return files + sorted(sector_files(self.park).values())

    def checksum(self) -> str:
        """sha256 of :attr:`data_files` (each one's name relative to the park folder, then its
        bytes), the first 12 hex digits."""
        h = hashlib.sha256()
        for path in self.data_files:
            h.update(path.relative_to(self.park.path).as_posix().encode("utf-8") + b"\0")
            h.update(path.read_bytes())
        return h.hexdigest()[:12]

    @functools.cached_property
    def sector_years(self) -> list[int]:
        """Years with a sector file."""
        return sorted(sector_files(self.park))

    @functools.cached_property
    def sector_numbers(self) -> list[int]:
        """Failing/at-risk indicators whose numerator a sector file can split, when the year has
        one."""
        if self.year not in self.sector_years:
            return []
        out = []
        standard = self.park.standard
        for n in self.problem_numbers:
            try:
                items = numerator_items(standard.indicator(n), standard)
            except (ValueError, KeyError):
                continue
            if "value_added" not in items:  # growth rates of value added: nothing to split
                out.append(n)
        return out

    @property
    def sector_start(self) -> int:
        """The start year of the structure/intensity effects: the base year when it has a
        sector file and is earlier, else the evaluation year."""
        base = self.base_year
        return base if base in self.sector_years and self.year > base else self.year

    def shares(self, number: int) -> pd.DataFrame:
        """:func:`ecopark.sectors.sector_shares` of indicator ``number`` in the evaluation year."""
        if number not in self._shares:
            self._shares[number] = sector_shares(self.park, self.year, number)
        return self._shares[number]

    def effects(
        self, number: int, year_from: int | None = None
    ) -> tuple[pd.DataFrame | None, Exception | None]:
        """(:func:`ecopark.sectors.structure_intensity` by sector from ``year_from`` (default
        :attr:`sector_start`) to the evaluation year, or None; why not, or None)."""
        start = self.sector_start if year_from is None else int(year_from)
        key = (number, start)
        if key not in self._effects:
            try:
                e = structure_intensity(self.park, number, start, self.year, by_sector=True)
                self._effects[key] = (e, None)
            except (ValueError, InputError) as exc:  # not an intensity, or a year missing
                self._effects[key] = (None, exc)
        return self._effects[key]

    @property
    def other_standards(self) -> list[str]:
        """The codes of the park's other standards (park.yaml ``standard:``), in its order."""
        return [c for c in self.park.config.standards if c != self.park.standard.code]

    def comparison_with(self, code: str) -> pd.DataFrame:
        """:func:`ecopark.compare_standards` of the evaluation year: the report's standard
        (``a``) and ``code`` (``b``), another of the park's standards."""
        if code not in self._comparisons:
            self._comparisons[code] = compare_standards(
                self.park, self.year, self.park.standard.code, code
            )
        return self._comparisons[code]

    # -----------------------------------------------------------------------------------------
    # Sections: each returns an object that displays itself

    def meta(self) -> Meta:
        """What the report is about, for its running header and footer: park, year, standard,
        ecopark's version, the data files read and their :meth:`checksum`."""
        return Meta(
            {
                "park": self.name,
                "park_id": self.park.id,
                "year": self.year,
                "standard": self.park.standard.code,
                "standard_name": self.park.standard.name_zh,
                "version": __version__,
                "files": [
                    f"{self.park.id}/{p.relative_to(self.park.path).as_posix()}"
                    for p in self.data_files
                ],
                "sha256": self.checksum(),
            }
        )

    def title(self, heading: str) -> Section:
        """One line naming the park, the year, the base year and the standard (and the report's
        :meth:`meta`)."""
        code = self.park.standard.code
        return Section(
            self.meta(), Text(narrative.title(self.park.config, self.year, heading, code))
        )

    def source_line(self) -> Text:
        """``资料出处：`` and the park's data source."""
        return Text("资料出处：" + esc(narrative.source_line(self.park.config)) + "。")

    def _noted(self, fig: object, alt: str) -> Chart:
        from ecopark.plotting import source_note

        return Chart(source_note(fig, narrative.source_line(self.park.config)), alt)

    # 01 摘要

    def summary(self) -> Text:
        """The one-screen summary: verdict and reasons, deciding and at-risk indicators, the
        realistic actions, the data doubts (:func:`ecopark.reports.narrative.summary`)."""
        return Text(narrative.summary(self.assessment, self.whatif, self.checks, self.doubts))

    # 01 考核表

    def verdict(self) -> Text:
        """The verdict with its reasons and the failing indicators."""
        return Text(narrative.verdict(self.assessment))

    def assessment_table(self) -> Table:
        """Every indicator in Chinese (the standard's labels), coloured by status, failing rows
        marked."""
        labels = {i.number: i.label for i in self.park.standard.indicators}
        return Table(narrative.assessment_table(self.gaps, labels), status="状态")

    def standards_comparison(self) -> Section:
        """Side by side with each other standard park.yaml lists (:meth:`comparison_with`): a
        heading, a sentence, the two verdicts and every indicator's value and status under
        each; nothing for a park of one standard."""
        parts: list[Text | Table] = []
        for code in self.other_standards:
            parts.append(Text(narrative.comparison_heading(self.park.standard.code, code)))
            try:
                table = self.comparison_with(code)
            except InputError as exc:  # two definitions that disagree on which is which
                why = "；".join(esc(p) for p in exc.problems)
                parts.append(Text(f"无法对照：{why}"))
                continue
            sentence, verdicts, indicators = narrative.standards_comparison(table)
            status = narrative.COMPARISON_STATUS
            parts += [Text(sentence), Table(verdicts), Table(indicators, status=status)]
        return Section(*parts)

    def overview_chart(self) -> Chart:
        """The assessment overview (:func:`ecopark.plotting.assessment_overview`)."""
        from ecopark.plotting import assessment_overview

        return self._noted(
            assessment_overview(self.gaps, self.assessment),
            f"总览图：{self.year} 年各项指标距要求的余量，按状态着色",
        )

    def data_checks(self) -> Section:
        """The data checks: a sentence and, when something was found, a table."""
        text, table = narrative.data_checks(self.checks, self.park.standard.items)
        return Section(Text(text), table)

    def sources_table(self, years: list[int] | None = None) -> Section:
        """The data source and every figure used in ``years`` (default: the base year, three
        years before and the evaluation year, those with data)."""
        if years is None:
            wanted = (self.base_year, self.year - 3, self.year)
            years = sorted({y for y in wanted if y in self.park.years})
        items = self.park.items(years)
        return Section(self.source_line(), narrative.sources_table(items, self.park.standard.items))

    def sources_summary(self) -> Section:
        """The data source and every item of the years up to the evaluation year with its notes."""
        items = self.park.items(self.years)
        return Section(
            self.source_line(), narrative.sources_summary(items, self.park.standard.items)
        )

    # 02 未达标指标成因分析

    def problems_summary(self) -> Text:
        """Which indicators fail or pass by a hair, or that none does."""
        return Text(narrative.problems_summary(self.problems, self.name, self.year))

    def whatif_sentences(self) -> list[str]:
        """What it would take, one sentence per failing or at-risk indicator."""
        return narrative.whatif_sentences(self.problems, self.whatif)

    def whatif_chart(self) -> Chart | None:
        """What it would take (:func:`ecopark.plotting.what_it_would_take`); None if nothing fails."""
        if self.problems.empty:
            return None
        from ecopark.plotting import what_it_would_take as chart

        return self._noted(
            chart(self.whatif, self.gaps, self.assessment),
            "达标需要什么：各未达标或临界指标的单项数据需变化的幅度",
        )

    def whatif_table(self) -> pd.DataFrame | None:
        """What it would take, in Chinese; None if nothing fails."""
        return narrative.whatif_table(self.whatif)

    def what_it_would_take(self) -> Section:
        """What it would take: the sentences, the chart and the table."""
        sentences = self.whatif_sentences() or ["没有需要分析的指标。"]
        table = self.whatif_table()
        return Section(
            *texts(sentences), self.whatif_chart(), None if table is None else Table(table)
        )

    def attribution_sentences(self) -> list[str]:
        """One sentence per failing or at-risk indicator on its attribution, or why there is none."""
        if not self.problem_numbers:
            return []
        if self.attribution is None:
            return [narrative.no_attribution(self.year, self.base_year)]
        return narrative.attribution_sentences(
            self.attribution, self.problem_numbers, self.park.standard
        )

    def attribution_table(self) -> pd.DataFrame | None:
        """The attribution in Chinese; None when there is none."""
        return None if self.attribution is None else narrative.attribution_table(self.attribution)

    def attribution_chart(self, limit: int = 2) -> Chart | None:
        """Waterfalls from the base year of the failing/at-risk indicators that have an
        attribution, at most ``limit`` of them in one figure; None when there is none."""
        t = self.attribution
        if t is None:
            return None
        shown = [n for n in self.problem_numbers if (t["number"] == n).any()][:limit]
        if not shown:
            return None
        from ecopark.plotting import TEXT_WIDTH_IN, new_figure
        from ecopark.plotting import attribution_chart as waterfall

        # one waterfall per row, at the page's text width (its labels print at their size)
        fig, axes = new_figure(len(shown), 1, figsize=(TEXT_WIDTH_IN, 3.4 * len(shown)))
        for ax, n in zip(axes.flat, shown, strict=True):
            waterfall(t, n, self.gaps_of(self.base_year), self.gaps, ax=ax)
        names = "、".join(f"{n} {self.park.standard.indicator(n).name_zh}" for n in shown)
        return self._noted(fig, f"归因瀑布图：{names}自 {self.base_year} 年以来变化的各因素贡献")

    def why_it_changed(self) -> Section:
        """The attribution from the base year: sentences, waterfalls and the table."""
        sentences = self.attribution_sentences() or ["没有需要归因的指标。"]
        return Section(*texts(sentences), self.attribution_chart(), self.attribution_table())

    def sector_sentences(self) -> list[str]:
        """By sector, one sentence per indicator, or why there is none."""
        if self.year not in self.sector_years:
            return [narrative.no_sector_file(self.name, self.year)]
        if not self.sector_numbers:
            return [narrative.NO_SECTOR_INDICATOR]
        with_effects = self.sector_start != self.year  # effects from the base year
        out = []
        for n in self.sector_numbers:
            effects, why_not = self.effects(n) if with_effects else (None, None)
            out.append(
                narrative.sector_sentence(
                    self.shares(n), self.park.standard.items, effects, why_not
                )
            )
        return out

    def sector_table(self) -> pd.DataFrame | None:
        """Sector shares of the indicators a sector file splits, in Chinese; None without one."""
        if not self.sector_numbers:
            return None
        shares = [self.shares(n) for n in self.sector_numbers]
        return narrative.sector_table(shares, self.park.standard.items)

    def sector_chart(self) -> Chart | None:
        """Sector contributions (:func:`ecopark.plotting.sector_contributions`) of the first
        failing or at-risk indicator that a sector file splits, failing ones first; None
        without one."""
        if not self.sector_numbers:
            return None
        from ecopark.plotting import effects_note, sector_contributions

        status = dict(zip(self.gaps["number"], self.gaps["status"], strict=True))
        number = sorted(self.sector_numbers, key=lambda n: status.get(n) != "fail")[0]
        effects, why_not = self.effects(number)
        note = (
            "" if why_not is None else effects_note(why_not, number, self.sector_start, self.year)
        )
        fig = sector_contributions(
            self.shares(number), effects, standard=self.park.standard, note=note
        )
        name = self.park.standard.indicator(number).name_zh
        return self._noted(fig, f"分行业分解：{number} {name}各行业的占比与贡献")

    def by_sector(self) -> Section:
        """By sector: sentences, the chart and the table of shares."""
        return Section(*texts(self.sector_sentences()), self.sector_chart(), self.sector_table())

    def selection_advice(self) -> Section:
        """The selection advisor's advice and every optional indicator's margin."""
        text, table = narrative.advice(self.advice, self.park.standard)
        return Section(Text(text), table)

    # 03 趋势

    def trend_summary(self) -> Section:
        """Sentences on every indicator with a fitted trend, and the trend table."""
        sentences, table = narrative.trend_summary(
            self.fits, self.years, self.assessment.rules.places
        )
        return Section(*texts(sentences), table)

    def trend_numbers(self, limit: int = 4) -> list[int]:
        """The indicators worth a trend chart (:func:`ecopark.reports.narrative.trend_numbers`)."""
        return narrative.trend_numbers(self.fits, self.problem_numbers, limit)

    def trend_charts(self) -> Chart | Text:
        """The trends of :meth:`trend_numbers`, two per row in one figure, or a sentence saying
        there is nothing to chart."""
        numbers = self.trend_numbers()
        if not numbers:
            return Text("没有需要绘制趋势图的指标（无未达标或临界指标，或其只有一年的数值）。")
        from ecopark.plotting import TEXT_WIDTH_IN, new_figure, trend_chart

        ncols = min(2, len(numbers))
        nrows = (len(numbers) + ncols - 1) // ncols
        # the page's text width, two charts per row (their labels print at their size)
        fig, axes = new_figure(nrows, ncols, figsize=(TEXT_WIDTH_IN, 3.6 * nrows))
        for ax, n in zip(axes.flat, numbers, strict=False):
            trend_chart(self.series, self.fits, n, ax=ax)
        for ax in list(axes.flat)[len(numbers) :]:
            ax.set_visible(False)
        names = "、".join(f"{n} {self.park.standard.indicator(n).name_zh}" for n in numbers)
        return self._noted(fig, f"趋势图：{names}的逐年数值、要求与拟合趋势")


def open_report(
    park_id: str, year: int, data_dir: str | Path = "data", standard: str | None = None
) -> ReportSession:
    """Load a park-year from the notebook parameters, with clear messages.

    A relative ``data_dir`` is looked for from the current folder upward
    (:func:`~ecopark.reports.datadir.find_data_dir`), so a notebook runs from the repository
    root and from ``notebooks/`` alike. ``standard`` (a code or id) is the one of the park's
    standards the report assesses it against; None: the first park.yaml lists.

    Raises
    ------
    ParamsError
        When a parameter is of the wrong type or names a park, year or standard that does not
        exist (an unknown standard: the message lists the known ones and the park's).
    """
    if not isinstance(park_id, str) or not park_id:
        raise ParamsError(
            f"park_id must be a park folder name such as 'nantong-etdz', got {park_id!r}"
        )
    if isinstance(year, bool) or not isinstance(year, int):
        raise ParamsError(f"year must be an integer such as 2021, got {year!r}")
    data_dir = find_data_dir(data_dir, ".", park_id)
    check_park_year(park_id, year, data_dir, "parameters")
    if standard is not None:
        standard = check_standard(data_dir / park_id, standard, "parameters")
    pd.set_option("display.max_rows", 1000)  # tables in a report are shown whole
    return ReportSession(load_park(data_dir / park_id, standard), year)
