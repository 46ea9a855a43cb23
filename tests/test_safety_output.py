"""Output checked before work: ``--out``, a full disk, option types, an unreachable scheduler.

- ``--out`` that is a file, or cannot be made, stops ``ecopark run`` with one line and exit 2
  before any notebook runs;
- a disk that fills during the run (ENOSPC from the writer) ends the batch with one line naming
  the file, exit 2, nothing half-written, and ``summary.csv`` saying which reports were written;
- ``--cell-timeout`` and ``--notebook-timeout`` take decimal seconds (2.5 ran into a TraitError
  in every notebook; a decimal cell limit in a real kernel is tested in test_batch_kernel.py);
  nonsense is an argparse error;
- a Dask scheduler that does not answer gives one line within the connect timeout.
"""

from __future__ import annotations

import csv
import errno
import time
from pathlib import Path

import pytest

from ecopark import cli
from ecopark.errors import InputError, display_path
from ecopark.reports import batch
from ecopark.reports.batch import run as batch_run_module
from ecopark.reports.batch.job import Job, JobResult, Outcome
from safety_support import partial_files

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


REPORT = b"<!DOCTYPE html>\n<html><body><p>r</p></body></html>\n"


def _ok(job: Job) -> JobResult:
    return JobResult(Outcome(job.park, job.year, job.notebook, "ok", 0.1), b"{}\n", REPORT)


def _never(job: Job) -> JobResult:  # pragma: no cover - the point is that it is not called
    raise AssertionError("a notebook ran")


def _summary(out: Path) -> list[dict]:
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("where", ["a-file", "a-file/below", "a-file/../a-file"])
def test_out_that_is_no_folder_stops_before_any_notebook(tmp_path, capsys, where):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    out = tmp_path / where
    argv = ["run", "--park", "example-park", "--years", "2021", "--data-dir", str(DATA)]
    assert cli.main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err and "Traceback" not in err, err
    # the library stops the same way, before its runner is called
    targets = batch.targets_for_park("example-park", [2021], DATA)
    with pytest.raises(InputError, match="give --out a"):
        batch.run_batch(targets, batch.resolve_notebooks(None), out, runner=_never)


def test_out_is_created_when_missing(tmp_path):
    out = tmp_path / "new" / "reports"
    targets = batch.targets_for_park("example-park", [2021], DATA)
    batch.run_batch(targets, batch.resolve_notebooks(None), out, batch.InProcess(), runner=_ok)
    assert (out / "summary.csv").is_file() and not list(out.glob(".ecopark-probe-*"))


@pytest.mark.parametrize("executor", [batch.InProcess(), batch.LocalPool(2, prepare=None)])
def test_a_full_disk_ends_the_batch_with_one_line_and_an_honest_summary(
    tmp_path, monkeypatch, executor
):
    real = batch_run_module.write_bytes
    calls = []

    def filling(path, data):
        calls.append(Path(path))
        if len(calls) >= 5:  # the 3rd notebook's .ipynb: the disk is full from then on
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(batch_run_module, "write_bytes", filling)
    targets = batch.targets_for_park("example-park", [2019, 2020, 2021, 2022], DATA)
    out = tmp_path / "out"
    nb = batch.resolve_notebooks(["01_assessment"])
    with pytest.raises(batch.BatchStopped) as info:
        batch.run_batch(targets, nb, out, executor=executor, runner=_ok, progress=False)
    stop = info.value
    assert stop.status == 2
    assert stop.message.startswith(f"cannot write {display_path(calls[4])}: no space left on")
    assert "\n" not in stop.message and "2 of 4 notebook report(s) written" in stop.message
    rows = {r["year"]: r for r in _summary(out)}
    written = sorted(y for y, r in rows.items() if r["status"] == "ok")
    assert len(written) == 2
    for y in written:
        assert (out / "example-park" / y / "01_assessment.html").is_file()
    failed = [r for r in rows.values() if r["status"] == "failed"]
    assert len(failed) == 1 and "no space left on the disk" in failed[0]["error"]
    assert [r["status"] for r in rows.values()].count("interrupted") == 1
    assert not calls[4].exists() and partial_files(out) == []


def test_a_full_disk_through_the_command_line(tmp_path, monkeypatch, capsys):
    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(batch_run_module, "write_bytes", full)
    out = tmp_path / "out"
    argv = ["run", "--park", "example-park", "--years", "2021", "--data-dir", str(DATA)]
    monkeypatch.setattr(
        "ecopark.reports.batch.run_batch",
        lambda *a, **k: batch_run_module.run_batch(
            *a, **{**k, "runner": _ok, "executor": batch.InProcess()}
        ),
    )
    assert cli.main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no space left on the disk" in err
    assert ".ipynb: no space left on the disk" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--cell-timeout", "abc", "give seconds such as 300 or 2.5"),
        ("--cell-timeout", "0", "must be a positive number of seconds"),
        ("--cell-timeout", "nan", "must be a positive number of seconds"),
        ("--notebook-timeout", "inf", "must be a positive number of seconds"),
        ("--notebook-timeout", "-1", "must be a positive number of seconds"),
        ("--jobs", "two", "give a whole number"),
        ("--jobs", "0", "must be at least 1"),
        ("--connect-timeout", "x", "give seconds"),
    ],
)
def test_options_are_checked_by_their_types(capsys, option, value, message):
    with pytest.raises(SystemExit) as info:
        cli.main(["run", "params", option, value])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_decimal_timeouts_are_accepted():
    args = cli.build_parser().parse_args(
        ["run", "params", "--cell-timeout", "2.5", "--notebook-timeout", "0.75"]
    )
    assert (args.cell_timeout, args.notebook_timeout) == (2.5, 0.75)


@pytest.mark.slow  # waits for a connect timeout
def test_an_unreachable_dask_scheduler_is_one_line_within_the_timeout(tmp_path, capsys):
    pytest.importorskip("dask.distributed")
    argv = ["run", "--park", "example-park", "--years", "2021", "--data-dir", str(DATA)]
    argv += ["--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"]
    start = time.monotonic()
    assert cli.main([*argv, "--connect-timeout", "1"]) == 2
    assert time.monotonic() - start < 6
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert "--scheduler tcp://127.0.0.1:9: no Dask scheduler answered within 1 s" in err
    assert not (tmp_path / "out" / "summary.csv").exists()


def test_a_read_only_out_stops_before_any_notebook(tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(batch_run_module.tempfile, "mkstemp", read_only)
    targets = batch.targets_for_park("example-park", [2021], DATA)
    with pytest.raises(InputError, match=r"cannot be written \(Read-only file system\)"):
        batch.run_batch(targets, batch.resolve_notebooks(None), tmp_path / "o", runner=_never)
