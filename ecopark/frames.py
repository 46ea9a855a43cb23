"""Result tables that show themselves coloured by status in JupyterLab.

:class:`StatusFrame` is a :class:`pandas.DataFrame` in every way (its slices, copies and
concatenations stay one) whose notebook display is ecopark's status Styler
(:func:`ecopark.display.styled`: Chinese status labels on the status colours, no index, every
text escaped), the same one the reports use. Tables without a ``status`` column, and long ones,
show as pandas shows them.
"""

from __future__ import annotations

import pandas as pd

#: Rows up to which a table is shown styled; a longer one is shown as pandas shows it (truncated).
STYLED_ROWS = 200


class StatusFrame(pd.DataFrame):
    """A results table (gap table, what it would take, ``ecopark gaps``) coloured by status."""

    @property
    def _constructor(self) -> type[StatusFrame]:
        return StatusFrame

    def _repr_html_(self) -> str | None:
        if "status" not in self.columns or len(self) > STYLED_ROWS:
            return super()._repr_html_()
        from ecopark.display import styled

        return styled(pd.DataFrame(self)).to_html()
