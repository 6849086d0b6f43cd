"""Hostile text: script and markup typed into every field that someone else reads is shown as
text, on the pages where they read it (public visitors through the fast verification pages too).

Each field gets markup with its own tag; the check is that the markup is shown escaped (so it was
really on the page) and that no tag, handler or script of it survives.
"""

from dataclasses import replace
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from gi_registry.authorization import services as flow
from gi_registry.certificates.reports import create_report
from gi_registry.certificates.services import certificate_for
from gi_registry.clock import local_today
from gi_registry.extensions import db
from gi_registry.models import Role
from gi_registry.models.labels import Label
from gi_registry.standards import conformance

from . import helpers
from .fuzzing import SETTINGS, sign_in_as


class LiveMarkup(HTMLParser):
    """Markup in a page that would run: an inline script, a frame, a handler, a javascript: link.
    (The pages' own <script src=...> and <img src=...> are neither.)"""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if (tag == "script" and not a.get("src")) or tag in ("iframe", "b"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")


VECTORS = [
    '<script>alert("{t}")</script>',
    "<img src=x onerror=\"alert('{t}')\">",
    '"><svg onload=alert(1)>{t}',
    "</textarea></title><b>{t}</b>",
    '<a href="javascript:alert(1)">{t}</a>',
]


def hostile(tag: str) -> str:
    return "".join(v.format(t=tag) for v in VECTORS)


def assert_harmless(body: str, text: str, where: str) -> None:
    """`text` is on the page, escaped; none of its markup is live."""
    assert str(escape(text)) in body, f"{where}: the text is not shown (or not escaped)"
    live = LiveMarkup(body).found
    assert not live, f"{where}: {live} reached the page as markup"


@pytest.fixture
def people(app):
    reviewer = helpers.make_user(Role.REVIEWER, email="reviewer@escape.example.cn")
    approver = helpers.make_user(Role.APPROVER, email="approver@escape.example.cn")
    return reviewer, approver


def test_enterprise_name_everywhere_others_read_it(client, people):
    reviewer, approver = people
    name = hostile("ENT")
    producer = helpers.make_producer(name=name)
    application = helpers.make_application(producer, "approved", reviewer, approver)
    certificate = certificate_for(application.authorization)
    serial = db.session.scalar(db.select(Label.serial).where(
        Label.batch_id == helpers.label_batch(producer).id).limit(1))  # fmt: skip
    enterprise = producer.enterprise.id
    sign_in_as(client, None)  # the public, on the fast verification pages
    for url in ("/registry/", f"/registry/{enterprise}", f"/v/{certificate.code}",
                f"/l/{serial}", f"/v/{certificate.code}?lang=en"):  # fmt: skip
        assert_harmless(client.get(url).get_data(as_text=True), name, f"anonymous {url}")
    sign_in_as(client, reviewer)  # officials, on the ordinary pages
    for url in ("/review?state=approved", f"/applications/{application.id}",
                f"/enterprise/{enterprise}", "/enterprise/all", f"/v/{certificate.code}"):  # fmt: skip
        assert_harmless(client.get(url).get_data(as_text=True), name, f"reviewer {url}")


def test_what_producer_and_reviewer_write_to_each_other(client, people):
    reviewer, approver = people
    producer = helpers.make_producer()
    application = helpers.make_application(producer, "draft", reviewer, approver)
    description, note = hostile("DESC"), hostile("ANSWER")
    flow.update_application(application, producer, {
        "categories": application.categories, "production_town": application.production_town,
        "production_address": application.production_address, "description": description},
        {"carving", "flower-ball", "bead", "vessel"})  # fmt: skip
    answers = conformance.sample_answers(application)
    first = next(iter(answers))
    answers[first] = replace(answers[first], note=note)
    conformance.save_answers(application, producer, answers)
    flow.submit_application(application, producer)
    sign_in_as(client, reviewer)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert_harmless(page, description, "reviewer reads the description")
    page = client.get(f"/applications/{application.id}/clauses/review").get_data(as_text=True)
    assert_harmless(page, note, "reviewer reads the clause answer")

    comment, grounds = hostile("COMMENT"), hostile("GROUNDS")
    conformance.review_clauses(application, reviewer, {first: ("comment", comment)})
    flow.return_application(application, reviewer, grounds)
    sign_in_as(client, producer)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert_harmless(page, comment, "producer reads the clause comment")
    assert_harmless(page, grounds, "producer reads the grounds of return")


def test_suspension_grounds_shown_to_the_producer(client, people):
    reviewer, approver = people
    producer = helpers.make_producer()
    application = helpers.make_application(producer, "approved", reviewer, approver)
    grounds = hostile("SUSPEND")
    flow.change_authorization(application.authorization, "suspend", approver, grounds,
                              local_today() + timedelta(days=30))  # fmt: skip
    sign_in_as(client, producer)
    assert_harmless(client.get("/applications").get_data(as_text=True), grounds, "producer")
    sign_in_as(client, reviewer)
    page = client.get(f"/authorizations/{application.authorization.id}").get_data(as_text=True)
    assert_harmless(page, grounds, "official")


def test_fake_report_read_by_officials(client, people):
    reviewer, _ = people
    texts = {"where_bought": hostile("WHERE"), "what_seen": hostile("SEEN"),
             "contact": hostile("CONTACT")[:200], "code": "<b>X</b>"}  # fmt: skip
    report = create_report(texts, None)
    sign_in_as(client, reviewer)
    page = client.get(f"/certificates/reports/{report.id}").get_data(as_text=True)
    for field in ("where_bought", "what_seen"):
        assert_harmless(page, texts[field], f"report {field}")
    assert "<b>X</b>" not in client.get("/certificates/reports").get_data(as_text=True)


def test_station_ledger_and_articles_read_by_the_public(client, people):
    from .test_stations_helpers import make_article, make_entry, make_station

    operator = helpers.make_user(Role.STATION_OPERATOR)
    station = make_station(operators=[operator])
    summary, other = hostile("LEDGER"), hostile("OTHER")[:100]
    entry = make_entry(station, operator, summary=summary, other_enterprises=other)
    article = make_article(station, operator, title=hostile("TITLE")[:200],
                           body=f"## Steps\n\n{hostile('BODY')}\n\n[x](javascript:alert(1))")  # fmt: skip
    sign_in_as(client, None)
    page = client.get(f"/stations/entries/{entry.id}").get_data(as_text=True)
    assert_harmless(page, summary, "ledger entry summary")
    assert_harmless(page, other, "ledger entry, enterprises served")
    page = client.get(f"/stations/{station.id}/ledger").get_data(as_text=True)
    assert_harmless(page, other, "ledger, enterprises served")
    page = client.get(f"/stations/articles/{article.id}").get_data(as_text=True)
    assert_harmless(page, hostile("TITLE")[:200], "article title")


def test_yearly_report_and_photo_caption_read_by_officials(client, people):
    from gi_registry.registry.photos import submit_photo
    from gi_registry.reports.services import file_report

    reviewer, approver = people
    producer = helpers.make_producer()
    authorization = helpers.make_application(producer, "approved", reviewer, approver).authorization
    authorization.valid_from = date(local_today().year - 1, 1, 1)
    remarks, product, caption = hostile("REMARKS"), hostile("PRODUCT")[:100], hostile("CAP")[:200]
    report = file_report(producer.enterprise, producer, local_today().year - 1, {
        "output_value_yuan": 1000, "labels_used": 10, "production_changes": "",
        "ownership_changes": "", "remarks": remarks,
        "lines": [{"category": "carving", "product": product, "quantity": 1, "unit": "piece"}]},
        {"carving", "flower-ball", "bead", "vessel"})  # fmt: skip
    photo = submit_photo(producer.enterprise, producer, authorization.scope[0], caption,
                         helpers.png_upload())  # fmt: skip
    sign_in_as(client, reviewer)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert_harmless(page, remarks, "report remarks")
    assert_harmless(page, product, "report product line")
    page = client.get("/registry/photos/review").get_data(as_text=True)
    assert_harmless(page, caption, "photo caption (review)")
    from gi_registry.registry.photos import decide_photo

    decide_photo(photo, reviewer, "approve")
    sign_in_as(client, None)
    page = client.get(f"/registry/{producer.enterprise.id}").get_data(as_text=True)
    assert_harmless(page, caption, "photo caption (public)")


def test_a_users_name_read_by_the_admin(client):
    name = hostile("NAME")[:100]
    helpers.make_user(Role.PRODUCER)
    from gi_registry.accounts.services import create_user

    create_user("named@escape.example.cn", helpers.PASSWORD, {Role.PRODUCER}, None, name=name)
    admin = helpers.make_user(Role.ADMIN)
    sign_in_as(client, admin)
    assert_harmless(client.get("/account/users").get_data(as_text=True), name, "user list")


# Generated markup in the public search and lookup boxes, which echo what was typed.
markup = st.builds(lambda tag, text: f"<{tag} onmouseover=alert(1)>{text}</{tag}>",
                   st.sampled_from(["b", "script", "img", "svg", "iframe", "a"]),
                   st.text(max_size=20))  # fmt: skip


@SETTINGS
@given(text=markup)
def test_echoed_search_terms(client, text):
    for url, params in (("/check", {"q": text}), ("/registry/", {"q": text}),
                        (f"/v/{quote(text, safe='')}", {}), (f"/l/{quote(text, safe='')}", {}),
                        ("/report", {"code": text})):  # fmt: skip
        body = client.get(url, query_string=params).get_data(as_text=True)
        assert text.partition(">")[0] not in body, f"{url}: {text!r} echoed as live markup"
