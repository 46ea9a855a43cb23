"""Interactive output in JupyterLab (optional extra ``ecopark[lab]``: ipywidgets).

- :mod:`ecopark.lab.panel`: the what-if panel, ``ecopark.panel(a, 28)``.
"""

from ecopark.lab.panel import Panel, panel

__all__ = ["Panel", "panel"]
