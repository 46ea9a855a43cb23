"""Data in: park folders, year and sector files, the row validator, units, and atomic writes.

``config`` (park.yaml), ``park`` (a park folder → :class:`~ecopark.io.park.Park`), ``yearfile``
(what a year file is; reading csv/xlsx), ``rows`` (the one validator of an ``item,value,unit``
row), ``sectors`` (sector files), ``units`` (exact conversion), ``atomic`` (atomic writes).
Everything here turns files into validated, tidy items or reports each problem with file, line and
item (:class:`ecopark.errors.Problem`); nothing here computes an indicator.
"""
