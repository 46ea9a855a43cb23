"""`run_batch` with a fake runner: ordering, summary.csv, index.html, failures, timeouts, retries.

The fake runner returns canned results at once, so the orchestration (targets → jobs →
executor → reports, summary and index) is tested without a kernel; the real kernels are in
test_batch_kernel.py.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ecopark.reports import batch
from ecopark.reports.batch import InProcess, Job, JobResult, LocalPool, Outcome
from ecopark.reports.batch.index import render_index
from ecopark.reports.catalog import DEFAULT_NOTEBOOKS
from reports_support import ROOT, SCRIPT, XSS_PARK, make_xss_park

DATA = ROOT / "data"
NOTEBOOKS = batch.resolve_notebooks()


@dataclass
class FakeRunner:
    """A runner that returns a canned result at once and records the jobs it was given.

    ``canned`` maps a notebook stem to (status, error, attempts); the others succeed. A notebook
    in ``no_html`` yields no HTML (as when the kernel could not even start).
    """

    canned: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    no_html: set[str] = field(default_factory=set)
    seen: list[Job] = field(default_factory=list)

    def __call__(self, job: Job) -> JobResult:
        self.seen.append(job)
        status, error, attempts = self.canned.get(job.notebook, ("ok", "", 1))
        outcome = Outcome(job.park, job.year, job.notebook, status, 1.234, error, attempts)
        html = None if job.notebook in self.no_html else f"<h1>{job.heading}</h1>".encode()
        return JobResult(outcome, ipynb=f'{{"nb": "{job.notebook}"}}\n'.encode(), html=html)


@dataclass(frozen=True)
class Reversed:
    """An executor whose jobs finish in the reverse order of submission."""

    remote: bool = False

    def __call__(self, runner, jobs: list[Job]) -> Iterator[JobResult]:
        return iter([runner(job) for job in reversed(jobs)])


def _summary(out: Path) -> list[dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _run(targets, out: Path, runner: FakeRunner | None = None, **kw) -> list[Outcome]:
    kw.setdefault("executor", InProcess())
    return batch.run_batch(
        targets, NOTEBOOKS, out_dir=out, progress=False, runner=runner or FakeRunner(), **kw
    )


def _params(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _targets(tmp_path: Path) -> list[batch.Target]:
    """Nantong 2021, a broken params file, and Nantong 2018, in that order."""
    folder = tmp_path / "params"
    files = [
        _params(folder, "a.yaml", f"park_id: nantong-etdz\nyear: 2021\ndata_dir: {DATA}\n"),
        _params(folder, "b.yaml", "park_id: nantong-etdz\nyear: twenty-one\n"),
        _params(folder, "c.yaml", f"park_id: nantong-etdz\nyear: 2018\ndata_dir: {DATA}\n"),
    ]
    return batch.targets_from_params(files)


def test_jobs_heaviest_first_rows_in_target_then_notebook_order(tmp_path):
    runner = FakeRunner()
    out = tmp_path / "out"
    outcomes = _run(_targets(tmp_path), out, runner, executor=Reversed())
    # submitted by the catalogue's weights (02, 03, 01), each notebook for every park-year
    assert [(j.notebook, j.year) for j in runner.seen[::-1]] == [
        ("02_why_indicators_fail", 2021),
        ("02_why_indicators_fail", 2018),
        ("03_trends", 2021),
        ("03_trends", 2018),
        ("01_assessment", 2021),
        ("01_assessment", 2018),
    ]
    # returned in the order they came (the broken target's row first), written in order
    assert [(o.year, o.notebook) for o in outcomes] == [("", "")] + [
        (j.year, j.notebook) for j in runner.seen
    ]
    rows = _summary(out)
    assert list(rows[0]) == ["park", "year", "notebook", "status", "seconds", "error"]
    assert [(r["park"], r["year"], r["notebook"], r["status"]) for r in rows] == [
        ("nantong-etdz", "2021", nb, "ok") for nb in DEFAULT_NOTEBOOKS
    ] + [("b", "", "", "failed")] + [("nantong-etdz", "2018", nb, "ok") for nb in DEFAULT_NOTEBOOKS]
    assert {r["seconds"] for r in rows if r["notebook"]} == {"1.23"}
    assert (out / "summary.csv").read_bytes().startswith("\ufeffpark,".encode())


def test_broken_params_become_failed_rows_and_run_nothing(tmp_path):
    runner = FakeRunner()
    out = tmp_path / "out"
    outcomes = _run(_targets(tmp_path), out, runner)
    assert {(j.park, j.year) for j in runner.seen} == {
        ("nantong-etdz", 2021),
        ("nantong-etdz", 2018),
    }
    broken = [o for o in outcomes if not o.ok]
    assert len(broken) == 1
    assert (broken[0].park, broken[0].year, broken[0].notebook, broken[0].status) == (
        "b",
        "",
        "",
        "failed",
    )
    assert "year must be an integer such as 2021, got 'twenty-one'" in broken[0].error
    row = next(r for r in _summary(out) if r["park"] == "b")
    assert row["error"] == broken[0].error and row["seconds"] == "0.00"
    text = batch.summary_text(outcomes, out)
    assert text.splitlines()[0].startswith("ecopark run: 7 job(s), 6 ok, 1 failed; reports in ")
    assert "  FAILED b: " in text and "twenty-one" in text


def test_a_park_that_does_not_load_fails_its_targets_only(tmp_path):
    data = tmp_path / "data"
    (data / "bad-park").mkdir(parents=True)
    (data / "bad-park" / "park.yaml").write_text(
        "id: bad-park\nbase_year: soon\n", encoding="utf-8"
    )
    (data / "bad-park" / "2021.csv").write_text("item,value,unit\n", encoding="utf-8")
    (data / "nantong-etdz").symlink_to(DATA / "nantong-etdz")
    targets = batch.targets_for_park("bad-park", [2021], data) + batch.targets_for_park(
        "nantong-etdz", [2021], data
    )
    runner = FakeRunner()
    outcomes = _run(targets, tmp_path / "out", runner)
    assert {j.park for j in runner.seen} == {"nantong-etdz"}
    bad = [o for o in outcomes if o.park == "bad-park"]
    assert [(o.notebook, o.status) for o in bad] == [("", "failed")]
    assert "park.yaml" in bad[0].error
    assert targets[0].error == bad[0].error
    assert [o.status for o in outcomes if o.park == "nantong-etdz"] == ["ok"] * 3


def test_each_park_is_loaded_once_for_headers_and_verdicts(tmp_path, monkeypatch):
    import ecopark.engine
    import ecopark.io.park

    loads, assessed = [], []
    real_load, real_assess = ecopark.io.park.load_park, ecopark.engine.assess

    def load(path):
        loads.append(Path(path))
        return real_load(path)

    def assess(park, year, *args, **kw):
        assessed.append((id(park), year))
        return real_assess(park, year, *args, **kw)

    monkeypatch.setattr(ecopark.io.park, "load_park", load)
    monkeypatch.setattr(ecopark.engine, "assess", assess)
    targets = batch.targets_for_park("nantong-etdz", None, DATA)  # 2018 and 2021
    _run(targets, tmp_path / "out")
    assert loads == [(DATA / "nantong-etdz").resolve()]
    assert sorted(y for _, y in assessed) == [2018, 2021]
    assert len({p for p, _ in assessed}) == 1  # the same Park for both years
    assert [t.compliant for t in targets] == [None, True]  # 2018 only supplies history: not judged
    assert targets[1].verdict.startswith("南通经济技术开发区（2021 年）：符合 HJ 274-2015 的要求。")


def test_jobs_carry_parameters_heading_sources_and_kernel_choice(tmp_path):
    targets = batch.targets_for_park("nantong-etdz", [2021], DATA)
    runner = FakeRunner()
    _run(targets, tmp_path / "out", runner)
    job = next(j for j in runner.seen if j.notebook == "01_assessment")
    assert job.parameters == {
        "park_id": "nantong-etdz",
        "year": 2021,
        "data_dir": str(DATA.resolve()),
    }
    assert job.heading == "南通经济技术开发区 2021 年 考核表"
    assert job.sources[0].startswith("南通经济技术开发区国家生态工业示范园区建设2021年度评价报告")
    assert job.sources[-1] == "数据文件：" + "，".join(
        f"nantong-etdz/{y}.csv" for y in (2015, 2018, 2021)
    )
    assert job.cwd == str(NOTEBOOKS[0].parent)
    assert job.notebook_json == NOTEBOOKS[0].read_text(encoding="utf-8")
    assert (job.cell_timeout, job.notebook_timeout) == (300.0, 900.0)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", job.generated)
    assert job.reuse_kernel and job.data_files is None
    assert not any(j.keep_ipynb for j in runner.seen)

    runner = FakeRunner()
    _run(targets, tmp_path / "fresh", runner, fresh_kernels=True, cell_timeout=5, keep_ipynb=True)
    assert not any(j.reuse_kernel for j in runner.seen)
    assert all(j.keep_ipynb for j in runner.seen)
    assert {j.cell_timeout for j in runner.seen} == {5}

    runner = FakeRunner()
    both = batch.targets_for_park("nantong-etdz", None, DATA)  # 2018 and 2021
    _run(both, tmp_path / "remote", runner, executor=Reversed(remote=True))
    job = runner.seen[0]
    assert all(j.reuse_kernel for j in runner.seen)  # Dask workers keep a warm kernel too
    assert {j.year for j in runner.seen} == {2018, 2021}
    assert all(j.data_files is job.data_files for j in runner.seen)  # the park read once
    assert sorted(job.data_files) == sorted(
        str(p.relative_to(DATA))
        for p in (DATA / "nantong-etdz").rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )
    assert job.data_files["nantong-etdz/2021.csv"] == (DATA / "nantong-etdz/2021.csv").read_bytes()


def test_failures_timeouts_and_retries_are_reported(tmp_path):
    runner = FakeRunner(
        canned={
            "02_why_indicators_fail": ("failed", "cell [3]: ValueError: 坏 <b>", 1),
            "03_trends": ("timeout", "超过每个笔记本 900 s 的时限，已终止（notebook timeout）", 1),
            "01_assessment": ("ok", "", 2),
        },
        no_html={"03_trends"},
    )
    out = tmp_path / "out"
    seen: list[Outcome] = []
    targets = batch.targets_for_park("nantong-etdz", [2021], DATA)
    outcomes = _run(targets, out, runner, on_result=seen.append)
    assert seen == outcomes
    got = {o.notebook: o for o in outcomes}
    assert got["01_assessment"].ok and got["01_assessment"].attempts == 2
    assert [r["status"] for r in _summary(out)] == ["ok", "failed", "timeout"]
    assert _summary(out)[1]["error"] == "cell [3]: ValueError: 坏 <b>"
    # what the runner produced is written; what it did not is not
    base = out / "nantong-etdz" / "2021"
    assert (base / "01_assessment.ipynb").read_bytes() == b'{"nb": "01_assessment"}\n'
    assert (base / "02_why_indicators_fail.html").is_file()
    assert (base / "03_trends.ipynb").is_file() and not (base / "03_trends.html").exists()
    assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []
    index = (out / "index.html").read_text(encoding="utf-8")
    row = next(r for r in index.split("<tr") if "nantong-etdz" in r)
    assert 'class="failed-row"' in row
    # a failed report is linked (it is the log); a timed-out one without HTML is not
    assert (
        '<a href="nantong-etdz/2021/02_why_indicators_fail.html">未达标指标成因分析</a>'
        ' <span class="failed">（失败）</span>'
    ) in row
    assert '<br>趋势 <span class="failed">（超时）</span>' in row
    assert 'href="nantong-etdz/2021/03_trends.html"' not in row
    # the problems column says what went wrong in Chinese; the details are in summary.csv
    assert (
        '<span class="problems">「未达标指标成因分析」运行出错</span><br>'
        '<span class="problems">「趋势」超时，已终止</span></td>'
    ) in row
    assert "ValueError" not in index and "notebook timeout" not in index
    assert "2 项失败" in index and "共 1 个园区年度，3 项" in index
    text = batch.summary_text(outcomes, out)
    assert "FAILED nantong-etdz 2021 03_trends: 超过每个笔记本 900 s" in text


def test_a_runner_that_raises_fails_its_job_only(tmp_path):
    def runner(job: Job) -> JobResult:
        if job.notebook == "03_trends":
            raise RuntimeError("boom")
        return FakeRunner()(job)

    outcomes = _run(batch.targets_for_park("nantong-etdz", [2021], DATA), tmp_path / "o", runner)
    got = {o.notebook: (o.status, o.error) for o in outcomes}
    assert got == {
        "02_why_indicators_fail": ("ok", ""),
        "03_trends": ("failed", "runner failed: RuntimeError: boom"),
        "01_assessment": ("ok", ""),
    }


def _dies_on_trends(job: Job) -> JobResult:
    """A runner (picklable, for the pool) whose worker process dies on 03_trends."""
    if job.notebook == "03_trends":
        os._exit(3)
    return FakeRunner()(job)


def _freeze(jobs: list) -> None:
    """A prepare step that freezes this process's objects, as job.warm_up does."""
    import gc

    gc.collect()
    gc.freeze()


def test_the_pool_leaves_this_process_unfrozen_once_its_workers_are_forked(tmp_path):
    """warm_up freezes the parent's objects (gc.freeze) so that the forked workers never walk
    them; the parent, which may be a user's kernel, collects its own objects again after."""
    import gc

    assert gc.get_freeze_count() == 0
    targets = batch.targets_for_park("nantong-etdz", [2021], DATA)
    outcomes = _run(targets, tmp_path / "ok", executor=LocalPool(2, prepare=_freeze))
    assert all(o.ok for o in outcomes)
    assert gc.get_freeze_count() == 0
    # ``ecopark run``'s process ends with the batch: it keeps them frozen (its exit walks fewer)
    try:
        outcomes = _run(targets, tmp_path / "cli", executor=LocalPool(2, _freeze, thaw=False))
        assert all(o.ok for o in outcomes)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_warm_up_imports_the_documents_libraries_only_for_jobs_that_make_them(monkeypatch):
    """The pool's warm-up imports python-docx and openpyxl when a job makes documents (and when
    it is not told the jobs: a Dask worker's), with the collector off while it imports, and
    leaves the process's objects frozen and the collector on."""
    import gc

    from ecopark.reports import documents
    from ecopark.reports.batch.job import warm_up

    calls: list[bool] = []
    monkeypatch.setattr(documents, "warm_up_documents", lambda: calls.append(gc.isenabled()))
    job = Job("p", 2021, "01_assessment", "{}", {})
    assert gc.isenabled() and gc.get_freeze_count() == 0
    try:
        warm_up([job, job])
        assert calls == []
        assert gc.isenabled() and gc.get_freeze_count() > 0
        warm_up([job, dataclasses.replace(job, documents=True)])
        assert calls == [False]
        warm_up()
        assert calls == [False, False]
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_the_batch_command_keeps_every_format_library_of_jsonschema_out(monkeypatch):
    """``ecopark run`` and ``report`` keep jsonschema from importing each library its format
    checker would (none is used by a notebook schema); a process jsonschema serves keeps them."""
    from ecopark.reports.batch.kernel import FORMAT_LIBRARIES, skip_iri_grammars

    assert {"rfc3987_syntax", "uri_template", "isoduration", "webcolors"} <= set(FORMAT_LIBRARIES)
    for name in FORMAT_LIBRARIES:
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setitem(sys.modules, "jsonschema", sys.modules.get("jsonschema", object()))
    skip_iri_grammars()
    assert not any(name in sys.modules for name in FORMAT_LIBRARIES)
    monkeypatch.delitem(sys.modules, "jsonschema")
    skip_iri_grammars()
    assert all(sys.modules[name] is None for name in FORMAT_LIBRARIES)


def test_the_progress_bar_counts_the_notebooks_on_stderr_only_when_asked(tmp_path, capsys):
    targets = batch.targets_for_park("nantong-etdz", [2021], DATA)
    batch.run_batch(
        targets, NOTEBOOKS, tmp_path / "a", InProcess(), progress=True, runner=FakeRunner()
    )
    err = capsys.readouterr().err
    assert "ecopark run" in err and f"{len(NOTEBOOKS)}/{len(NOTEBOOKS)}" in err
    targets = batch.targets_for_park("nantong-etdz", [2021], DATA)
    _run(targets, tmp_path / "b")
    assert capsys.readouterr().err == ""


def test_local_pool_runs_the_jobs_and_a_dead_worker_fails_its_jobs(tmp_path):
    targets = batch.targets_for_park("nantong-etdz", [2021], DATA)
    outcomes = _run(targets, tmp_path / "ok", executor=LocalPool(2, prepare=None))
    assert sorted(o.notebook for o in outcomes) == sorted(DEFAULT_NOTEBOOKS)
    assert all(o.ok for o in outcomes)
    assert (tmp_path / "ok" / "nantong-etdz" / "2021" / "03_trends.html").is_file()

    targets = batch.targets_for_park("nantong-etdz", [2021], DATA)
    outcomes = _run(
        targets, tmp_path / "dead", _dies_on_trends, executor=LocalPool(2, prepare=None)
    )
    got = {o.notebook: o for o in outcomes}
    assert sorted(got) == sorted(DEFAULT_NOTEBOOKS)
    assert got["03_trends"].status == "failed"
    assert got["03_trends"].error.startswith("worker process failed: BrokenProcessPool")
    assert [r["notebook"] for r in _summary(tmp_path / "dead")] == list(DEFAULT_NOTEBOOKS)


def test_executor_for_the_command_line():
    assert batch.executor_for(None, None) == LocalPool(None, thaw=False)
    assert batch.executor_for(3, None) == LocalPool(3, thaw=False)
    dask = batch.executor_for(3, "tcp://host:8786")
    assert dask == batch.Dask("tcp://host:8786") and dask.remote
    assert not LocalPool().remote and not InProcess().remote


def test_index_all_done_escaped_and_linked(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    make_xss_park(data)
    targets = batch.targets_for_park(XSS_PARK, [2021], data)
    out = tmp_path / "out"
    _run(targets, out)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.startswith('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">')
    assert "<title>国家生态工业示范园区 评价报告索引</title>" in index
    assert re.search(r"<p>生成日期：\d{4}-\d\d-\d\d \d\d:\d\d；依据 HJ 274-2015；", index)
    assert "共 1 个园区年度，3 项，全部完成。" in index
    assert '<a href="summary.csv">运行摘要 summary.csv</a>' in index
    assert 'href="xss-park/2021/01_assessment.html">考核表</a>' in index
    assert '<td><span class="ok">完成</span></td></tr>' in index
    assert "--park" not in index  # where the request came from is the run's, not the reader's
    assert 'class="failed-row"' not in index and "http" not in index
    assert index.endswith("</html>\n")


def test_index_escapes_every_value(tmp_path):
    target = batch.Target(
        park="p<1>",
        year=2021,
        source=f"params/{SCRIPT}.yaml",
        error=f"park {SCRIPT} not found",
        name=SCRIPT,
        outcomes=[Outcome("p<1>", 2021, "", "failed", error=SCRIPT)],
    )
    judged = batch.Target(
        park="q",
        year=2020,
        source="s",
        name="Q & Co",
        verdict=f"不符合：{SCRIPT}\n第二行",
        compliant=False,
        outcome="not_compliant",
        outcomes=[Outcome("q", 2020, '01_"x"', "failed", error=f"{SCRIPT}")],
    )
    html = render_index([target, judged], tmp_path, generated="2024-01-02 03:04")
    assert SCRIPT not in html and "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;<br><small>p&lt;1&gt;</small></td>" in html
    assert '<span class="fail">无法运行</span><div class="verdict"></div>' in html
    assert '<span class="problems">未运行：参数文件有误或所指的园区、年份不存在</span>' in html
    assert "params/" not in html and "not found" not in html
    assert '<span class="fail">不符合</span><div class="verdict">不符合：&lt;script&gt;' in html
    assert "Q &amp; Co" in html and "01_&#34;x&#34; <span" in html
    assert "生成日期：2024-01-02 03:04；" in html and "2 项失败" in html


@pytest.mark.parametrize(
    ("outcome", "verdict", "word", "cls"),
    [
        ("compliant", "符合", "符合", "ok"),
        ("not_compliant", "不符合", "不符合", "fail"),
        ("not_assessable", "不具备", "不具备评价条件", "fail"),  # a gate tier (基本要求) failed
        ("not_judged", "基准年", "不作评价", "fail"),
        (None, "x", "无法评价", "fail"),
    ],
)
def test_index_verdict_words(tmp_path, outcome, verdict, word, cls):
    t = batch.Target(park="p", year=2021, source="s", verdict=verdict, outcome=outcome)
    html = render_index([t], tmp_path)
    assert f'<td><span class="{cls}">{word}</span><div class="verdict">{verdict}</div></td>' in html
    assert "<td>—</td>" in html  # no notebook ran


def test_a_bad_year_file_stops_only_the_park_years_that_read_it(tmp_path):
    """Each park is validated once; 2022.csv broken stops 2022 and 2023, not 2019-2021."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(DATA / "example-park", data / "example-park")
    (data / "example-park" / "2022.csv").write_text(
        "item,value,unit\nvalue_added,-5,万元\n", encoding="utf-8"
    )
    targets = batch.targets_for_park("example-park", [2019, 2020, 2021, 2022, 2023], data)
    runner = FakeRunner()
    _run(targets, tmp_path / "out", runner)
    errors = {t.year: t.error for t in targets}
    assert [y for y, e in errors.items() if e] == [2022, 2023]
    assert "2022.csv, line 2" in errors[2022] and "value_added" in errors[2022]
    assert sorted({j.year for j in runner.seen}) == [2019, 2020, 2021]


def test_a_year_that_is_not_judged_says_so_in_the_index(tmp_path):
    """Nantong 2018 only supplies history: 不作评价 in the index, as in `ecopark assess`."""
    targets = batch.targets_for_park("nantong-etdz", [2018, 2021], DATA)
    _run(targets, tmp_path / "out")
    assert [t.judged for t in targets] == [False, True]
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "不作评价" in index and "不符合" not in index


@pytest.mark.slow  # a fake browser (a subprocess) that never prints
def test_a_signal_while_a_report_prints_marks_it_interrupted(tmp_path, monkeypatch):
    """Ctrl-C while a notebook's PDF prints: that notebook is unfinished (``interrupted``),
    like those not yet run, so that every notebook is in summary.csv and the count adds up;
    the hung browser is ended."""
    import signal
    import threading

    from browser import fake_chromium
    from ecopark.reports import chromium

    monkeypatch.setattr(chromium, "_kept", {})
    monkeypatch.setenv("ECOPARK_CHROMIUM", str(fake_chromium(tmp_path)))
    monkeypatch.setenv("FAKE_BROWSER", "hang-print")  # loads the page, never answers the print
    out = tmp_path / "out"
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(batch.BatchStopped) as stopped:
            _run(batch.targets_for_park("nantong-etdz", [2021], DATA), out, pdf=True)
        left = dict(chromium._kept)  # the interrupted print ended its browser itself
    finally:
        timer.cancel()
        chromium.close_kept(kill=True)
    assert stopped.value.status == 130
    assert "interrupted by SIGINT; 0 of 3 notebook report(s) written, 3 marked" in str(
        stopped.value
    )
    rows = _summary(out)
    assert sorted(r["notebook"] for r in rows) == sorted(DEFAULT_NOTEBOOKS)
    assert {r["status"] for r in rows} == {"interrupted"}
    assert left == {} and not list(out.rglob("*.pdf"))
