"""Where standards' definitions are found: by their ``code:`` (or ``id:``), in folders.

The folders, in order: the package's own (``ecopark/standard/``), then each folder of the
environment variable :data:`ENV_VAR` (``ECOPARK_STANDARDS``, separated by :data:`os.pathsep`),
then the folders given to the call (``ecopark --standards DIR``, which the command line adds to
the environment so that notebooks run by ``ecopark run`` see them too). Every ``*.yaml`` or
``*.yml`` file of a folder holding a ``code:`` is a definition; a user adds a standard by putting
its file (and its items catalogue) in a folder of their own, without editing ecopark.

Two files claiming one code (or id) are an error when that code is asked for, naming both; an
unknown code is an error listing the known ones.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from ecopark.errors import InputError, Problem, display_path
from ecopark.standard import yamlload

#: The environment variable listing the user's folders of definitions.
ENV_VAR = "ECOPARK_STANDARDS"
#: The package's own folder of definitions.
PACKAGE_FOLDER = Path(__file__).resolve().parent
#: Definition files are read up to this size [B]; larger ones are skipped as not definitions.
MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """A definition file found in a folder.

    Attributes
    ----------
    code, id : str
        What users name it by (``HJ 274-2015``, ``hj274-2015``).
    name_zh : str
        Its Chinese title.
    path : Path
        The file.
    indicators : int
        How many indicators it defines.
    tiers : tuple of str
        Its tiers' ids, in verdict order (empty in a definition without ``tiers:``).
    """

    code: str
    id: str
    name_zh: str
    path: Path
    indicators: int
    tiers: tuple[str, ...]


@dataclass(frozen=True)
class Found:
    """What a scan of the folders found.

    Attributes
    ----------
    entries : tuple of Entry
        The definitions, folders in order, files by name.
    skipped : tuple of Problem
        Files of a folder that are not definitions (unreadable, not YAML, no ``code:``) and
        folders that do not exist.
    """

    entries: tuple[Entry, ...]
    skipped: tuple[Problem, ...]

    def claimants(self, name: str) -> list[Entry]:
        """The definitions whose code or id is ``name`` (case and spaces ignored)."""
        key = _key(name)
        return [e for e in self.entries if key in (_key(e.code), _key(e.id))]

    @property
    def codes(self) -> list[str]:
        """The known codes, each once, in order."""
        return list(dict.fromkeys(e.code for e in self.entries))


def _key(name: str) -> str:
    return "".join(name.split()).casefold()


def folders(extra: Sequence[Path | str] = ()) -> tuple[Path, ...]:
    """The folders searched, in order: the package's, ``ECOPARK_STANDARDS``'s, then ``extra``."""
    user = [p for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p.strip()]
    found = [PACKAGE_FOLDER, *(Path(p).expanduser() for p in [*user, *extra])]
    return tuple(dict.fromkeys(p.resolve() for p in found))


def scan(extra: Sequence[Path | str] = ()) -> Found:
    """Every definition in :func:`folders` (read once per set of folders and file versions)."""
    dirs = folders(extra)
    files = []
    missing = []
    for folder in dirs:
        if not folder.is_dir():
            missing.append(
                Problem(
                    display_path(folder),
                    f"is not a folder; {ENV_VAR} and --standards name folders of definition files",
                )
            )
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in (".yaml", ".yml") and path.is_file():
                stat = path.stat()
                files.append((path, stat.st_mtime_ns, stat.st_size))
    found = _read_all(tuple(files))
    return Found(found.entries, (*missing, *found.skipped))


@functools.cache
def _read_all(files: tuple[tuple[Path, int, int], ...]) -> Found:
    entries, skipped = [], []
    for path, _, size in files:
        shown = display_path(path)
        if size > MAX_BYTES:
            skipped.append(Problem(shown, f"is {size:,} bytes; not read as a definition"))
            continue
        try:
            spec = yamlload.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            skipped.append(
                Problem(
                    shown,
                    f"is not a readable YAML file ({exc.__class__.__name__}); "
                    "`ecopark standards check` tells what is wrong",
                    None if line is None else line + 1,
                )
            )
            continue
        code = spec.get("code") if isinstance(spec, dict) else None
        if not isinstance(code, str) or not code.strip():
            skipped.append(Problem(shown, "has no code: (text); not a definition"))
            continue
        ident = spec.get("id")
        indicators = spec.get("indicators")
        tiers = spec.get("tiers")
        entries.append(
            Entry(
                code=code,
                id=ident if isinstance(ident, str) else "",
                name_zh=str(spec.get("name_zh") or ""),
                path=path,
                indicators=len(indicators) if isinstance(indicators, list) else 0,
                tiers=tuple(str(t.get("id")) for t in tiers if isinstance(t, dict) and "id" in t)
                if isinstance(tiers, list)
                else (),
            )
        )
    return Found(tuple(entries), tuple(skipped))


def find(name: str, extra: Sequence[Path | str] = ()) -> Entry:
    """The one definition whose code or id is ``name``.

    Parameters
    ----------
    name : str
        A code (``HJ 274-2015``) or id (``hj274-2015``); case and spaces are ignored.
    extra : sequence of path, optional
        Folders searched after the package's and ``ECOPARK_STANDARDS``'s.

    Raises
    ------
    InputError
        If no definition has that code or id (the message lists the known codes), or two
        files claim it (the message names both).
    """
    found = scan(extra)
    claimants = found.claimants(name)
    if len(claimants) > 1:
        raise InputError(
            [
                Problem(
                    display_path(e.path),
                    f"claims the standard '{name}' (code {e.code}, id {e.id}), and so does "
                    + ", ".join(display_path(o.path) for o in claimants if o is not e)
                    + "; keep one file per code (rename the code or move the file out of "
                    f"the folders searched: {ENV_VAR}, --standards)",
                )
                for e in claimants
            ]
        )
    if not claimants:
        where = ", ".join(display_path(f) for f in folders(extra))
        raise InputError(
            Problem(
                "standard",
                f"unknown standard '{name}'; known: {', '.join(found.codes) or 'none'} "
                f"(definitions are looked for in {where}; add a folder with {ENV_VAR} or "
                "--standards DIR)",
            )
        )
    return claimants[0]


@contextlib.contextmanager
def added_folders(extra: Sequence[Path | str]) -> Iterator[None]:
    """Search ``extra`` too while inside: added to ``ECOPARK_STANDARDS`` (children inherit it).

    ``ecopark --standards DIR`` runs its command inside this, so the notebooks ``ecopark run``
    executes in other processes find the same definitions.

    Raises
    ------
    InputError
        If one of ``extra`` is not a folder.
    """
    bad = [
        Problem(str(p), "is not a folder; --standards names a folder of definition files")
        for p in extra
        if not Path(p).expanduser().is_dir()
    ]
    if bad:
        raise InputError(bad)
    before = os.environ.get(ENV_VAR)
    if extra:
        user = [before] if before else []
        os.environ[ENV_VAR] = os.pathsep.join(
            [*user, *(str(Path(p).expanduser().resolve()) for p in extra)]
        )
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = before
