"""The Atom feed of announcements and standard changes (RFC 4287)."""

from dataclasses import dataclass
from datetime import UTC, datetime, time
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from flask import current_app, url_for
from werkzeug.routing import BuildError

from ..extensions import db
from ..models.registry import Announcement

ATOM = "http://www.w3.org/2005/Atom"
KIND_WORDS = {"approval": "核准", "change": "变更", "cancellation": "注销", "correction": "更正"}
LIMIT = 50


@dataclass(frozen=True)
class FeedItem:
    tag: str  # unique and stable: the tag URI of the entry
    title: str
    link: str
    updated: datetime
    summary: str
    category: str


def absolute(path: str) -> str:
    """A URL on the registry's official address (what phones and feed readers should open)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def tag_uri(specific: str) -> str:
    host = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"
    return f"tag:{host},2026:{specific}"


def announcement_items() -> list[FeedItem]:
    rows = db.session.scalars(
        db.select(Announcement)
        .options(db.selectinload(Announcement.entries))
        .order_by(Announcement.published_at.desc())
        .limit(LIMIT)
    )
    return [
        FeedItem(
            tag=tag_uri(f"announcement:{a.id}"),
            title=f"{a.number} {a.title}",
            link=absolute(url_for("registry.announcement", announcement_id=a.id)),
            updated=a.published_at,
            summary=f"{KIND_WORDS.get(a.kind, a.kind)}：{len(a.entries)} 家企业。{a.note}".strip(),
            category="announcement",
        )
        for a in rows
    ]


def standard_items() -> list[FeedItem]:
    """Published standard versions (effective or superseded), if the standards area keeps them."""
    try:
        from ..models.standards import StandardVersion
    except ImportError:
        return []
    rows = db.session.scalars(
        db.select(StandardVersion).where(StandardVersion.status != "draft")
        .order_by(StandardVersion.id.desc()).limit(LIMIT)
    )  # fmt: skip
    items = []
    for version in rows:
        when = version.published_at or datetime.combine(version.effective_from, time(), UTC)
        status = "已废止" if version.status == "superseded" else "现行有效"
        items.append(FeedItem(
            tag=tag_uri(f"standard:{version.code}:{version.version}"),
            title=f"{version.code} {version.version} {version.title('zh')}（{status}）",
            link=absolute(standard_path(version)),
            updated=max(when, version.superseded_at or when),
            summary=f"生效日期 {version.effective_from.isoformat()}；状态：{status}。",
            category="standard",
        ))  # fmt: skip
    return items


def standard_path(version) -> str:
    """The standard version's public page, if the standards area has one; else the directory."""
    for endpoint, args in (("standards.version", {"code": version.code, "version": version.version}),
                           ("standards.index", {})):  # fmt: skip
        try:
            return url_for(endpoint, **args)
        except BuildError:
            continue
    return url_for("registry.directory")


def build_feed(title: str, office: str) -> bytes:
    """The feed document, newest entry first."""
    ET.register_namespace("", ATOM)
    items = sorted(announcement_items() + standard_items(), key=lambda i: i.updated, reverse=True)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "zh-CN"})
    add = ET.SubElement
    add(feed, f"{{{ATOM}}}id").text = tag_uri("registry-feed")
    add(feed, f"{{{ATOM}}}title").text = title
    newest = items[0].updated if items else datetime(2026, 1, 1, tzinfo=UTC)
    add(feed, f"{{{ATOM}}}updated").text = newest.astimezone(UTC).isoformat()
    add(add(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = office
    add(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml",
        href=absolute(url_for("registry.feed")))  # fmt: skip
    add(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html",
        href=absolute(url_for("registry.announcements")))  # fmt: skip
    for item in items:
        entry = add(feed, f"{{{ATOM}}}entry")
        add(entry, f"{{{ATOM}}}id").text = item.tag
        add(entry, f"{{{ATOM}}}title").text = item.title
        add(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=item.link)
        add(entry, f"{{{ATOM}}}updated").text = item.updated.astimezone(UTC).isoformat()
        add(entry, f"{{{ATOM}}}category", term=item.category)
        add(entry, f"{{{ATOM}}}summary").text = item.summary
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
