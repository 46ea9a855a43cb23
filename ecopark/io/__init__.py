"""Data in: park folders (``park.yaml`` and year files), units, and atomic writes.

Everything here turns files into validated, tidy items or reports each problem with file, line and
item (:class:`ecopark.errors.Problem`); nothing here computes an indicator.
"""
