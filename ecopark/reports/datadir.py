"""Where a report's park folders are: a relative ``data_dir`` is looked for upward.

Params files and the notebooks' parameters name the data folder relative to where they are read
from, and they are read from different places: ``ecopark run`` reads a params file in
``params/``, papermill and JupyterLab run a notebook from the repository root or from
``notebooks/``. One rule serves them all: a relative ``data_dir`` (``data``) is the first of
``START/data``, ``START/../data``, ``START/../../data``, … that holds the park, where START is the
params file's folder or the current folder. ``data_dir: data`` therefore works from the
repository root, ``notebooks/`` and ``params/`` alike; ``../data`` keeps its plain meaning.
"""

from __future__ import annotations

from pathlib import Path


def find_data_dir(data_dir: str | Path, start: str | Path = ".", park_id: str = "") -> Path:
    """The data folder that ``data_dir`` names, looked for from ``start`` upward.

    Parameters
    ----------
    data_dir : str or Path
        The folder holding the park folders; an absolute path is taken as it is.
    start : str or Path
        Where a relative ``data_dir`` is relative to (a params file's folder; default: the
        current folder).
    park_id : str
        The park wanted: the first candidate with ``<park_id>/park.yaml`` wins (without it, the
        first candidate that is a folder).

    Returns
    -------
    Path
        The absolute data folder; ``start/data_dir`` when no candidate has the park, so that the
        caller's message names the plain reading.
    """
    data_dir = Path(data_dir)
    if data_dir.is_absolute():
        return data_dir
    start = Path(start).resolve()
    for base in (start, *start.parents):
        candidate = base / data_dir
        found = (candidate / park_id / "park.yaml").is_file() if park_id else candidate.is_dir()
        if found:
            return candidate.resolve()
    return (start / data_dir).resolve()
