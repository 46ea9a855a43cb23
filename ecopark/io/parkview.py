"""How a park shows itself: a one-line ``repr`` and an HTML card for JupyterLab.

Name, id, years and their files, the standard, base year, selection and the park attributes
the standard reads (water region, ...); every text
from ``park.yaml`` is HTML-escaped. Results (assessments, gaps, ...) show themselves through
:mod:`ecopark.display`, a layer above this one.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecopark.io.park import Park


def park_text(park: Park) -> str:
    """``<Park nantong-etdz 南通经济技术开发区: 2015, 2018, 2021; HJ 274-2015>``."""
    years = ", ".join(map(str, park.years)) or "no year files"
    return f"<Park {park.id} {park.config.name}: {years}; {park.config.standard}>"


def park_html(park: Park) -> str:
    """The park as a small two-column table (every value escaped)."""
    c = park.config
    files = "，".join(f"{y}: {p.name}" for y, p in park.files.items()) or "无"
    rows = [
        ("名称", c.name + (f"（{c.name_en}）" if c.name_en else "")),
        ("编号 id", c.id),
        ("标准", c.standard),
        ("规划基准年", str(c.base_year)),
        ("数据年份", "、".join(map(str, park.years)) or "无"),
        ("数据文件", files),
        ("选择的可选指标", "、".join(c.selected_for(park.standard.code)) or "无"),
    ]
    for name, attr in park.standard.attributes.items():  # the attributes the standard reads
        value = c.attributes.get(name)
        if value is not None:
            rows.append((attr.label_zh, f"{attr.value_text(value)} ({value})"))
    if c.synthetic:
        rows.append(("数据", "合成数据（示例），并非真实园区"))
    if c.source:
        rows.append(("来源", c.source))
    body = "".join(
        f'<tr><th style="text-align: left">{html.escape(k)}</th>'
        f'<td style="text-align: left">{html.escape(v)}</td></tr>'
        for k, v in rows
    )
    return f"<table>{body}</table>"
