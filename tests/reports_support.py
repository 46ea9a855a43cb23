"""One batch run of the report notebooks, shared by the notebook, batch and HTML tests.

`ecopark run` (the CLI, in a subprocess) over: Nantong 2021, two example-park years, a copy of
the example park whose every text is hostile (:func:`make_xss_park`: scripts, links, Markdown,
Jinja, formulas, control characters), and one broken params file.
It runs once per test session, whichever test asks first.
"""

from __future__ import annotations

import atexit
import csv
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ecopark.reports.catalog import DEFAULT_NOTEBOOKS

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
NOTEBOOKS = DEFAULT_NOTEBOOKS
EXAMPLE_YEARS = (2019, 2023)
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


@functools.cache
def batch_run() -> BatchRun:
    """Run `ecopark run` once for the session and return where and how it went."""
    tmp = Path(tempfile.mkdtemp(prefix="ecopark-batch-test-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
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
    env = dict(os.environ, MPLBACKEND="module://matplotlib_inline.backend_inline")
    env.pop("MPLBACKEND")
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ecopark.cli",
            "run",
            str(params),
            "--out",
            str(out),
            "--cell-timeout",
            "120",
            "--notebook-timeout",
            "300",
            "--keep-ipynb",
        ],
        cwd=ROOT,
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
    return BatchRun(out, data, proc.returncode, proc.stdout, proc.stderr, seconds, summary)
