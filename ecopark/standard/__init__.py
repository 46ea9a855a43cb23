"""The standard as data: the definition files, the item catalogue, the model and the formula language.

``model`` reads a definition (``hj274_2015.yaml``) and the item catalogue (``items.csv``) into
:class:`Standard`; ``expr`` compiles the formulas. Nothing here knows a park.
"""

from ecopark.standard.model import (
    DEFAULT_STANDARD,
    Indicator,
    Item,
    Limit,
    Requirement,
    Standard,
    load_standard,
)

__all__ = [
    "DEFAULT_STANDARD",
    "Indicator",
    "Item",
    "Limit",
    "Requirement",
    "Standard",
    "load_standard",
]
