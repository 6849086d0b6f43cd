"""An announcement's list as CSV (UTF-8 with BOM), XLSX and PDF, in the authorities' columns."""

import csv
import io
from functools import cache
from pathlib import Path

from ..models.registry import Announcement, AnnouncementKind

FONT_PATH = Path(__file__).resolve().parents[2] / "static" / "fonts" / "wqy-microhei-subset.ttf"
FONT_NAME = "RegistryCJK"
COMMON = ["序号", "企业名称", "统一社会信用代码", "地址", "产品"]
TAIL = {
    AnnouncementKind.APPROVAL: ["核准日期"],
    AnnouncementKind.CHANGE: ["变更日期", "变更事项"],
    AnnouncementKind.CANCELLATION: ["注销日期", "注销原因"],
    AnnouncementKind.CORRECTION: ["原日期", "更正说明"],
}
# A spreadsheet would run a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def columns(announcement: Announcement) -> list[str]:
    return COMMON + TAIL[AnnouncementKind(announcement.kind)]


def rows(announcement: Announcement) -> list[list[str]]:
    """The list as text cells, one row per announced enterprise."""
    with_reason = AnnouncementKind(announcement.kind) != AnnouncementKind.APPROVAL
    return [
        [str(e.position), e.enterprise_name, e.credit_code, e.address, e.products,
         e.event_date.isoformat(), *([e.reason] if with_reason else [])]
        for e in announcement.entries
    ]  # fmt: skip


def defuse(cell: str) -> str:
    """Text that a spreadsheet shows as text, never runs."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def file_stem(announcement: Announcement) -> str:
    return f"announcement-{announcement.year}-{announcement.sequence:03d}"


def heading(announcement: Announcement) -> list[str]:
    return [announcement.issuing_office, announcement.title, announcement.number,
            "发布日期：" + announcement.published_on.isoformat()]  # fmt: skip


def to_csv(announcement: Announcement) -> bytes:
    """UTF-8 with a BOM so that Excel on Chinese Windows opens it correctly; header row first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns(announcement))
    for row in rows(announcement):
        writer.writerow([defuse(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(announcement: Announcement) -> bytes:
    """One sheet: the announcement's heading lines, then the table with its header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "名单"
    for line in heading(announcement):
        sheet.append([line])
    sheet.append([])
    header_row = sheet.max_row + 1
    sheet.append(columns(announcement))
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in rows(announcement):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFG", (6, 30, 22, 36, 24, 12, 40), strict=False):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@cache
def cjk_font() -> str:
    """Register the vendored CJK font with reportlab once (it is embedded in every PDF)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH)))
    return FONT_NAME


def to_pdf(announcement: Announcement) -> bytes:
    """A4 landscape, the heading then the table; the font is embedded so any viewer shows it."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=15, leading=20, alignment=1)
    centred = ParagraphStyle("centred", parent=body, fontSize=11, leading=15, alignment=1)
    signed = ParagraphStyle("signed", parent=body, fontSize=10, leading=14, alignment=2)
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm,
        topMargin=15 * mm, bottomMargin=15 * mm, title=f"{announcement.number} {announcement.title}",
        author=announcement.issuing_office, subject=announcement.title,
    )  # fmt: skip
    story = [Paragraph(escape(announcement.title), title),
             Paragraph(escape(announcement.number), centred), Spacer(1, 4 * mm)]  # fmt: skip
    if announcement.note:
        story += [Paragraph(escape(announcement.note), body), Spacer(1, 3 * mm)]
    data = [[Paragraph(escape(c), body) for c in columns(announcement)]]
    data += [[Paragraph(escape(c), body) for c in row] for row in rows(announcement)]
    widths = [12, 60, 42, 80, 45, 24] if len(data[0]) == 6 else [12, 48, 40, 55, 40, 22, 50]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))  # fmt: skip
    story += [table, Spacer(1, 6 * mm),
              Paragraph(escape(announcement.issuing_office), signed),
              Paragraph(escape(announcement.published_on.isoformat()), signed)]  # fmt: skip
    document.build(story)
    return out.getvalue()


def escape(text: str) -> str:
    """Paragraph text is a small markup language: keep <, > and & literal."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
    )
