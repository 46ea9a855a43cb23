"""The assessment table as an Excel workbook."""

from __future__ import annotations

import io

from ecopark.assessment import Assessment


def workbook_bytes(a: Assessment) -> bytes:
    """An .xlsx workbook with the assessment table (one sheet, the columns of ``ecopark table``)."""
    buf = io.BytesIO()
    a.table().to_excel(buf, index=False, sheet_name=f"{a.year}")
    return buf.getvalue()
