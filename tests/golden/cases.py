"""The command lines whose output must stay byte-identical across refactors.

``python tests/golden/cases.py --record`` rewrites ``tests/golden/out/`` from the current code;
``tests/test_golden.py`` compares against it. Record only when a change of output is intended and
say so in the commit message.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "out"

PARKS = {
    "nantong-etdz": [2015, 2018, 2021],
    "example-park": list(range(2015, 2024)),
}


def cases() -> list[tuple[str, list[str]]]:
    """(file name, argv) for every recorded command."""
    out: list[tuple[str, list[str]]] = []
    for park, years in PARKS.items():
        folder = f"data/{park}"
        out.append((f"{park}.check.txt", ["check", folder]))
        for year in years:
            for fmt in ("csv", "markdown", "json"):
                out.append(
                    (f"{park}.{year}.table.{fmt}", ["table", folder, str(year), "--format", fmt])
                )
            for fmt in ("csv", "json"):
                out.append(
                    (f"{park}.{year}.gaps.{fmt}", ["gaps", folder, str(year), "--format", fmt])
                )
        for fmt in ("csv", "json"):
            out.append((f"{park}.attribute.{fmt}", ["attribute", folder, "--format", fmt]))
            out.append(
                (f"{park}.attribute-chain.{fmt}", ["attribute", folder, "--chain", "--format", fmt])
            )
    out.append(("assess.txt", ["assess", "data"]))
    out.append(("assess.csv", ["assess", "data", "--csv", "--jobs", "1"]))
    return out


def xlsx_cells(park: str, year: int) -> str:
    """Every non-empty cell (sheet, coordinate, value) of ``ecopark table --format xlsx``."""
    import tempfile

    from openpyxl import load_workbook

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "table.xlsx"
        argv = ["table", f"data/{park}", str(year), "--format", "xlsx", "--filled-on", "2026-01-01"]
        status = run([*argv, "-o", str(target)])
        lines = [status.replace(str(target), "TABLE.xlsx")]
        book = load_workbook(target)
        for sheet in book.worksheets:
            lines.append(
                f"## {sheet.title} merged={sorted(str(r) for r in sheet.merged_cells.ranges)}"
            )
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        lines.append(f"{cell.coordinate}\t{cell.value!r}")
    return "\n".join(lines) + "\n"


XLSX = [("nantong-etdz", 2021), ("example-park", 2021), ("example-park", 2023)]


def run(argv: list[str]) -> str:
    """stdout, stderr and exit status of ``ecopark argv`` run in this process, from the root."""
    import os

    from ecopark.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse
                code = exc.code
    finally:
        os.chdir(cwd)
    return f"{stdout.getvalue()}\n--- stderr ---\n{stderr.getvalue()}\n--- exit {code} ---\n"


if __name__ == "__main__":
    if "--record" not in sys.argv:
        sys.exit("usage: python tests/golden/cases.py --record")
    OUT.mkdir(exist_ok=True)
    for name, argv in cases():
        (OUT / name).write_text(run(argv), encoding="utf-8")
    for park, year in XLSX:
        (OUT / f"{park}.{year}.table.xlsx.txt").write_text(xlsx_cells(park, year), encoding="utf-8")
    print(f"recorded {len(cases()) + len(XLSX)} outputs in {OUT}")
