"""``park.yaml``: who the park is and how it is assessed (data contract, "park.yaml")."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecopark.errors import InputError, Problem, display_path
from ecopark.io.confine import confined
from ecopark.io.yamlfile import load_yaml, type_problem
from ecopark.standard import registry
from ecopark.standard.model import (
    COMPARISONS,
    DEFAULT_STANDARD,
    PARK_RULE_KEYS,
    ROUNDING_RULES,
    load_standard,
)

WATER_REGIONS = ("water_scarce", "jingjinji", "other")

#: Keys park.yaml may hold. The first seven are the data contract's; the rest are ecopark's own:
#: sector_benchmarks (footnote a limits by indicator number), rules (rounding and comparison
#: method over the standard's), synthetic (a made-up park), description and source (free text
#: shown in reports).
KNOWN_KEYS = (
    "id",
    "name",
    "name_en",
    "standard",
    "base_year",
    "water_region",
    "selected_optional",
    "dominant_sector_share",
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
    "standard": "text",
    "water_region": "text",
    "synthetic": "boolean",
    "description": "text",
    "source": "text",
}
#: The years a base year may be.
FIRST_YEAR, LAST_YEAR = 1949, 2100


@dataclass(frozen=True)
class ParkConfig:
    """The contents of a park's ``park.yaml``."""

    id: str
    name: str
    base_year: int
    name_en: str = ""
    standard: str = DEFAULT_STANDARD
    water_region: str = "other"
    selected_optional: tuple[int, ...] = ()
    dominant_sector_share: float | None = None
    sector_benchmarks: dict[int, int | float] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    synthetic: bool = False
    description: str = ""
    source: str = ""


def load_config(park_dir: Path | str) -> ParkConfig:
    """Read and validate ``PARK_DIR/park.yaml``.

    Raises
    ------
    InputError
        Listing every problem found, each with the file and line.
    """
    park_dir = Path(park_dir)
    path = park_dir / "park.yaml"
    shown = display_path(path)
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
                shown,
                "park.yaml is missing; every park folder needs one with at least "
                "id, name and base_year (see the README, 'The park folder')",
            )
        )
    confined(path, park_dir, shown)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(Problem(shown, "is not UTF-8 text; save park.yaml as UTF-8")) from None
    return parse_config(text, park_dir, shown)


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

    for key in raw:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1)
            hint = (
                f"; did you mean '{close[0]}'?"
                if close
                else f"; known keys: {', '.join(KNOWN_KEYS)}"
            )
            bad(str(key), f"unknown key '{key}'{hint}")
    for key in REQUIRED_KEYS:
        if raw.get(key) in (None, ""):
            problems.append(Problem(shown, f"'{key}' is missing; add '{key}: ...'", None, key))
    for key, expected in KEY_TYPES.items():
        if raw.get(key) not in (None, "") and (why := type_problem(key, raw[key], expected)):
            bad(key, why)
    folder = park_dir.resolve().name
    if isinstance(raw.get("id"), str) and raw["id"] and raw["id"] != folder:
        bad("id", f"id '{raw['id']}' differs from the folder name '{folder}'; they must be equal")
    base_year = raw.get("base_year")
    if base_year not in (None, "") and (
        not isinstance(base_year, int)
        or isinstance(base_year, bool)
        or not FIRST_YEAR <= base_year <= LAST_YEAR
    ):
        bad("base_year", f"base_year must be a year such as 2015, not '{base_year}'")
    region = raw.get("water_region", "other")
    if region not in WATER_REGIONS:
        bad(
            "water_region",
            f"water_region '{region}' is not one of water_scarce (缺水城市), jingjinji (京津冀), other (其他地区)",
        )
    standard_code = raw.get("standard") or DEFAULT_STANDARD
    if not isinstance(standard_code, str):
        standard_code = DEFAULT_STANDARD  # reported by the type check
    else:
        try:
            standard_code = registry.find(standard_code).code
        except InputError as exc:
            bad("standard", "; ".join(p.message for p in exc.problems))
            standard_code = DEFAULT_STANDARD
    optional = load_standard(standard_code).optional_numbers
    selected = raw.get("selected_optional") or []
    if not isinstance(selected, list):
        bad("selected_optional", "selected_optional must be a list such as [2, 6, 8, 11, 14, 27]")
        selected = []
    for number in selected:
        if not isinstance(number, int) or isinstance(number, bool) or number not in optional:
            bad(
                "selected_optional",
                f"indicator {number} is not an optional indicator of {standard_code}; "
                f"choose among {', '.join(map(str, optional))}",
            )
    numbers = [n for n in selected if isinstance(n, int)]
    if len(set(numbers)) != len(numbers):
        bad("selected_optional", "an indicator is listed twice in selected_optional")
    share = raw.get("dominant_sector_share")
    if share is not None and (
        type_problem("dominant_sector_share", share, "number") or not 0 <= share <= 1
    ):
        bad(
            "dominant_sector_share",
            f"dominant_sector_share must be a fraction from 0 to 1 (0.72 for 72%), not '{share}'",
        )
    benchmarks = raw.get("sector_benchmarks") or {}
    if not isinstance(benchmarks, dict) or not all(
        isinstance(k, int)
        and not isinstance(k, bool)
        and type_problem("sector_benchmarks", v, "number") is None
        for k, v in benchmarks.items()
    ):
        bad(
            "sector_benchmarks",
            "sector_benchmarks must map indicator numbers to limits, e.g. {6: 90}",
        )
        benchmarks = {}
    footnote_a = [i.number for i in load_standard(standard_code).indicators if "a" in i.footnotes]
    for number in benchmarks:
        if number not in footnote_a:
            bad(
                "sector_benchmarks",
                f"indicator {number} takes no sector benchmark; footnote a applies to "
                f"{', '.join(map(str, footnote_a))} only",
            )
    rules = _rules(raw.get("rules"), lambda message: bad("rules", message))
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    return ParkConfig(
        id=str(raw["id"]),
        name=str(raw["name"]),
        name_en=str(raw.get("name_en") or ""),
        standard=standard_code,
        base_year=int(base_year),
        water_region=region,
        selected_optional=tuple(sorted(selected)),
        dominant_sector_share=None if share is None else float(share),
        sector_benchmarks={int(k): v for k, v in benchmarks.items()},  # as written: 60, 92.25
        rules=rules,
        synthetic=raw.get("synthetic") is True,
        description=str(raw.get("description") or ""),
        source=str(raw.get("source") or ""),
    )


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
