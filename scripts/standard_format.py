"""Write docs/standard-format.md from the definition schema (ecopark/standard/schema.py)."""

from __future__ import annotations

from pathlib import Path

from ecopark.standard.schema import reference

DOC = Path(__file__).resolve().parents[1] / "docs" / "standard-format.md"

if __name__ == "__main__":
    DOC.write_text(reference(), encoding="utf-8")
    print(f"wrote {DOC}")
