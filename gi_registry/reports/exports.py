"""The yearly summary as CSV and XLSX for the provincial office (written in Chinese, like the
report it feeds), with the filed reports and the enforcement actions behind the figures."""

import csv
import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .. import categories
from ..clock import SHANGHAI
from ..templating import action_label, town_label
from .services import UNITS
from .summary import SECTIONS, Summary

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """A value a spreadsheet shows as written, never runs as a formula."""
    if value is None:
        return "—"
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def summary_header() -> list[str]:
    return [_("Section"), _("Indicator"), _("Value"), _("Unit"), _("Note")]


def summary_rows(summary: Summary) -> list[list]:
    return [
        [str(SECTIONS[r.section]), r.indicator, cell(r.value), r.unit, r.note] for r in summary.rows
    ]


def report_rows(summary: Summary) -> list[list]:
    rows = []
    for report in summary.reports:
        e = report.enterprise
        products = "；".join(
            f"{categories.label(line.category)} {line.product} "
            f"{line.quantity} {UNITS.get(line.unit, line.unit)}"
            for line in report.lines
        )
        rows.append(
            [
                cell(v)
                for v in (
                    e.name,
                    e.credit_code,
                    town_label(e.town),
                    report.output_value_yuan,
                    report.labels_used,
                    products,
                    report.production_changes,
                    report.ownership_changes,
                    report.remarks,
                    report.submitted_at.astimezone(SHANGHAI).strftime("%Y-%m-%d"),
                )
            ]
        )
    return rows


def report_header() -> list[str]:
    return [
        _("Enterprise"),
        _("Credit code"),
        _("Town"),
        _("Output value (yuan)"),
        _("Labels used"),
        _("Products and quantities"),
        _("Changes in production"),
        _("Changes in ownership"),
        _("Remarks"),
        _("Filed on"),
    ]


def action_rows(summary: Summary) -> list[list]:
    return [
        [
            cell(v)
            for v in (
                a["at"].astimezone(SHANGHAI).strftime("%Y-%m-%d"),
                action_label(a["action"]),
                a["number"],
                a["enterprise"],
                a["credit_code"],
                a["grounds"],
            )
        ]
        for a in summary.actions
    ]


def action_header() -> list[str]:
    return [
        _("Date"),
        _("Action"),
        _("Authorization"),
        _("Enterprise"),
        _("Credit code"),
        _("Grounds"),
    ]


def summary_csv(summary: Summary) -> str:
    """The indicators as CSV, with a byte-order mark so that Excel reads the Chinese right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(summary_header())
    writer.writerows(summary_rows(summary))
    return "\ufeff" + out.getvalue()


def summary_xlsx(summary: Summary) -> bytes:
    """A workbook: the indicators, then the filed reports and the enforcement actions."""
    book = Workbook()
    sheets = [
        (
            book.active,
            _("Summary of indicators"),
            summary_header(),
            summary_rows(summary),
            (18, 44, 14, 12, 48),
        ),
        (
            book.create_sheet(),
            _("Filed reports"),
            report_header(),
            report_rows(summary),
            (30, 22, 12, 16, 12, 50, 30, 30, 30, 12),
        ),
        (
            book.create_sheet(),
            _("Enforcement"),
            action_header(),
            action_rows(summary),
            (12, 16, 18, 30, 22, 50),
        ),
    ]
    for sheet, title, header, rows, widths in sheets:
        sheet.title = title[:31]
        sheet.append(header)
        for cell_ in sheet[1]:
            cell_.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for index, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
        for row in sheet.iter_rows(min_row=2):
            for cell_ in row:
                cell_.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
