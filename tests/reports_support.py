"""One batch run of the report notebooks, shared by the notebook, batch, HTML and wheel tests.

`ecopark run` (the CLI, in a subprocess) over: Nantong 2021, an example-park year, a copy of
the example park whose every text is hostile (:func:`make_xss_park`: scripts, links, Markdown,
Jinja, formulas, control characters), and one broken params file.
It is the command of the wheel built from this checkout and installed in a fresh venv
(:func:`install_wheel`), run outside the repository, as a user who installed ecopark runs it;
where the wheel cannot be built offline (setuptools older than 77), the checkout's.
It runs once per test run, whichever test asks first, also when xdist's workers run the tests.
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import dataclasses
import functools
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecopark.reports.catalog import DEFAULT_NOTEBOOKS

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
NOTEBOOKS = DEFAULT_NOTEBOOKS
EXAMPLE_YEARS = (2023,)
SCRIPT = "<script>alert(1)</script>"
XSS_PARK = "xss-park"


@dataclass(frozen=True)
class BatchRun:
    out: Path
    data: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    summary: list[dict]
    #: The venv the wheel was installed in, whose ``ecopark`` ran; "" when the checkout's ran.
    venv: str = ""

    def report(self, park: str, year: int, notebook: str, suffix: str = ".html") -> Path:
        return self.out / park / str(year) / f"{notebook}{suffix}"


def good_park_years() -> list[tuple[str, int]]:
    """The park-years the session run must report on successfully."""
    out = [("nantong-etdz", 2021)]
    if (DATA / "example-park" / "park.yaml").is_file():
        out += [("example-park", y) for y in EXAMPLE_YEARS]
    return out + [(XSS_PARK, 2021)]


#: Every kind of hostile text a data file may hold; each carries ``PWN``, so that a test can
#: tell whether any of it became markup (an attribute, a link, an image) instead of text.
HOSTILE = (
    "<script>document.title='PWN-script'</script>",
    "<img src=x onerror=\"document.title='PWN-img'\">",
    "<svg onload=document.title='PWN-svg'></svg>",
    "<a href=\"javascript:document.title='PWN-a'\">点击</a>",
    "[点击查看](javascript:document.title='PWN-mdlink')",
    "![PWN-mdimg](/etc/hostname)",
    "![PWN-remote](https://evil.example/PWN.png)",
    "[PWN-data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<https://evil.example/PWN-autolink> www.evil.example/PWN-www",
    "**PWN-bold** _PWN-em_ `PWN-code` ~~PWN-del~~",
    "# PWN-heading",
    "$\\alert{PWN-math}$",
    "{{ 7*7 }} {% if 1 %}PWN-jinja{% endif %} {# PWN-comment #}",
    '=HYPERLINK("https://evil.example/PWN","点击")',
    "+cmd|' /C calc'!PWN",
    "-2+3+cmd|' /C calc'!PWN",
    "@SUM(1+1)*cmd|' /C calc'!PWN",
    "PWN-control\x07\x1b[31m\x08end",
    "长" * 3000 + "PWN-long",
)
#: The hostile park's name: a Markdown link, an image, a script and a formula in one.
HOSTILE_NAME = "=HYPERLINK(\"x\")[示例](javascript:document.title='PWN-name')<b>PWN</b>![i](x.png)"


def _yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (control characters as escapes)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def make_xss_park(data: Path) -> Path:
    """A copy of the example park under ``data/xss-park`` whose every text is hostile.

    ``<script>alert(1)</script>`` is in the source and in the note of the first item of 2021;
    the name, description, the other notes and the sector names hold :data:`HOSTILE`.
    """
    park = data / XSS_PARK
    source = DATA / "example-park"
    shutil.copytree(source, park)
    lines = []
    for line in (park / "park.yaml").read_text(encoding="utf-8").splitlines():
        key = line.split(":", 1)[0]
        if key == "id":
            line = f"id: {XSS_PARK}"
        elif key == "name":
            line = f"name: {_yaml_quoted(HOSTILE_NAME)}"
        elif key == "description":
            line = f"description: {_yaml_quoted(' '.join(HOSTILE[:-1]))}"
        elif key == "source":
            line = f"source: {_yaml_quoted(SCRIPT + ' ' + HOSTILE[4] + ' ' + HOSTILE[13])}"
        lines.append(line)
    (park / "park.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for path in sorted(park.glob("*.csv")):
        rows = path.read_text(encoding="utf-8").splitlines()
        for i in range(1, len(rows)):
            note = HOSTILE[i % len(HOSTILE)]
            if path.name == "2021.csv" and i == 1:
                note = f"注释 {SCRIPT} 结束"
            rows[i] = rows[i].rsplit(",", 1)[0] + "," + _csv_field(note)
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    sectors = sorted(
        {
            r.split(",", 1)[0]
            for r in (park / "sectors" / "2021.csv").read_text(encoding="utf-8").splitlines()[1:]
        }
    )
    rename = {name: HOSTILE[i][:60] + f" {name}" for i, name in enumerate(sectors)}
    for path in sorted((park / "sectors").glob("*.csv")):
        rows = path.read_text(encoding="utf-8").splitlines()
        for i in range(1, len(rows)):
            sector, rest = rows[i].split(",", 1)
            rows[i] = _csv_field(rename.get(sector, sector)) + "," + rest
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return park


def _csv_field(text: str) -> str:
    import csv as _csv
    import io

    buf = io.StringIO()
    _csv.writer(buf, lineterminator="").writerow([text])
    return buf.getvalue()


#: The environment variable naming one test run (set by conftest in the process that starts
#: xdist's workers, which inherit it): the processes of a run share :func:`shared_dir`.
RUN_ID = "ECOPARK_TEST_RUN"


def shared_dir() -> Path:
    """The folder the processes of this test run share; conftest removes it at the end."""
    run = os.environ.get(RUN_ID)
    if run is None:  # not under pytest's conftest: this process alone, removed at exit
        run = f"{os.getpid()}-alone"
        atexit.register(shutil.rmtree, Path(tempfile.gettempdir()) / f"ecopark-tests-{run}", True)
    return Path(tempfile.gettempdir()) / f"ecopark-tests-{run}"


@contextlib.contextmanager
def _exclusive(path: Path):
    """Hold an exclusive lock on ``path`` (the processes of a run take turns); without
    ``fcntl`` (Windows), no lock: the callers then work alone or write whole files."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with path.open("w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def shared_folder(name: str) -> Path:
    """The folder in :func:`shared_dir` of the work ``name`` done once for the test run; one per
    process where there is no lock (no ``fcntl``, Windows: see :func:`_exclusive`)."""
    try:
        import fcntl  # noqa: F401
    except ImportError:
        folder = shared_dir() / name / str(os.getpid())
    else:
        folder = shared_dir() / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def once_per_run(name: str, compute: Callable[[Path], Any]) -> Any:
    """``compute(folder)``, a JSON-able result, once for the test run: under pytest-xdist the
    first process to ask computes it in :func:`shared_folder`, holding its lock, and records it
    there; the others wait for the lock and read the record."""
    folder = shared_folder(name)
    record = folder / "record.json"
    with _exclusive(folder / "lock"):
        if not record.is_file():
            record.write_text(json.dumps(compute(folder), default=str), encoding="utf-8")
    return json.loads(record.read_text(encoding="utf-8"))


@functools.cache
def batch_run() -> BatchRun:
    """Run `ecopark run` once for the test run (:func:`once_per_run`) and return where and how
    it went."""
    fields = once_per_run("batch-run", lambda folder: dataclasses.asdict(_batch_run(folder)))
    return BatchRun(**{**fields, "out": Path(fields["out"]), "data": Path(fields["data"])})


def report_pdf(park: str, year: int, notebook: str) -> Path:
    """A report of :func:`batch_run` printed by :func:`ecopark.reports.pdf.print_pdf` (as
    ``ecopark run --pdf`` prints it), once for the test run: the tests that read the same PDF
    share it, as they share the batch run. Without ``fcntl`` (Windows) two processes may both
    print it; print_pdf writes it whole or not at all."""
    from ecopark.reports.pdf import print_pdf

    report = batch_run().report(park, year, notebook)
    folder = shared_dir() / "batch-pdf"
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / f"{park}-{year}-{notebook}.pdf"
    with _exclusive(folder / "lock"):
        if not pdf.is_file():
            print_pdf(report, pdf)
    return pdf


#: The reports whose print another test reads as ``ecopark run --pdf`` prints it
#: (:func:`report_pdf`): :func:`report_render` takes their PDF from there, printed once.
PRODUCT_PRINTED = {("nantong-etdz", 2021, "01_assessment")}
#: The window of :func:`report_render`'s screenshot [CSS px].
RENDER_WINDOW = (1280, 1600)


def report_render(park: str, year: int, notebook: str) -> tuple[Path, Path]:
    """A report of :func:`batch_run` printed and seen in headless Chromium: (its A4 PDF, a PNG
    of a :data:`RENDER_WINDOW` window), once for the test run, shared by the tests that read
    them. One load prints the page and takes its screenshot (:func:`browser.render`); a report
    of :data:`PRODUCT_PRINTED` is only seen here, its PDF being :func:`report_pdf`'s."""
    from browser import render

    report = batch_run().report(park, year, notebook)
    folder = shared_dir() / "batch-render"
    folder.mkdir(parents=True, exist_ok=True)
    png = folder / f"{park}-{year}-{notebook}.png"
    product = (park, year, notebook) in PRODUCT_PRINTED
    pdf = report_pdf(park, year, notebook) if product else png.with_suffix(".pdf")
    with _exclusive(folder / "lock"):
        if not png.is_file():
            part = png.with_suffix(".part.png")  # renamed when whole: a killed render is redone
            render(report, pdf=None if product else pdf, screenshot=part, window=RENDER_WINDOW)
            part.replace(png)
    return pdf, png


@dataclass(frozen=True)
class PortfolioRun:
    """Notebook 04 run once by papermill over Nantong, the example park and the hostile park."""

    notebook: Path  # the executed notebook
    data: Path  # the data folder it ran over
    year: int


def portfolio_run() -> PortfolioRun:
    """Run notebook 04 (in this process, by ``papermill.execute_notebook``) over Nantong, the
    example park and :func:`make_xss_park` for 2021, once for the test run: the portfolio tests
    read the same executed notebook, shared between xdist's workers as :func:`batch_run` is."""
    folder = shared_folder("portfolio-run")
    run = PortfolioRun(folder / "04.ipynb", folder / "data", 2021)
    with _exclusive(folder / "lock"):
        if not run.notebook.is_file():
            _portfolio_run(run)
    return run


def _portfolio_run(run: PortfolioRun) -> None:
    import papermill as pm

    shutil.rmtree(run.data, ignore_errors=True)
    run.data.mkdir()
    for name in ("nantong-etdz", "example-park"):
        if (DATA / name).is_dir():
            (run.data / name).symlink_to(DATA / name)
    make_xss_park(run.data)
    partial = run.notebook.with_suffix(".partial.ipynb")
    pm.execute_notebook(
        str(ROOT / "notebooks" / "04_portfolio.ipynb"),
        str(partial),
        parameters={"data_dir": str(run.data), "year": run.year},
        cwd=str(ROOT / "notebooks"),
        kernel_name="python3",
        progress_bar=False,
    )
    partial.replace(run.notebook)  # whole or not at all: a failed run is run again by the next


def _setuptools_version() -> tuple[int, ...]:
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return (0,)
    return tuple(int(x) for x in re.findall(r"\d+", version)[:2])


#: Why :func:`install_wheel` gives None here, or "" when it can build the wheel.
NO_WHEEL = (
    "building the wheel offline needs setuptools>=77 (the dev extra: make setup)"
    if _setuptools_version() < (77,)
    else ""
)


def clean_env() -> dict[str, str]:
    """This environment without ``PYTHONPATH`` and ``MPLBACKEND``: a checkout on the path (with
    its ``ecopark.egg-info``) would count as installed ecopark, and the kernels choose their
    own backend."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MPLBACKEND")}


def install_wheel(tmp: Path) -> Path | None:
    """Build the wheel of this checkout (no network) and install it in a fresh venv under
    ``tmp``; return the venv, or None if :data:`NO_WHEEL`.

    The venv has ecopark only from the wheel; its dependencies are this environment's (a
    ``.pth`` file: no network), and so are nbconvert's templates (``JUPYTER_PATH``, see
    :func:`wheel_env`).
    """
    if NO_WHEEL:
        return None
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    for folder in ("ecopark", "notebooks"):
        shutil.copytree(
            ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    dist = tmp / "dist"
    dist.mkdir()
    # the build backend pyproject.toml names, called as pip calls it (PEP 517's build_wheel)
    # in one process of its own, without pip's two hook processes around it
    backend = tomllib.loads((src / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    assert backend["build-backend"] == "setuptools.build_meta", backend
    built = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from setuptools import build_meta; build_meta.build_wheel({str(dist)!r})",
        ],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=300,
        env=clean_env(),
    )
    if built.returncode != 0:
        raise RuntimeError(
            "building the wheel failed:\n" + built.stdout[-2000:] + built.stderr[-2000:]
        )
    (wheel,) = dist.glob("ecopark-*.whl")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True, timeout=120)
    venv_site = Path(
        subprocess.run(
            [
                venv / "bin" / "python",
                "-c",
                "import sysconfig; print(sysconfig.get_path('purelib'))",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (venv_site / "_deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    installed = subprocess.run(
        [*pip, "--python", venv / "bin" / "python", "install", "--no-deps", "--no-index", wheel],
        capture_output=True,
        text=True,
        timeout=300,
        env=clean_env(),
    )
    if installed.returncode != 0:
        raise RuntimeError("pip install of the wheel failed:\n" + installed.stderr[-2000:])
    return venv


def wheel_env() -> dict[str, str]:
    """The environment the venv's commands run in (:func:`clean_env`, with this environment's
    nbconvert templates: data files, as the dependencies are)."""
    return {**clean_env(), "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}


def _batch_run(tmp: Path) -> BatchRun:
    """Run `ecopark run` on the test parks into the empty folder ``tmp``: the wheel's command
    in ``tmp`` (outside the repository), or the checkout's from the repository."""
    data = tmp / "data"
    data.mkdir()
    for name in ("nantong-etdz", "example-park"):
        if (DATA / name).is_dir():
            (data / name).symlink_to(DATA / name)
    make_xss_park(data)
    params = tmp / "params"
    params.mkdir()
    for park, year in good_park_years():
        (params / f"{park}-{year}.yaml").write_text(
            f"park_id: {park}\nyear: {year}\ndata_dir: data\n", encoding="utf-8"
        )
    (params / "zz-broken.yaml").write_text(
        "park_id: nantong-etdz\nyear: twenty-one\n", encoding="utf-8"
    )
    out = tmp / "reports"
    venv = install_wheel(tmp)
    if venv is not None:
        command, cwd, env = [str(venv / "bin" / "ecopark")], tmp, wheel_env()
    else:
        command, cwd, env = [sys.executable, "-m", "ecopark.cli"], ROOT, dict(os.environ)
        env.pop("MPLBACKEND", None)
    options = ["--cell-timeout", "120", "--notebook-timeout", "300", "--keep-ipynb"]
    start = time.perf_counter()
    proc = subprocess.run(
        [*command, "run", str(params), "--out", str(out), *options],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    seconds = time.perf_counter() - start
    summary_path = out / "summary.csv"
    summary = []
    if summary_path.is_file():
        with summary_path.open(encoding="utf-8-sig", newline="") as f:
            summary = list(csv.DictReader(f))
    return BatchRun(
        out, data, proc.returncode, proc.stdout, proc.stderr, seconds, summary, str(venv or "")
    )
