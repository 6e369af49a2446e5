"""The report as a PDF (fpdf2): the city's figures, each peer group's ranking with a bar chart of
its scores, and the method; Chinese throughout.

The Chinese font is a TrueType (glyf) CJK font, embedded as a subset (fontTools) in a Type0 font
with Identity-H encoding and a ToUnicode map: the file shows the same everywhere, and its text
can be searched, copied and extracted.  The same report gives the same bytes: the creation date
is the time the figures are taken as of, and fpdf2 derives the file's ID from its contents.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import WrapMode

from feeds.city.kpis import Part
from feeds.hub.reports.model import DEFINITIONS, NOTES, OBJECT_NAMES, Group, Report, Row

#: A CJK font file to use instead of the first of FONTS found.
FONT_VARIABLE = "HALL_REPORT_FONT"
#: TrueType CJK fonts, in the order tried: Debian's fonts-wqy-microhei (the Makefile's system
#: packages) first.  Noto CJK is not among them: its outlines are CFF, which fpdf2 embeds with
#: an encoding that text extractors such as pypdf and pdfminer cannot read back.
FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
)
FAMILY = "cjk"
CHART_ROWS = 30  # a group's chart shows its first 30; its table shows everyone
GRADE_COLOURS = {"A": (46, 139, 87), "B": (70, 130, 180), "C": (218, 165, 32), "D": (230, 126, 34)}
OTHER_COLOUR = (192, 57, 43)  # E, or a grade of the city's own
HEAD = FontFace(emphasis=None, fill_color=(220, 230, 241))


class MissingFont(RuntimeError):
    """No Chinese font to embed."""


def find_font() -> Path:
    chosen = os.environ.get(FONT_VARIABLE)
    if chosen:
        if not Path(chosen).is_file():
            raise MissingFont(f"{FONT_VARIABLE}={chosen} is not a font file")
        return Path(chosen)
    for name in FONTS:
        if Path(name).is_file():
            return Path(name)
    raise MissingFont(
        "no Chinese TrueType font for the PDF: install fonts-wqy-microhei (`make system` does) "
        f"or set {FONT_VARIABLE} to a .ttf or .ttc with Chinese glyphs"
    )


class _Pdf(FPDF):
    def __init__(self, report: Report) -> None:
        super().__init__(format="A4")
        self.report = report
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(110)
        self.cell(0, 6, f"{self.report.title}    第 {self.page_no()} 页", align="C")
        self.set_text_color(0)


def write_pdf(report: Report, path: Path, font: Path) -> None:
    pdf = _Pdf(report)
    pdf.set_creation_date(report.local(report.as_of))
    pdf.set_title(report.title)
    pdf.set_author(report.city.name)
    pdf.set_lang("zh-CN")
    pdf.add_font(FAMILY, fname=str(font))
    pdf.add_page()
    _text(pdf, report.title, 16, 10)
    _text(pdf, report.subtitle, 9, 6)
    pdf.ln(4)
    _overview(pdf, report)
    for group in report.groups:
        pdf.add_page()
        _group(pdf, report, group)
    pdf.add_page()
    _method(pdf, report)
    pdf.output(str(path))


def _text(pdf: FPDF, text: str, size: float, height: float) -> None:
    pdf.set_font(FAMILY, size=size)
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)


def _table(
    pdf: FPDF,
    rows: Sequence[Sequence[str]],
    widths: tuple[float, ...],
    size: float = 8,
    align: tuple[str, ...] | str = "LEFT",
) -> None:
    pdf.set_font(FAMILY, size=size)
    with pdf.table(
        col_widths=widths,
        headings_style=HEAD,
        line_height=size * 0.55,
        text_align=align,
        wrapmode=WrapMode.CHAR,
        padding=0.8,
    ) as table:
        for cells in rows:
            table.row(cells)


def _overview(pdf: FPDF, report: Report) -> None:
    _text(pdf, f"{OBJECT_NAMES['city']}指标", 12, 8)
    rows = [("指标", "分子", "分母", "值")]
    for code, figure in report.city_figures.items():
        value = _value(code, figure.value)
        rows.append((report.rate_name(code), f"{figure.numerator:g}", str(figure.denominator), value))
    _table(pdf, rows, (3, 1, 1, 1), 9, ("LEFT", "RIGHT", "RIGHT", "RIGHT"))


def _group(pdf: FPDF, report: Report, group: Group) -> None:
    scheme = group.scheme
    _text(pdf, f"{scheme.name}排名（{OBJECT_NAMES[scheme.object]}，{len(group.rows)} 个）", 13, 8)
    parts = {(part.measure, part.count): part for part in scheme.parts}.values()  # each figure once
    if not group.rows:
        _text(pdf, "本期无可评分对象。", 9, 6)
        return
    _chart(pdf, group.ranked[:CHART_ROWS])
    if len(group.ranked) > CHART_ROWS:
        _text(pdf, f"图中为前 {CHART_ROWS} 名，全部排名见下表。", 8, 5)
    pdf.ln(2)
    rows = [("排名", "名称", "综合得分", "等级", "名次变化", *(report.column_name(part) for part in parts))]
    for row in group.rows:
        ranked = (_or_dash(row.rank), row.name, _score(row.score), row.grade or "—", _movement(row))
        rows.append((*ranked, *(_measure(row, part) for part in parts)))
    align = ("RIGHT", "LEFT", "RIGHT", "CENTER", "CENTER", *("RIGHT" for _ in parts))
    _table(pdf, rows, (1, 3, 1.4, 1, 1.4, *(1.6 for _ in parts)), align=align)


def _chart(pdf: FPDF, rows: tuple[Row, ...]) -> None:
    """Horizontal bars of the scores, 0-100, the first ranked on top, coloured by grade."""
    if not rows:
        return
    label, width, bar, gap = 38.0, 120.0, 4.2, 1.6
    height = len(rows) * (bar + gap) + 8
    if pdf.will_page_break(height):
        pdf.add_page()
    left, top = pdf.l_margin + label, pdf.get_y() + 2
    pdf.set_font(FAMILY, size=7)
    pdf.set_draw_color(200)
    for tick in range(0, 101, 20):  # the scale, with faint lines across
        x = left + width * tick / 100
        pdf.line(x, top, x, top + len(rows) * (bar + gap))
        pdf.text(x - 1.5, top + len(rows) * (bar + gap) + 3.5, str(tick))
    for n, row in enumerate(rows):
        y = top + n * (bar + gap)
        score = row.score or 0.0
        pdf.set_fill_color(*GRADE_COLOURS.get(row.grade, OTHER_COLOUR))
        pdf.rect(left, y, width * score / 100, bar, style="F")
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(label - 2, bar, _fit(pdf, row.name, label - 2), align="R")
        pdf.text(left + width * score / 100 + 1.2, y + bar * 0.75, f"{score:.1f} {row.grade}")
    pdf.set_draw_color(0)
    pdf.set_fill_color(255)
    pdf.set_y(top + height)


def _method(pdf: FPDF, report: Report) -> None:
    _text(pdf, "评价方法", 13, 8)
    rows = [("指标", "计算方法")]
    rows += [(rate.name, DEFINITIONS.get(code, "")) for code, rate in report.city.kpis.rates.items()]
    _table(pdf, rows, (1, 5))
    pdf.ln(4)
    _text(pdf, "综合评分方案与权重", 11, 7)
    rows = [("评价对象组", "分项与权重")]
    for group in report.groups:
        parts = "；".join(f"{report.part_name(part)} {part.weight:g}%" for part in group.scheme.parts)
        rows.append((f"{group.scheme.name}（{OBJECT_NAMES[group.scheme.object]}）", parts))
    _table(pdf, rows, (1, 4))
    pdf.ln(4)
    grades = report.city.kpis.grades
    bands = "；".join(f"{band.grade}：{band.low:g} ≤ 得分 < {band.high:g}" for band in grades)
    _text(pdf, f"等级：{bands}（100 分属最高等级）", 8, 5)
    pdf.ln(2)
    for note in NOTES:
        _text(pdf, f"· {note}", 8, 5)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    while len(text) > 1 and pdf.get_string_width(text) > width:
        text = text[:-2] + "…"
    return text


def _measure(row: Row, part: Part) -> str:
    value = row.measure(part)
    return _or_dash(None if value is None else int(value)) if part.count else _value(part.measure, value)


def _value(code: str, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}" if code == "mean_handling" else f"{100 * value:.1f}%"


def _score(score: float | None) -> str:
    return "—" if score is None else f"{score:.2f}"


def _or_dash(value: int | None) -> str:
    return "—" if value is None else str(value)


def _movement(row: Row) -> str:
    moved = row.movement
    if moved is None:
        return "新" if row.rank is not None else "—"
    return "持平" if moved == 0 else f"↑{moved}" if moved > 0 else f"↓{-moved}"
