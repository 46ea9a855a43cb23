"""``park.yaml``: who the park is and how it is assessed (data contract, "park.yaml")."""

from __future__ import annotations

import difflib
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecopark.errors import InputError, Problem, display_path
from ecopark.io.confine import confined
from ecopark.io.yamlfile import load_yaml, type_problem
from ecopark.standard.model import (
    COMPARISONS,
    DEFAULT_STANDARD,
    PARK_RULE_KEYS,
    ROUNDING_RULES,
    Standard,
    load_standard,
)

#: Keys park.yaml may hold beside the attributes its standards declare (``water_region``,
#: ``dominant_sector_share`` for HJ 274-2015). The first five are the data contract's; the rest
#: are ecopark's own: sector_benchmarks (the limits of ``benchmark_when`` rules by indicator
#: id), rules (rounding and comparison method over the standard's), synthetic (a made-up park),
#: description and source (free text shown in reports).
KNOWN_KEYS = (
    "id",
    "name",
    "name_en",
    "standard",
    "base_year",
    "selected_optional",
    "sector_benchmarks",
    "rules",
    "synthetic",
    "description",
    "source",
)
REQUIRED_KEYS = ("id", "name", "base_year")
#: The type each key's value must have (:func:`ecopark.io.yamlfile.type_problem`); the other
#: keys are checked for what they hold.
KEY_TYPES = {
    "id": "text",
    "name": "text",
    "name_en": "text",
    "synthetic": "boolean",
    "description": "text",
    "source": "text",
}
#: The years a base year may be.
FIRST_YEAR, LAST_YEAR = 1949, 2100


@dataclass(frozen=True)
class ParkConfig:
    """The contents of a park's ``park.yaml``.

    Attributes
    ----------
    standard : str
        The code of the standard the park is assessed against by default (the first of
        ``standards``).
    standards : tuple of str
        Every standard park.yaml names (``standard:`` text or a list).
    attributes : dict
        The park attributes its standards declare (``water_region``, ...), each as given or
        its default (None: not given).
    selected_optional : tuple of str
        The ids of the indicators the park selected (``selected_optional`` as a list).
    selected_by_standard : dict of str to tuple of str
        ``selected_optional`` given as a mapping, standard code -> ids.
    sector_benchmarks : dict of str to number
        Indicator id -> the benchmark a ``benchmark_when`` rule uses, as written.
    """

    id: str
    name: str
    base_year: int
    name_en: str = ""
    standard: str = DEFAULT_STANDARD
    standards: tuple[str, ...] = (DEFAULT_STANDARD,)
    attributes: dict[str, Any] = field(default_factory=dict)
    selected_optional: tuple[str, ...] = ()
    selected_by_standard: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sector_benchmarks: dict[str, int | float] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    synthetic: bool = False
    description: str = ""
    source: str = ""

    def selected_for(self, code: str) -> tuple[str, ...]:
        """The ids selected for the standard ``code``."""
        return self.selected_by_standard.get(code, self.selected_optional)


def load_config(park_dir: Path | str) -> ParkConfig:
    """Read and validate ``PARK_DIR/park.yaml``.

    Raises
    ------
    InputError
        Listing every problem found, each with the file and line.
    """
    park_dir = Path(park_dir)
    path = park_dir / "park.yaml"
    try:
        plain = stat.S_ISREG(os.lstat(path).st_mode)  # a file, not a link: in the folder
    except OSError:
        plain = False
    if not plain:
        _check_file(park_dir, path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            Problem(display_path(path), "is not UTF-8 text; save park.yaml as UTF-8")
        ) from None
    if "\r" in text:  # line ends as a text file reads them
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        return parse_config(text, park_dir, "")
    except InputError:  # the same problems again, naming the file (resolving it costs system calls)
        return parse_config(text, park_dir, display_path(path))


def _check_file(park_dir: Path, path: Path) -> None:
    """Raise unless the folder is one, ``park.yaml`` in it a file and, if a link, in it."""
    if not park_dir.is_dir():
        raise InputError(
            Problem(
                display_path(park_dir),
                "is not a folder; give the park's data folder, e.g. data/nantong-etdz",
            )
        )
    if not path.is_file():
        raise InputError(
            Problem(
                display_path(path),
                "park.yaml is missing; every park folder needs one with at least "
                "id, name and base_year (see the README, 'The park folder')",
            )
        )
    if path.is_symlink():
        confined(path, park_dir, display_path(path))


def parse_config(text: str, park_dir: Path | str, shown: str) -> ParkConfig:
    """Validate the text of a ``park.yaml`` meant for the folder ``park_dir`` (which may not exist yet).

    Parameters
    ----------
    text : str
        The YAML text.
    park_dir : path-like
        The park folder: its name must equal the ``id``.
    shown : str
        The file as messages name it.

    Raises
    ------
    InputError
        Listing every problem found, each with the line.
    """
    park_dir = Path(park_dir)
    raw, lines = load_yaml(text, shown)
    if not isinstance(raw, dict):
        raise InputError(
            Problem(shown, "must be a mapping of 'key: value' lines (id, name, base_year, ...)")
        )
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(shown, message, lines.get(key), key))

    for key in REQUIRED_KEYS:
        if raw.get(key) in (None, ""):
            problems.append(Problem(shown, f"'{key}' is missing; add '{key}: ...'", None, key))
    for key, expected in KEY_TYPES.items():
        if raw.get(key) not in (None, "") and (why := type_problem(key, raw[key], expected)):
            bad(key, why)
    folder = park_dir.name
    if folder in ("", ".", "..") or park_dir.is_symlink():
        folder = park_dir.resolve().name  # the name of the folder it is
    if isinstance(raw.get("id"), str) and raw["id"] and raw["id"] != folder:
        bad("id", f"id '{raw['id']}' differs from the folder name '{folder}'; they must be equal")
    base_year = raw.get("base_year")
    if base_year not in (None, "") and (
        not isinstance(base_year, int)
        or isinstance(base_year, bool)
        or not FIRST_YEAR <= base_year <= LAST_YEAR
    ):
        bad("base_year", f"base_year must be a year such as 2015, not '{base_year}'")
    standards = _standards(raw.get("standard"), bad)
    attributes = _attributes(raw, standards, bad)
    declared = [name for std in standards for name in std.attributes]
    for key in raw:
        if key not in KNOWN_KEYS and key not in declared:
            names = [*KNOWN_KEYS, *dict.fromkeys(declared)]
            close = difflib.get_close_matches(str(key), names, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(names)}"
            bad(str(key), f"unknown key '{key}'{hint}")
    selected, by_standard = _selection(raw.get("selected_optional"), standards, bad)
    benchmarks = _benchmarks(raw.get("sector_benchmarks"), standards, bad)
    rules = _rules(raw.get("rules"), lambda message: bad("rules", message))
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    return ParkConfig(
        id=str(raw["id"]),
        name=str(raw["name"]),
        name_en=str(raw.get("name_en") or ""),
        standard=standards[0].code,
        standards=tuple(std.code for std in standards),
        base_year=int(base_year),
        attributes=attributes,
        selected_optional=selected,
        selected_by_standard=by_standard,
        sector_benchmarks=benchmarks,  # as written: 60, 92.25
        rules=rules,
        synthetic=raw.get("synthetic") is True,
        description=str(raw.get("description") or ""),
        source=str(raw.get("source") or ""),
    )


def _standards(spec: Any, bad: Callable[[str, str], None]) -> list[Standard]:
    """park.yaml ``standard:``: a code or a list of codes (default HJ 274-2015), loaded."""
    codes = spec if isinstance(spec, list) else [spec]
    out: list[Standard] = []
    for code in codes:
        if code in (None, "") and not isinstance(spec, list):
            code = DEFAULT_STANDARD
        if not isinstance(code, str) or not code:
            bad(
                "standard",
                f"standard must be text (a standard's code such as {DEFAULT_STANDARD}) or a list of them, not '{code}'",
            )
            continue
        try:
            std = load_standard(code)
        except InputError as exc:
            bad("standard", "; ".join(p.message for p in exc.problems))
            continue
        if any(s.code == std.code for s in out):
            bad("standard", f"standard '{code}' is listed twice")
            continue
        out.append(std)
    return out or [load_standard(DEFAULT_STANDARD)]


def _attributes(
    raw: Mapping[str, Any], standards: list[Standard], bad: Callable[[str, str], None]
) -> dict[str, Any]:
    """The attributes the park's standards declare, from park.yaml (or their defaults), checked."""
    out: dict[str, Any] = {}
    for std in standards:
        for name, attr in std.attributes.items():
            value = raw.get(name, attr.default)
            if value is None:
                out.setdefault(name, None)
                continue
            why = attr.problem(value)
            if why is not None:
                bad(name, why)
                continue
            out.setdefault(name, value)
    return out


def _selection(
    spec: Any, standards: list[Standard], bad: Callable[[str, str], None]
) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """park.yaml ``selected_optional``: a list of ids, or a mapping standard code -> list."""
    if spec is None:
        return (), {}
    if isinstance(spec, dict):
        codes = {std.code: std for std in standards}
        out: dict[str, tuple[str, ...]] = {}
        for code, ids in spec.items():
            if code not in codes:
                bad(
                    "selected_optional",
                    f"'{code}' is not a standard of this park ({', '.join(codes)})",
                )
                continue
            out[code] = _selected_ids(ids, [codes[code]], bad)
        return (), out
    return _selected_ids(spec, standards, bad), {}


def _selected_ids(
    spec: Any, standards: list[Standard], bad: Callable[[str, str], None]
) -> tuple[str, ...]:
    """A list of selected ids, each selectable in one of ``standards``."""
    if not isinstance(spec, list):
        bad("selected_optional", "selected_optional must be a list such as [2, 6, 8, 11, 14, 27]")
        return ()
    optional = [n for std in standards for n in std.optional_numbers]
    ids = []
    for number in spec:
        text = number if isinstance(number, str) else None
        if isinstance(number, int) and not isinstance(number, bool):
            text = str(number)
        if text is None or text not in optional:
            bad(
                "selected_optional",
                f"indicator {number} is not an optional indicator of "
                f"{' or '.join(std.code for std in standards)}; "
                f"choose among {', '.join(dict.fromkeys(optional))}",
            )
            continue
        ids.append(text)
    if len(set(ids)) != len(ids):
        bad("selected_optional", "an indicator is listed twice in selected_optional")
    order = {n: i for i, n in enumerate(dict.fromkeys(optional))}
    return tuple(sorted(set(ids), key=order.__getitem__))


def _benchmarks(
    spec: Any, standards: list[Standard], bad: Callable[[str, str], None]
) -> dict[str, int | float]:
    """park.yaml ``sector_benchmarks``: indicator id -> the limit of its ``benchmark_when`` rule."""
    if not spec:
        return {}
    if not isinstance(spec, dict) or not all(
        (isinstance(k, str) or (isinstance(k, int) and not isinstance(k, bool)))
        and type_problem("sector_benchmarks", v, "number") is None
        for k, v in spec.items()
    ):
        bad(
            "sector_benchmarks",
            "sector_benchmarks must map indicator numbers to limits, e.g. {6: 90}",
        )
        return {}
    allowed = list(dict.fromkeys(n for std in standards for n in std.benchmark_ids))
    marks = sorted(
        {
            c.mark
            for std in standards
            for ind in std.indicators
            for c in ind.conditions
            if c.kind == "benchmark_when" and c.mark
        }
    )
    out: dict[str, int | float] = {}
    for number, value in spec.items():
        if str(number) not in allowed:
            note = f"footnote {'/'.join(marks)}" if marks else "a benchmark_when rule"
            bad(
                "sector_benchmarks",
                f"indicator {number} takes no sector benchmark; {note} applies to "
                f"{', '.join(allowed) or 'no indicator'} only",
            )
            continue
        out[str(number)] = value
    return out


def _rules(spec: Any, bad: Any) -> dict[str, str]:
    """park.yaml ``rules:`` (rounding and comparison over the standard's), checked; ``bad(msg)``
    records a problem."""
    if spec is None:
        return {}
    example = "rules: {rounding: half_up, comparison: rounded_value}"
    if not isinstance(spec, dict):
        bad(f"rules must be a mapping such as '{example}'")
        return {}
    choices = {"rounding": ROUNDING_RULES, "comparison": COMPARISONS}
    out: dict[str, str] = {}
    for key, value in spec.items():
        if key not in PARK_RULE_KEYS:
            bad(
                f"unknown rules key '{key}'; a park may set {' and '.join(PARK_RULE_KEYS)} ({example})"
            )
            continue
        allowed = choices[key]
        if value not in allowed:
            words = ", ".join(f"{k} ({v[0]})" for k, v in allowed.items())
            bad(f"{key} '{value}' is not one of {words}")
            continue
        out[key] = value
    return out
