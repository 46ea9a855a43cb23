"""Confined paths: what a park folder or a params file names stays where it belongs.

A data folder may come from someone else. A year file, sector file or park.yaml that is a
symbolic link leading out of its park folder would make ecopark read (and show, in messages and
reports) a file of this machine; a ``park_id`` such as ``../elsewhere`` or ``/tmp/x`` would read
another folder and write reports outside ``--out``. Both are bad input.
"""

from __future__ import annotations

import re
from pathlib import Path

from ecopark.errors import InputError, Problem

#: Characters no park id has: path separators, what Windows forbids in names, controls.
_NOT_IN_NAME = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]')


def inside(path: Path | str, root: Path | str) -> bool:
    """Whether ``path``, with every symbolic link followed, lies in the folder ``root``."""
    path, root = Path(path), Path(root)
    # Quick path: ``path`` is spelt below ``root`` with no link (and no ``..``) between them.
    here = path
    while here != root and here != here.parent:
        if here.name in ("", ".", "..") or here.is_symlink():
            break
        here = here.parent
    else:
        if here == root:
            return True
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


def confined(path: Path | str, root: Path | str, shown: str) -> None:
    """Raise unless ``path`` (followed through links) is inside the park folder ``root``.

    Parameters
    ----------
    path : path-like
        A file of the park (a year file, a sector file, park.yaml).
    root : path-like
        The park folder.
    shown : str
        The file as messages name it.

    Raises
    ------
    InputError
        If the file is a link leading out of the park folder; nothing of that file is read
        or shown.
    """
    if not inside(path, root):
        raise InputError(
            Problem(
                shown,
                "is a symbolic link leading outside the park folder; a park's files must be in "
                "its folder: copy the file there instead of linking to it",
            )
        )


def park_id_problem(park_id: str) -> str | None:
    """Why ``park_id`` is not a park folder's plain name, or None if it is one.

    A park id is one folder name under the data folder: not empty, not ``.`` or ``..``, no
    ``/`` or ``\\`` (so no absolute path), no ``:*?"<>|`` or control characters, ASCII.
    """
    if not park_id.strip():
        return "park_id must be the park folder's name, e.g. nantong-etdz; got an empty name"
    if park_id in (".", "..") or park_id.startswith(".") or _NOT_IN_NAME.search(park_id):
        return (
            f"park_id must be the park folder's plain name under data_dir (such as "
            f"nantong-etdz: no '/', '\\\\', '..' or leading '.'), got {park_id!r}"
        )
    if not park_id.isascii():
        return f"park_id must be ASCII (the park folder's name), got {park_id!r}"
    return None


def data_dir_problem(data_dir: str) -> str | None:
    """Why ``data_dir`` cannot be a params file's data folder, or None.

    A control character or a NUL is refused, and so is a ``..`` step (``../data``,
    ``data/../../etc``): a relative ``data_dir`` is looked for upward from the params file
    (:func:`ecopark.reports.datadir.find_data_dir`), so ``data`` already finds ``../data`` and a
    params file never needs to climb. An absolute path names its folder plainly and is accepted.
    """
    if re.search(r"[\x00-\x1f\x7f]", data_dir):
        return f"data_dir must be a folder path without control characters, got {data_dir!r}"
    if ".." in re.split(r"[/\\]", data_dir.strip()):
        return (
            f"data_dir must not climb out with '..', got {data_dir!r}: write the folder's name "
            "(data_dir: data is looked for in this folder and upward) or an absolute path"
        )
    return None
