"""``python -m ecopark``: the same as the ``ecopark`` command."""

import sys

from ecopark.cli import main

sys.exit(main())
