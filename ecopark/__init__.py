"""ecopark: assess eco-industrial parks against HJ 274-2015, explain failures, report.

The public API that notebooks and scripts use::

    import ecopark
    park = ecopark.load_park("data/nantong-etdz")
    a = ecopark.assess(park, 2021)
    a.table()          # the 对照考核表 as a DataFrame (the columns of `ecopark table`)
    a.compliant        # the verdict
    a.reasons          # every broken rule, Reason(zh, en)
"""

from ecopark.assessment import Assessment, IndicatorResult, Reason
from ecopark.config import ParkConfig, load_config
from ecopark.engine import assess, assess_values, evaluate
from ecopark.errors import InputError, Problem
from ecopark.load import Park, check_park, load_park, read_year_file
from ecopark.standard import Indicator, Standard, load_standard

__version__ = "0.1.0"

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
]
