"""Guidance articles: Markdown that tries to carry script renders harmless."""

from html.parser import HTMLParser

import pytest

from gi_registry.models import Role
from gi_registry.stations.markdown import render_markdown

from . import helpers
from .test_stations_helpers import make_article, make_station

ATTACKS = [
    "<script>alert('x')</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">click</a>',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![pic](https://evil.example/track.png)",
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    '[t](https://ok.example "x\\" onmouseover=\\"alert(1)")',
    "<a href='javascript:alert(1)'>raw</a>",
    "`<script>` in code is fine",
]
SAFE_SCHEMES = ("http://", "https://", "mailto:")


class Inspector(HTMLParser):
    """Collects every tag and attribute of the rendered HTML."""

    def __init__(self):
        super().__init__()
        self.tags, self.attributes = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)


def assert_harmless(html: str) -> None:
    inspector = Inspector()
    inspector.feed(html)
    assert not {"script", "style", "iframe", "img", "svg", "object", "embed"} & set(inspector.tags)
    for tag, name, value in inspector.attributes:
        assert not name.startswith("on"), (tag, name)
        assert name not in ("style", "src"), (tag, name)
        if name == "href":
            assert value.startswith(SAFE_SCHEMES), value
    # Visible text may still read "javascript:" or "<script>" (escaped); no markup may.
    assert "<script" not in html.lower()


@pytest.mark.parametrize("text", ATTACKS)
def test_markdown_attack_renders_harmless(text):
    assert_harmless(str(render_markdown(text)))


def test_raw_html_is_shown_as_text():
    html = str(render_markdown("<b>bold</b> <script>alert(1)</script>"))
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "&lt;script&gt;" in html


def test_ordinary_markdown_still_works():
    html = str(render_markdown(
        "# 标题\n\n**加粗** 和 [国家知识产权局](https://www.cnipa.gov.cn/)\n\n- 一\n- 二\n\n"
        "| 项目 | 说明 |\n|---|---|\n| 申请表 | 必需 |\n\n联系 <mailto:ip@example.cn>"
    ))  # fmt: skip
    assert "<h2>标题</h2>" in html  # the page's own title is the only h1
    assert "<strong>加粗</strong>" in html and "<li>一</li>" in html and "<td>申请表</td>" in html
    assert '<a href="https://www.cnipa.gov.cn/" rel="noopener noreferrer nofollow">' in html
    assert 'href="mailto:ip@example.cn"' in html


def test_article_page_serves_the_attack_harmlessly(client):
    operator = helpers.make_user(Role.STATION_OPERATOR)
    station = make_station(operators=[operator])
    body = "\n\n".join(ATTACKS)
    article = make_article(station, operator, title="<script>alert('title')</script>", body=body)
    response = client.get(f"/stations/articles/{article.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    start, end = page.index('<div class="article-body">'), page.index("</article>")
    assert_harmless(page[start:end])
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_sanitiser_alone_stops_what_a_careless_parser_lets_through(monkeypatch):
    """Defence in depth: with raw HTML on and every link allowed, nh3 still cleans it all."""
    from markdown_it import MarkdownIt

    from gi_registry.stations import markdown

    careless = MarkdownIt("commonmark", {"html": True})
    careless.validateLink = lambda url: True
    monkeypatch.setattr(markdown, "PARSER", careless)
    assert "<script" in careless.render("<script>alert(1)</script>")  # the parser lets it by
    for text in ATTACKS:
        assert_harmless(str(markdown.render_markdown(text)))
