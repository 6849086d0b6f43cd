"""A standard version as a PDF (reportlab), in Chinese or English, with the vendored CJK font."""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from .spec import Clause, Standard

FONT_NAME = "GIStandardSans"
FONT_PATH = Path(__file__).resolve().parents[2] / "static" / "fonts" / "wqy-microhei-subset.ttf"

WORDS = {
    "zh": {
        "version": "版本", "status": "状态", "issued": "发布日期", "effective_from": "实施日期",
        "superseded_on": "废止日期", "hash": "内容哈希（SHA-256）", "notice": "说明",
        "scope": "适用范围", "area": "生产区域", "categories": "产品类别", "clauses": "条款",
        "references": "引用文件", "mandatory": "必须满足", "optional": "可选",
        "applies_to": "适用类别", "all": "全部类别", "condition": "适用条件",
        "evidence": "证明材料", "method": "检查方法", "limits": "限值", "refs": "引用",
        "page": "第 {n} 页", "sep": "、",
        "kinds": {"declaration": "声明", "document": "证明文件", "measured": "测量值",
                  "inspection": "现场检查"},
        "statuses": {"draft": "草案", "effective": "现行", "superseded": "已被取代"},
    },
    "en": {
        "version": "Version", "status": "Status", "issued": "Issued",
        "effective_from": "Effective from", "superseded_on": "Superseded on",
        "hash": "Content hash (SHA-256)", "notice": "Notice", "scope": "Scope",
        "area": "Production area", "categories": "Product categories", "clauses": "Clauses",
        "references": "Referenced documents", "mandatory": "mandatory", "optional": "optional",
        "applies_to": "Applies to", "all": "every category", "condition": "Applies when",
        "evidence": "Evidence", "method": "Method", "limits": "Limits", "refs": "References",
        "page": "Page {n}", "sep": ", ",
        "kinds": {"declaration": "declaration", "document": "document evidence",
                  "measured": "measured value", "inspection": "on-site inspection"},
        "statuses": {"draft": "draft", "effective": "effective", "superseded": "superseded"},
    },
}  # fmt: skip


@lru_cache(maxsize=1)
def _register_font() -> str:
    """Register the vendored TrueType CJK font with reportlab once."""
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH)))
    return FONT_NAME


def _styles(lang: str) -> dict[str, ParagraphStyle]:
    font = _register_font()
    wrap = "CJK" if lang == "zh" else None
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=15, wordWrap=wrap,
                          spaceAfter=4)  # fmt: skip
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=24, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontSize=13, leading=19, spaceBefore=10),
        "h3": ParagraphStyle("h3", parent=base, fontSize=11, leading=16, spaceBefore=8),
        "meta": ParagraphStyle("meta", parent=base, fontSize=8.5, leading=12, textColor="#444444"),
        "box": ParagraphStyle("box", parent=base, borderColor="#444444", borderWidth=0.6,
                              borderPadding=6, spaceBefore=6, spaceAfter=12),
    }  # fmt: skip


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _limits(clause: Clause, w: dict) -> str:
    low, high = clause.limits.min, clause.limits.max
    unit = clause.unit or ""
    parts = ([f"≥ {low} {unit}"] if low is not None else []) + (
        [f"≤ {high} {unit}"] if high is not None else [])  # fmt: skip
    return f"{w['limits']}: " + (" " + w["sep"].strip() + " ").join(parts)


def _clause(number: int, clause: Clause, s: Standard, lang: str, st: dict, w: dict) -> list:
    names = {c.id: (c.zh if lang == "zh" else c.en) for c in s.categories}
    cats = w["sep"].join(names.get(c, c) for c in clause.categories) or w["all"]
    meta = (f"[{clause.id}] {w['kinds'][clause.kind]} · "
            f"{w['mandatory'] if clause.mandatory else w['optional']} · {w['applies_to']}: {cats}")  # fmt: skip
    flow = [_p(f"{number}. {clause.heading.get(lang)}", st["h3"]), _p(meta, st["meta"])]
    if clause.condition:
        flow.append(_p(f"{w['condition']}: {clause.condition.get(lang)}", st["base"]))
    flow.append(_p(clause.text.get(lang), st["base"]))
    if clause.limits:
        flow.append(_p(_limits(clause, w), st["base"]))
    for key in ("evidence", "method"):
        if (text := getattr(clause, key)) is not None:
            flow.append(_p(f"{w[key]}: {text.get(lang)}", st["base"]))
    if clause.references:
        flow.append(_p(f"{w['refs']}: {w['sep'].join(clause.references)}", st["meta"]))
    return flow


@lru_cache(maxsize=16)
def _render(s: Standard, lang: str) -> bytes:
    w, st = WORDS[lang], _styles(lang)
    flow = [_p(s.title.get(lang), st["title"])]
    meta = [f"{s.code} · {w['version']} {s.version} · {w['status']}: {w['statuses'][s.status]}",
            f"{w['issued']}: {s.issued} · {w['effective_from']}: {s.effective_from}"
            + (f" · {w['superseded_on']}: {s.superseded_on}" if s.superseded_on else ""),
            f"{w['hash']}: {s.content_hash}"]  # fmt: skip
    flow += [_p(line, st["meta"]) for line in meta]
    flow += [_p(s.notice.get(lang), st["box"])]
    flow += [_p(w["scope"], st["h2"]), _p(s.scope.get(lang), st["base"])]
    flow += [_p(w["area"], st["h2"]), _p(w["sep"].join(s.production_area), st["base"])]
    flow += [_p(w["categories"], st["h2"])] + [
        _p(f"• {c.zh if lang == 'zh' else c.en} ({c.id})", st["base"]) for c in s.categories]  # fmt: skip
    flow += [_p(w["clauses"], st["h2"])]
    for number, clause in enumerate(s.clauses, 1):
        flow += _clause(number, clause, s, lang, st, w)
    if s.references:
        flow += [_p(w["references"], st["h2"])]
        for ref in s.references:
            flow += [_p(f"{ref.code} {ref.title.get(lang)}", st["base"]),
                     _p(ref.note.get(lang), st["meta"])]  # fmt: skip
    flow.append(Spacer(1, 4 * mm))
    buffer = BytesIO()

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT_NAME, 8)
        canvas.drawString(18 * mm, 10 * mm, f"{s.code} {s.version} · {s.content_hash[:16]}…")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, w["page"].format(n=doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
        bottomMargin=18 * mm, title=f"{s.code} {s.version} {s.title.get(lang)}",
        author="Boshan Glass GI registry", subject=s.code,
    )  # fmt: skip
    doc.build(flow, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def render(standard: Standard, lang: str) -> bytes:
    """The PDF of a version in "zh" or "en" (cached: a version's content never changes)."""
    return _render(standard, "en" if lang == "en" else "zh")
