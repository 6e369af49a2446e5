"""The report as a workbook (XlsxWriter): an overview of the city's figures, a sheet per peer group
— rank, name, score, grade, movement and every rate, with a native bar chart of the scores —
and a sheet of the method.  Headings are Chinese.  The same report gives the same bytes: the
workbook's created date is the time the figures are taken as of, and XlsxWriter dates every
part of the file 1980-01-01 when it builds it in memory.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from feeds.city.kpis import RATE_OBJECTS
from feeds.hub.reports.model import DEFINITIONS, NOTES, OBJECT_NAMES, Group, Report

FIRST_ROW = 3  # the table's heading row (0-based); the title and the period above it
_BAD_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")


def write_xlsx(report: Report, path: Path) -> None:
    created = datetime.fromtimestamp(report.as_of, UTC).replace(tzinfo=None)
    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True})
    workbook.set_properties({"title": report.title, "author": report.city.name, "created": created})
    styles = _Styles(workbook)
    names: set[str] = set()
    _overview(report, workbook.add_worksheet(_sheet_name("总览", names)), styles)
    for group in report.groups:
        sheet = workbook.add_worksheet(_sheet_name(group.scheme.name, names))
        _group(report, group, workbook, sheet, styles)
    _method(report, workbook.add_worksheet(_sheet_name("评价方法", names)), styles)
    workbook.close()


class _Styles:
    def __init__(self, workbook: Any) -> None:
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.head = workbook.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True})
        self.share = workbook.add_format({"num_format": "0.0%"})
        self.hours = workbook.add_format({"num_format": "0.0"})
        self.score = workbook.add_format({"num_format": "0.00"})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    def of(self, rate: str) -> Any:
        return self.hours if rate == "mean_handling" else self.share


def _sheet_name(name: str, taken: set[str]) -> str:
    """A unique sheet name Excel takes: at most 31 characters, none of []:*?/\\."""
    base = _BAD_SHEET_CHARACTERS.sub("_", name)[:28] or "sheet"
    chosen, n = base, 1
    while chosen.lower() in taken:
        n += 1
        chosen = f"{base}{n}"
    taken.add(chosen.lower())
    return chosen


def _heading(report: Report, sheet: Any, styles: _Styles, what: str) -> None:
    sheet.write(0, 0, f"{report.title} · {what}", styles.title)
    sheet.write(1, 0, report.subtitle)


def _overview(report: Report, sheet: Any, styles: _Styles) -> None:
    _heading(report, sheet, styles, OBJECT_NAMES["city"])
    sheet.write_row(FIRST_ROW, 0, ("指标", "代码", "分子", "分母", "值"), styles.head)
    for n, (code, figure) in enumerate(report.city_figures.items(), FIRST_ROW + 1):
        sheet.write_row(n, 0, (report.rate_name(code), code, figure.numerator, figure.denominator))
        sheet.write(n, 4, figure.value, styles.of(code))
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 4, 10)


def _group(report: Report, group: Group, workbook: Any, sheet: Any, styles: _Styles) -> None:
    _heading(report, sheet, styles, group.scheme.name)
    columns = _columns(report, group, styles)
    for n, (heading, values, style) in enumerate(columns):
        sheet.write(FIRST_ROW, n, heading, styles.head)
        sheet.write_column(FIRST_ROW + 1, n, values, style)
    sheet.freeze_panes(FIRST_ROW + 1, 2)
    sheet.set_row(FIRST_ROW, 48)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 2, 18)
    sheet.set_column(3, len(columns) - 1, 11)
    ranked = len(group.ranked)
    if not ranked:
        return
    chart = workbook.add_chart({"type": "bar"})
    first, last = FIRST_ROW + 1, FIRST_ROW + ranked
    chart.add_series(
        {
            "name": "综合得分",
            "categories": [sheet.name, first, 1, last, 1],
            "values": [sheet.name, first, 3, last, 3],
            "data_labels": {"value": True, "num_format": "0.0"},
        }
    )
    chart.set_title({"name": f"{group.scheme.name}综合得分"})
    chart.set_legend({"none": True})
    chart.set_x_axis({"min": 0, "max": 100})
    chart.set_y_axis({"reverse": True, "crossing": "max"})  # the first ranked on top, the scale below
    chart.set_size({"width": 560, "height": max(240, 60 + 22 * ranked)})
    sheet.insert_chart(FIRST_ROW, len(columns) + 1, chart)


def _columns(report: Report, group: Group, styles: _Styles) -> list[tuple[str, list[Any], Any]]:
    """A peer group's sheet, column by column: heading, values (a row each), format."""
    rows = group.rows
    columns: list[tuple[str, list[Any], Any]] = [
        ("排名", [row.rank for row in rows], None),
        ("名称", [row.name for row in rows], None),
        ("代码", [row.key for row in rows], None),
        ("综合得分", [row.score for row in rows], styles.score),
        ("等级", [row.grade for row in rows], None),
        ("上期排名", [row.previous for row in rows], None),
        ("名次变化", [row.movement for row in rows], None),
    ]
    columns += [
        (report.rate_name(code), [row.value(code) for row in rows], styles.of(code)) for code in group.rates
    ]
    parts = group.scheme.parts
    counts = [part for part in parts if part.count]
    columns += [(report.column_name(part), [row.measure(part) for row in rows], None) for part in counts]
    columns += [
        (f"分项得分：{report.part_name(part)}", [row.parts[n] for row in rows], styles.score)
        for n, part in enumerate(parts)
    ]
    return columns


def _method(report: Report, sheet: Any, styles: _Styles) -> None:
    _heading(report, sheet, styles, "评价方法")
    kpis = report.city.kpis
    rates = [
        (rate.name, code, DEFINITIONS.get(code, ""), _objects(code)) for code, rate in kpis.rates.items()
    ]
    n = _block(sheet, FIRST_ROW, ("指标", "代码", "计算方法", "计入对象"), rates, styles, styles.wrap)
    weights = [
        (group.scheme.name, OBJECT_NAMES[group.scheme.object], report.part_name(part), part.weight)
        for group in report.groups
        for part in group.scheme.parts
    ]
    n = _block(sheet, n, ("评价对象组", "评价对象", "分项", "权重（%）"), weights, styles)
    bands = [(band.grade, band.low, band.high) for band in kpis.grades]
    n = _block(sheet, n, ("等级", "得分自（含）", "得分至（不含，100 含）"), bands, styles)
    _block(sheet, n, ("说明",), [(note,) for note in NOTES], styles)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 22)
    sheet.set_column(2, 2, 70)
    sheet.set_column(3, 3, 30)


def _block(
    sheet: Any,
    first: int,
    head: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    styles: _Styles,
    style: Any = None,
) -> int:
    """A table with its heading at row ``first``; the row to start the next one at."""
    sheet.write_row(first, 0, head, styles.head)
    for n, cells in enumerate(rows, first + 1):
        sheet.write_row(n, 0, cells, style)
    return first + len(rows) + 2


def _objects(code: str) -> str:
    """The kinds of object a rate is charged to, in words."""
    return "、".join(name for kind, name in OBJECT_NAMES.items() if kind in RATE_OBJECTS.get(code, ()))
