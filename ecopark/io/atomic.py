"""Writing files without losing any: atomic writes, backups that are never overwritten, and no
output written onto a file that was read.

- :func:`atomic_path`, :func:`write_bytes`, :func:`write_text`: a reader sees the old file or
  the whole new one, never half of it;
- :func:`keep_copy`: a backup under a name no file has;
- :func:`refuse_inputs`: stop before writing onto an input (also through links).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from ecopark.errors import InputError, Problem, display_path


@contextlib.contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it over ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file private (0600); give it the permissions a plain open() would
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: Path | str, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically."""
    write_bytes(path, text.encode(encoding))


def write_output(path: Path | str, data: bytes, *, shown: object = None, hint: str = "") -> None:
    """Write an output ``data`` to ``path`` atomically, or raise :class:`InputError` saying it
    cannot be written (why, then ``hint``: what would do), under ``shown`` (default: the
    path as :func:`display_path` shows it)."""
    try:
        write_bytes(path, data)
    except OSError as exc:
        why = f"cannot be written ({exc.strerror or exc})" + (f"; {hint}" if hint else "")
        raise InputError(Problem(display_path(path) if shown is None else shown, why)) from None


# --------------------------------------------------------------------------------------------
# Never destroy what was read: backups under new names, outputs never onto inputs


def keep_copy(path: Path | str, *, move: bool = False, now: dt.datetime | None = None) -> Path:
    """Keep the current ``path`` under a backup name that no file has: never overwrite a backup.

    The name is ``<name>.bak-<YYYYmmdd-HHMMSS>``, then ``-2``, ``-3`` … when that exists (two
    backups within one second, or by two processes at once: the name is claimed with
    ``O_EXCL``). The backup stays until the user deletes it.

    Parameters
    ----------
    path : path-like
        The file to keep.
    move : bool
        Rename the file to the backup name (it then no longer exists under ``path``); default:
        copy it, with its times and permissions.
    now : datetime, optional
        The time in the name (default: now).

    Returns
    -------
    Path
        The backup.
    """
    path = Path(path)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    for n in itertools.count(1):
        backup = path.with_name(f"{path.name}.bak-{stamp}" + (f"-{n}" if n > 1 else ""))
        try:
            fd = os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        break
    try:
        if move:
            os.replace(path, backup)
        else:
            shutil.copy2(path, backup)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(backup)
        raise
    return backup


def _identity(path: Path | str) -> tuple[int, int] | None:
    """(device, inode) of the file ``path`` leads to (through links), None if there is none."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def same_file(a: Path | str, b: Path | str) -> bool:
    """Whether ``a`` and ``b`` are one file: one path, a symbolic link, or a hard link (inode)."""
    ia = _identity(a)
    return ia is not None and ia == _identity(b)


def refuse_inputs(
    targets: Path | str | Iterable[Path | str],
    inputs: Iterable[Path | str],
    hint: str = "give another file to write",
) -> None:
    """Raise unless every file about to be written is none of the files read.

    Compares the files themselves (:func:`same_file`): an output given through a symbolic link
    or a hard link to an input is refused as well.

    Parameters
    ----------
    targets : path-like or iterable of path-like
        The files to be written.
    inputs : iterable of path-like
        The files the command read (year files, park.yaml, sector files, a workbook, …).
    hint : str
        What to do instead, ending the message.

    Raises
    ------
    InputError
        One problem per target that is an input, naming both.
    """
    if isinstance(targets, str | Path):
        targets = [targets]
    read = {}
    for p in inputs:
        identity = _identity(p)
        if identity is not None:
            read.setdefault(identity, p)
    problems = []
    for target in targets:
        identity = _identity(target)
        source = read.get(identity) if identity is not None else None
        if source is not None:
            link = os.path.abspath(target) != os.path.abspath(source)
            same = f" (the same file as {display_path(source)})" if link else ""
            problems.append(
                Problem(
                    str(target),
                    f"is a file this command reads{same}; writing there would destroy it. {hint}",
                )
            )
    if problems:
        raise InputError(problems)
