"""The public pages of the product standards: versions, history, redline, downloads, search."""

import io
import json
import re
from pathlib import Path

import pytest

from gi_registry.extensions import db
from gi_registry.models import Role
from gi_registry.models.standards import StandardVersion
from gi_registry.standards.services import sync_standards

from . import helpers
from .test_standards_sync import publish_new_version, standards_dir  # noqa: F401

URL = "/standards/BSLL-WS/2026.1"


@pytest.fixture
def synced(app):
    sync_standards()


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_list_and_history_show_the_version_in_force(client, synced):
    page = text_of(client.get("/standards/"))
    assert "博山琉璃地理标志登记平台工作规范" in page and "BSLL-WS" in page
    assert "/standards/BSLL-WS/2026.1" in page
    history = client.get("/standards/BSLL-WS/")
    assert history.status_code == 200
    row = db.session.scalar(db.select(StandardVersion))
    assert row.content_hash in history.get_data(as_text=True)


def test_version_page_has_clause_navigation_in_chinese_and_english(client, synced):
    zh = client.get(URL).get_data(as_text=True)
    assert 'href="#clause-bead-hole-diameter"' in zh and 'id="clause-bead-hole-diameter"' in zh
    assert "料珠穿孔孔径" in zh and "不是国家标准" in zh
    en = client.get(URL + "?lang=en").get_data(as_text=True)
    assert "Bead hole diameter" in en and "not a national" in en
    assert "料珠穿孔孔径" not in en


def test_search_within_the_text_finds_clauses_in_either_language(client, synced):
    page = text_of(client.get(URL + "?q=退火"))
    assert "2 个条款包含“退火”" in page
    assert 'href="#clause-annealing-check"' in page and "<mark>退火</mark>" in page
    english = text_of(client.get(URL + "?lang=en&q=hole+bead"))
    assert "1 clause contains" in english and "#clause-bead-hole-diameter" in english
    nothing = text_of(client.get(URL + "?lang=en&q=zzzz"))
    assert "No clause matches" in nothing


def test_json_download_is_the_published_version(client, synced):
    response = client.get(URL + ".json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "BSLL-WS-2026.1.json" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    row = db.session.scalar(db.select(StandardVersion))
    assert data == row.data and data["content_hash"] == row.content_hash


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ["博山琉璃地理标志登记平台工作规范", "料珠穿孔孔径", "≥ 0.8 mm", "GB 4806.5-2016"]),
    ("en", ["Boshan Glass", "Bead hole diameter", "≥ 0.8 mm", "博山琉璃"]),
])  # fmt: skip
def test_pdf_download_is_readable_text_in_the_visitors_language(client, synced, lang, words):
    from pypdf import PdfReader

    response = client.get(URL + f".pdf?lang={lang}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"BSLL-WS-2026.1-{lang}.pdf" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    for word in words:
        assert re.sub(r"\s+", "", word) in text, word
    fonts = {str(f["/BaseFont"]) for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}  # fmt: skip
    assert any("WenQuanYi" in f or "GIStandardSans" in f for f in fonts), fonts


def test_unknown_versions_are_not_found(client, synced):
    assert client.get("/standards/BSLL-WS/2099.1").status_code == 404
    assert client.get("/standards/NOPE/").status_code == 404
    assert client.get("/standards/BSLL-WS/2099.1.pdf").status_code == 404


@pytest.mark.usefixtures("standards_dir")
def test_a_new_version_appears_with_a_correct_comparison(app, client, runner):
    directory = Path(app.config["STANDARDS_DIR"])
    sync_standards()
    publish_new_version(directory)
    assert runner.invoke(args=["gi", "standards-sync"]).exit_code == 0
    history = text_of(client.get("/standards/BSLL-WS/?lang=en"))
    assert "Version 2026.2" in history and "Superseded" in history

    response = client.get("/standards/BSLL-WS/compare?old=2026.1&new=2026.2&lang=en")
    page = text_of(response)
    assert "1 clause added" in page and "1 clause removed" in page and "1 clause changed" in page
    assert 'id="clause-bead-string-strength"' in page  # added
    assert 'id="clause-mark-carriers"' in page  # removed
    changed = page[page.index('id="clause-bead-hole-diameter"') :]
    # The redline marks the deleted and the inserted words, with symbols, not colour alone.
    assert re.search(r"<del>.*?\[−.*?0\.8.*?−\].*?</del>", changed)
    assert re.search(r"<ins>.*?\[\+.*?1\.0.*?\+\].*?</ins>", changed)
    assert "Minimum" in changed

    zh = text_of(client.get("/standards/BSLL-WS/compare?old=2026.1&new=2026.2"))
    # In Chinese the redline goes by character, but a number stays whole.
    assert re.search(r"不小于<del>.*?\[−</span>0\.8<span.*?</del><ins>.*?\[\+</span>1\.0<span", zh)

    old_page = text_of(client.get("/standards/BSLL-WS/2026.1?lang=en"))
    assert "Version 2026.2 is in force." in old_page


@pytest.mark.usefixtures("standards_dir")
def test_drafts_are_for_officials_only(app, client, login):
    directory = Path(app.config["STANDARDS_DIR"])
    text = (directory / "BSLL-WS-2026.1.toml").read_text(encoding="utf-8")
    (directory / "BSLL-WS-2027.1.toml").write_text(
        text.replace('version = "2026.1"', 'version = "2027.1"')
        .replace('status = "effective"', 'status = "draft"'), encoding="utf-8")  # fmt: skip
    sync_standards()
    assert client.get("/standards/BSLL-WS/2027.1").status_code == 404
    assert "2027.1" not in client.get("/standards/BSLL-WS/").get_data(as_text=True)
    login(helpers.make_user(Role.REVIEWER))
    page = text_of(client.get("/standards/BSLL-WS/2027.1?lang=en"))
    assert "Draft: not in force" in page
