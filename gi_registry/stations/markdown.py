"""Markdown of guidance articles turned into HTML that cannot carry script.

Two independent layers: markdown-it with raw HTML off (so `<script>` comes out as text), then
nh3 with an allow-list of tags and attributes and only http/https/mailto links. Either layer
alone should be enough; a flaw in one is caught by the other.
"""

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])
    # Images would load from other sites (and the CSP blocks them anyway); show them as links.
    parser.disable("image")
    return parser


PARSER = _parser()


def render_markdown(text: str) -> Markup:
    """Safe HTML for an article body; a heading level 1 becomes level 2 (the page has the h1)."""
    html = PARSER.render(text or "").replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        url_relative="deny",
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704  (sanitised just above)
