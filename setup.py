"""Build hook: ship ``notebooks/*.ipynb`` (the report notebooks' one copy) inside the package.

Everything else is configured in ``pyproject.toml``. A wheel carries the notebooks as
``ecopark/reports/notebooks/``, where :func:`ecopark.reports.batch.targets.notebooks_dir` finds
them when ecopark is installed without its checkout; an editable install reads ``notebooks/``.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"


class BuildWithNotebooks(build_py):
    """``build_py`` that also copies the report notebooks into the built package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads notebooks/ in the checkout
            return
        target = Path(self.build_lib, "ecopark", "reports", "notebooks")
        self.mkpath(str(target))
        for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
            self.copy_file(str(notebook), str(target / notebook.name))


setup(cmdclass={"build_py": BuildWithNotebooks})
