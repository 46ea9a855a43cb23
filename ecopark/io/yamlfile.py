"""Strict YAML for ecopark's small hand-written files: ``park.yaml`` and params files.

YAML forgives what a hand-edited file should not get away with. Here:

- a key given twice in one mapping is an error naming both lines (PyYAML keeps the last one
  silently);
- anchors and aliases (``&a``, ``*a``, ``<<: *a``) are refused: a park file has no use for them,
  and nested aliases expand exponentially;
- a file larger than :data:`MAX_BYTES` is refused unread.

The types of the values are checked by each file's reader (:mod:`ecopark.io.config`,
:mod:`ecopark.reports.params`) with :func:`type_problem`.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from ecopark.errors import InputError, Problem
from ecopark.standard.yamlload import LOADER

#: A park.yaml or params file is a few hundred bytes; larger ones are refused [B].
MAX_BYTES = 1024 * 1024


class YamlSyntaxError(InputError):
    """Text that is not YAML at all.

    Attributes
    ----------
    what : str
        What the parser found wrong.
    line : int or None
        Where, 1-based.
    """

    def __init__(self, shown: str, what: str, line: int | None):
        self.what, self.line = what, line
        super().__init__(
            Problem(shown, f"is not valid YAML ({what}); write 'key: value' lines", line)
        )


def _line(mark: Any) -> int | None:
    return None if mark is None else mark.line + 1


def load_yaml(text: str, shown: str) -> tuple[Any, dict[str, int]]:
    """Parse one YAML document strictly.

    Parameters
    ----------
    text : str
        The file's text.
    shown : str
        The file as messages name it.

    Returns
    -------
    (object, dict of str to int)
        The data, and the line of each top-level key (for messages).

    Raises
    ------
    YamlSyntaxError
        If the text is not YAML.
    InputError
        If the text is too large, holds an anchor or alias, or gives a key twice.
    """
    if len(text) > MAX_BYTES:
        raise InputError(
            Problem(shown, f"is {len(text):,} characters; a YAML file here is a few lines")
        )
    try:
        if "&" in text or "*" in text:  # an anchor or alias is spelt with one of them
            problems = [_alias_problem(event, shown) for event in yaml.parse(text, LOADER)]
            problems = [p for p in problems if p is not None]
            if problems:
                raise InputError(problems)
        loader = LOADER(text)
        try:
            node = loader.get_single_node()
            problems = _duplicates(node, shown)
            if problems:
                raise InputError(problems)
            data = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlSyntaxError(shown, what, _line(getattr(exc, "problem_mark", None))) from None
    lines = (
        {k.value: _line(k.start_mark) for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
        if isinstance(node, yaml.MappingNode)
        else {}
    )
    return data, lines


def _alias_problem(event: yaml.Event, shown: str) -> Problem | None:
    if isinstance(event, yaml.AliasEvent):
        return Problem(
            shown,
            f"uses the alias *{event.anchor}; write the value out in full "
            "(anchors and aliases are not accepted here)",
            _line(event.start_mark),
        )
    anchor = getattr(event, "anchor", None)
    if anchor is not None:
        return Problem(
            shown,
            f"sets the anchor &{anchor}; write each value out in full "
            "(anchors and aliases are not accepted here)",
            _line(event.start_mark),
        )
    return None


def _duplicates(node: yaml.Node | None, shown: str) -> list[Problem]:
    """A problem for each key given twice in any mapping of ``node``, naming both lines."""
    problems: list[Problem] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.MappingNode):
            first: dict[str, int | None] = {}
            for key, value in n.value:
                stack.append(value)
                if not isinstance(key, yaml.ScalarNode):
                    continue
                line = _line(key.start_mark)
                if key.value in first:
                    problems.append(
                        Problem(
                            shown,
                            f"'{key.value}' is given twice (lines {first[key.value]} and {line}); "
                            "keep one",
                            line,
                            key.value,
                        )
                    )
                else:
                    first[key.value] = line
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return sorted(problems, key=lambda p: p.line or 0)


def type_problem(key: str, value: object, expected: str) -> str | None:
    """Why ``value`` is not of the ``expected`` type, or None if it is.

    Parameters
    ----------
    key : str
        The key, for the message.
    value : object
        The value as YAML read it.
    expected : str
        ``"text"`` (a string), ``"boolean"`` (true/false) or ``"number"`` (an integer or a
        finite float, not a boolean).

    Returns
    -------
    str or None
        The message, saying what would be right.
    """
    if expected == "text":
        if isinstance(value, str):
            return None
        return f"{key} must be text, not {_shown(value)}; write {key}: followed by the text"
    if expected == "boolean":
        if isinstance(value, bool):
            return None
        return f"{key} must be true or false (without quotes), not {_shown(value)}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{key} must be a number, not {_shown(value)}"
    if not math.isfinite(value) if isinstance(value, float) else abs(value) > 10**15:
        return f"{key} must be a finite number of a real size, not {value}"
    return None


def _shown(value: object) -> str:
    """A value as a message shows it, saying what YAML made of it (a quoted "false" is text)."""
    if isinstance(value, str):
        return f'the text "{value}"'
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, list):
        return f"a list {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)
