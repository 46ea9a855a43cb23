"""ecopark: assess eco-industrial parks against HJ 274-2015, explain failures, report.

The public API that notebooks and scripts use::

    import ecopark
    park = ecopark.load_park("data/nantong-etdz")
    a = ecopark.assess(park, 2021)
    a.table()          # the results: value (number), display (as printed), passed, status
    a.compliant        # the verdict
    a.reasons          # every broken rule, Reason(zh, en)
    print(a.verdict_text())

Why indicators fail (loaded on first use, so ``ecopark table`` stays quick)::

    ecopark.gap_table(a)                 # value, requirement, margin %, status per indicator
    ecopark.what_it_would_take(a)        # failing/at-risk indicator x raw item: the value that passes
    ecopark.attribute(park, 2015, 2021)  # LMDI-I: numerator vs denominator effects, factor ratios
    ecopark.park_trends(park)            # by year, fitted pace, the year it crosses its requirement
    ecopark.advise(a, park)              # optional indicators with the largest smallest margin
    ecopark.check_data(park)             # data-quality warnings naming the items
    a.scenario(value_added="+5%")        # what if: a new assessment, .diff and .changes
    ecopark.compare(a, b)                # two years, parks or scenarios: what changed, what flipped
    ecopark.compare_standards(park, 2021)  # one park-year under two of its standards
    ecopark.results("data")              # every park-year x indicator of a folder, long and tidy
    ecopark.panel(a, 28)                 # what-if sliders in JupyterLab (pip install ecopark[lab])
    ecopark.plotting                     # charts (Figures, Chinese labels)

In JupyterLab a park, an assessment, trends and advice display themselves (coloured by status);
``ecopark.styled(table)`` colours any table with a ``status`` column the same way.
"""

import importlib

from ecopark.assessment import Assessment, IndicatorResult, Reason
from ecopark.engine import assess, assess_values, evaluate
from ecopark.errors import InputError, Problem
from ecopark.io.config import ParkConfig, load_config
from ecopark.io.park import Park, check_park, load_park
from ecopark.io.yearfile import read_year_file
from ecopark.standard.model import Indicator, Standard, load_standard

__version__ = "0.1.0"

#: Public names imported from their modules on first use (scipy and matplotlib load lazily).
_LAZY = {
    "gap_table": "ecopark.gaps",
    "what_it_would_take": "ecopark.whatif",
    "solve_item": "ecopark.whatif",
    "gaps_report": "ecopark.whatif",
    "attribute": "ecopark.attribution",
    "attribute_chained": "ecopark.attribution",
    "logmean": "ecopark.lmdi",
    "ratio_decomposition": "ecopark.lmdi",
    "load_sectors": "ecopark.io.sectors",
    "sector_shares": "ecopark.sectors",
    "structure_intensity": "ecopark.sectors",
    "check_sector_totals": "ecopark.sectors",
    "indicator_series": "ecopark.trends",
    "fit_trends": "ecopark.trends",
    "park_trends": "ecopark.trends",
    "advise": "ecopark.advisor",
    "check_data": "ecopark.checks",
    "assess_tree": "ecopark.tree",
    "styled": "ecopark.display",
    "scenario": "ecopark.scenarios",
    "compare": "ecopark.comparison",
    "compare_standards": "ecopark.comparison",
    "results": "ecopark.comparison",
    "panel": "ecopark.lab.panel",
}
#: Subpackages that bring data in or take results out, imported on first use.
_LAZY_MODULES = ("lab", "plotting", "reports", "tables")


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _LAZY_MODULES:
        return importlib.import_module(f"ecopark.{name}")
    raise AttributeError(f"module 'ecopark' has no attribute {name!r}")


__all__ = [
    "Assessment",
    "Indicator",
    "IndicatorResult",
    "InputError",
    "Park",
    "ParkConfig",
    "Problem",
    "Reason",
    "Standard",
    "assess",
    "assess_values",
    "check_park",
    "evaluate",
    "load_config",
    "load_park",
    "load_standard",
    "read_year_file",
    *_LAZY,
]
