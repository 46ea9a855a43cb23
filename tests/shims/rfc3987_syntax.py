"""Stands in for ``rfc3987_syntax`` in the processes of tests that run papermill's own command.

jsonschema's format checker imports ``rfc3987_syntax`` if it can, and that module builds about 35
Earley parsers at import (≈ 2.4 s of CPU in every process that imports nbformat;
python-jsonschema/jsonschema#1428). Only the ``iri`` formats use them and no notebook schema has
a ``format``, so papermill runs the same without them, as ``ecopark run`` does
(``ecopark.reports.batch.kernel.skip_iri_grammars``). This folder first on ``PYTHONPATH`` makes
the import fail, which jsonschema takes as "not installed".
"""

raise ImportError("rfc3987_syntax is left out of the tests' papermill processes")
