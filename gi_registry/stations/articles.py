"""Guidance articles of a station: written in Markdown, draft or published, each change audited."""

from flask_babel import gettext as _

from ..audit.services import record, snapshot
from ..exceptions import Invalid
from ..extensions import db
from ..models import User
from ..models.base import utcnow
from ..models.stations import ArticleStatus, GuidanceArticle, GuidanceStation
from .services import ensure_manager

ARTICLE_FIELDS = ("title", "body", "language")
LANGUAGES = ("zh", "en")
MAX_BODY = 50_000


def check_article_data(data: dict) -> dict:
    """Title, body and language, checked; raises Invalid naming the field."""
    title = (data.get("title") or "").strip()
    body = (data.get("body") or "").strip()
    if not title:
        raise Invalid(_("Give the article a title."), "title")
    if not body:
        raise Invalid(_("Write the article."), "body")
    if len(body) > MAX_BODY:
        raise Invalid(_("The article is too long (at most %(n)d characters).", n=MAX_BODY), "body")
    if data.get("language") not in LANGUAGES:
        raise Invalid(_("Choose the article's language."), "language")
    return {"title": title[:200], "body": body, "language": data["language"]}


def create_article(station: GuidanceStation, actor: User, data: dict) -> GuidanceArticle:
    """A station's operator writes a draft article; commits."""
    ensure_manager(actor, station)
    article = GuidanceArticle(station=station, author_id=actor.id, status=ArticleStatus.DRAFT,
                              **check_article_data(data))  # fmt: skip
    db.session.add(article)
    db.session.flush()
    record("article.create", "guidance_article", article.id, actor,
           after={"station": station.id, **snapshot(article, *ARTICLE_FIELDS)})  # fmt: skip
    db.session.commit()
    return article


def update_article(article: GuidanceArticle, actor: User, data: dict) -> None:
    """Change an article's text; the audit log keeps what it said before; commits."""
    ensure_manager(actor, article.station)
    data = check_article_data(data)
    before = snapshot(article, *ARTICLE_FIELDS)
    changed = [f for f in ARTICLE_FIELDS if before[f] != data[f]]
    if not changed:
        return
    for field in changed:
        setattr(article, field, data[field])
    article.updated_at = utcnow()
    record("article.update", "guidance_article", article.id, actor,
           before={f: before[f] for f in changed}, after={f: data[f] for f in changed})  # fmt: skip
    db.session.commit()


def set_article_published(article: GuidanceArticle, actor: User, published: bool) -> None:
    """Publish an article on the station's public page, or take it back to draft; commits."""
    ensure_manager(actor, article.station)
    target = ArticleStatus.PUBLISHED if published else ArticleStatus.DRAFT
    if article.status == target:
        return
    before = article.status
    article.status = target
    if published:
        article.published_at = utcnow()
    record("article.publish" if published else "article.unpublish", "guidance_article",
           article.id, actor, before={"status": before}, after={"status": target.value})  # fmt: skip
    db.session.commit()
