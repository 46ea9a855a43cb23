"""Atomic writes: whole files with ordinary permissions, nothing left behind on failure."""

from __future__ import annotations

import os
import stat

import pytest

from ecopark.io.atomic import atomic_path, write_text


def test_written_file_has_ordinary_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        write_text(tmp_path / "r.html", "<p>报告</p>")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "r.html").stat().st_mode) == 0o644
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == "<p>报告</p>"


def test_failure_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "t.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]
