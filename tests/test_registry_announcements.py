"""Announcements: publishing, numbering, candidates, immutability, corrections and downloads."""

import csv
import io
import subprocess
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from gi_registry.authorization import services as flow
from gi_registry.clock import SHANGHAI, local_today
from gi_registry.enterprises.services import FIELDS, update_enterprise
from gi_registry.exceptions import Invalid, NotPermitted
from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Role
from gi_registry.models.registry import (
    Announcement,
    AnnouncementEntry,
    PublishedRecordImmutable,
)
from gi_registry.registry import announcements as service

from . import helpers

HEADER = ["序号", "企业名称", "统一社会信用代码", "地址", "产品", "核准日期"]


@pytest.fixture
def officials(app):
    return helpers.make_user(Role.REVIEWER), helpers.make_user(Role.APPROVER)


def approved_producer(officials, **details):
    reviewer, approver = officials
    producer = helpers.make_producer(**details)
    application = helpers.make_application(producer, "approved", reviewer, approver)
    return producer, application.authorization


def enterprise_details_of(enterprise) -> dict:
    return {field: getattr(enterprise, field) for field in FIELDS}


def ids(candidates):
    return [c.authorization.id for c in candidates]


def test_approval_announcement_lists_the_chosen_enterprises_with_a_yearly_number(officials):
    _, approver = officials
    _, first = approved_producer(officials, name="甲琉璃坊", address="山头街道琉璃路 1 号")
    _, second = approved_producer(officials, name="乙琉璃坊")
    assert ids(service.candidates("approval")) == [first.id, second.id]

    announcement = service.publish_announcement("approval", [first.id, second.id], approver,
                                                "依据《地理标志专用标志使用管理办法（试行）》。")  # fmt: skip
    year = local_today().year
    assert announcement.number == f"博山琉璃〔{year}〕第1号"
    assert [(e.position, e.enterprise_name) for e in announcement.entries] == [
        (1, "甲琉璃坊"), (2, "乙琉璃坊")]  # fmt: skip
    line = announcement.entries[0]
    assert line.credit_code == first.enterprise.credit_code
    assert line.address == "山头街道琉璃路 1 号"
    assert line.products == "琉璃雕刻"
    assert line.event_date == first.created_at.astimezone(SHANGHAI).date()
    assert service.candidates("approval") == []  # announced once only

    _, third = approved_producer(officials)
    assert service.publish_announcement("approval", [third.id], approver).number == (
        f"博山琉璃〔{year}〕第2号"
    )


def test_publishing_is_audited_on_the_announcement_and_each_authorization(officials):
    _, approver = officials
    _, authorization = approved_producer(officials)
    announcement = service.publish_announcement("approval", [authorization.id], approver)
    entries = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action.in_(["announcement.publish", "authorization.announce"]))).all()  # fmt: skip
    assert {(e.action, e.object_id) for e in entries} == {
        ("announcement.publish", str(announcement.id)),
        ("authorization.announce", str(authorization.id)),
    }
    assert all(e.actor_id == approver.id for e in entries)


def test_only_approvers_publish_and_choices_are_checked(officials):
    reviewer, approver = officials
    _, authorization = approved_producer(officials)
    with pytest.raises(NotPermitted):
        service.publish_announcement("approval", [authorization.id], reviewer)
    with pytest.raises(Invalid) as nothing:
        service.publish_announcement("approval", [], approver)
    assert nothing.value.field == "authorizations"
    with pytest.raises(Invalid):  # not a candidate: nothing is written, no number is used
        service.publish_announcement("cancellation", [authorization.id], approver)
    assert db.session.scalar(db.select(db.func.count(Announcement.id))) == 0
    assert service.publish_announcement("approval", [authorization.id], approver).sequence == 1


def test_revocation_and_changes_become_candidates_with_their_reasons(officials):
    _, approver = officials
    producer, kept = approved_producer(officials, name="旧名琉璃坊")
    _, revoked = approved_producer(officials)
    service.publish_announcement("approval", [kept.id, revoked.id], approver)
    assert service.candidates("change") == []

    details = enterprise_details_of(producer.enterprise)
    update_enterprise(producer.enterprise, {**details, "name": "新名琉璃有限公司"}, producer)
    flow.change_authorization(revoked, "revoke", approver, "连续两年未使用专用标志。")
    changes = service.candidates("change")
    assert ids(changes) == [kept.id]
    assert changes[0].reason == "企业名称由“旧名琉璃坊”变更为“新名琉璃有限公司”"
    cancellations = service.candidates("cancellation")
    assert ids(cancellations) == [revoked.id]
    assert cancellations[0].reason == "连续两年未使用专用标志。"

    change = service.publish_announcement("change", [kept.id], approver)
    cancellation = service.publish_announcement("cancellation", [revoked.id], approver)
    assert change.entries[0].enterprise_name == "新名琉璃有限公司"
    assert cancellation.entries[0].reason == "连续两年未使用专用标志。"
    assert service.candidates("change") == [] and service.candidates("cancellation") == []


def test_published_announcements_and_their_rows_cannot_change(officials):
    _, approver = officials
    _, authorization = approved_producer(officials, name="原样琉璃坊")
    announcement = service.publish_announcement("approval", [authorization.id], approver)
    announcement_id, entry_id = announcement.id, announcement.entries[0].id

    announcement.title = "篡改"
    with pytest.raises(PublishedRecordImmutable):
        db.session.commit()
    db.session.rollback()
    announcement.entries[0].enterprise_name = "篡改琉璃坊"
    with pytest.raises(PublishedRecordImmutable):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(PublishedRecordImmutable):
        db.session.delete(db.session.get(AnnouncementEntry, entry_id))
        db.session.commit()
    db.session.rollback()
    with pytest.raises(PublishedRecordImmutable):
        db.session.execute(db.update(Announcement).values(title="批量篡改"))
    db.session.rollback()
    with pytest.raises(PublishedRecordImmutable):
        db.session.execute(db.delete(AnnouncementEntry))
    db.session.rollback()

    db.session.expire_all()
    fresh = db.session.get(Announcement, announcement_id)
    assert fresh.title == service.TITLES["approval"]
    assert [e.enterprise_name for e in fresh.entries] == ["原样琉璃坊"]


def test_there_is_no_route_to_edit_or_delete_an_announcement(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("registry.")]
    for rule in rules:
        if "announcement" in rule.endpoint and rule.endpoint != "registry.new_announcement":
            assert rule.endpoint in ("registry.announcements", "registry.announcement",
                                     "registry.announcement_download",
                                     "registry.correct_announcement")  # fmt: skip
    assert not any(m in (r.methods or ()) for r in rules for m in ("PUT", "PATCH", "DELETE"))


def test_a_correction_is_a_new_announcement_that_refers_to_the_original(client, login, officials):
    _, approver = officials
    producer, authorization = approved_producer(officials, address="错误地址 1 号")
    original = service.publish_announcement("approval", [authorization.id], approver)
    details = enterprise_details_of(producer.enterprise)
    update_enterprise(producer.enterprise, {**details, "address": "山头街道琉璃路 9 号"}, approver)

    login(approver)
    response = client.post(f"/registry/announcements/{original.id}/correct",
                           data={"entries": [str(original.entries[0].id)], "reason": ""})  # fmt: skip
    assert response.status_code == 200  # the form again, with the error next to the field
    assert db.session.scalar(db.select(db.func.count(Announcement.id))) == 1
    response = client.post(f"/registry/announcements/{original.id}/correct",
                           data={"entries": [str(original.entries[0].id)],
                                 "reason": "第1号公告中地址有误，予以更正。"})  # fmt: skip
    assert response.status_code == 302
    correction = db.session.scalar(db.select(Announcement).where(Announcement.kind == "correction"))
    assert correction.corrects_id == original.id and correction.sequence == 2
    assert correction.entries[0].address == "山头街道琉璃路 9 号"
    assert correction.entries[0].reason == "第1号公告中地址有误，予以更正。"

    db.session.expire_all()
    assert db.session.get(Announcement, original.id).entries[0].address == "错误地址 1 号"
    page = client.get(f"/registry/announcements/{original.id}").get_data(as_text=True)
    assert "错误地址 1 号" in page and correction.number in page


def test_an_approver_publishes_from_the_page(client, login, officials):
    _, approver = officials
    _, first = approved_producer(officials, name="页面甲琉璃")
    _, second = approved_producer(officials, name="页面乙琉璃")
    login(approver)
    page = client.get("/registry/announcements/new/approval").get_data(as_text=True)
    assert "页面甲琉璃" in page and "页面乙琉璃" in page
    response = client.post("/registry/announcements/new/approval",
                           data={"authorizations": [str(second.id)], "note": ""})  # fmt: skip
    assert response.status_code == 302
    announcement = db.session.scalar(db.select(Announcement))
    assert [e.authorization_id for e in announcement.entries] == [second.id]
    assert ids(service.candidates("approval")) == [first.id]
    response = client.post("/registry/announcements/new/approval", data={"note": "空"})
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count(Announcement.id))) == 1


def test_the_producer_record_shows_the_announcement_number(client, officials):
    _, approver = officials
    producer, authorization = approved_producer(officials)
    code = producer.enterprise.credit_code
    assert "Not yet announced" in client.get(f"/registry/{code}?lang=en").get_data(as_text=True)
    announcement = service.publish_announcement("approval", [authorization.id], approver)
    page = client.get(f"/registry/{code}?lang=en").get_data(as_text=True)
    assert f'Announced in <a href="/registry/announcements/{announcement.id}">' in page
    assert announcement.number in page


# ---- Downloads: each lists exactly the announced enterprises ----------------------------------


@pytest.fixture
def published(officials):
    """An approval announcement of three enterprises, one of them with awkward text."""
    _, approver = officials
    names = ["星光琉璃工坊", '=HYPERLINK("http://x")琉璃', "喆堃琉璃有限公司"]
    authorizations = [approved_producer(officials, name=n)[1] for n in names]
    approved_producer(officials, name="未公告琉璃坊")  # approved, left out of this announcement
    announcement = service.publish_announcement(
        "approval", [a.id for a in authorizations], approver
    )
    return announcement, [(n, a.enterprise.credit_code) for n, a in zip(names, authorizations,
                                                                       strict=True)]  # fmt: skip


def expected_rows(announcement, listed):
    return [[str(i), name, code, e.address, "琉璃雕刻", e.event_date.isoformat()]
            for i, ((name, code), e) in enumerate(zip(listed, announcement.entries, strict=True),
                                                  start=1)]  # fmt: skip


def test_csv_lists_exactly_the_announced_enterprises(client, published):
    announcement, listed = published
    response = client.get(f"/registry/announcements/{announcement.id}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    expected = expected_rows(announcement, listed)
    expected[1][1] = "'" + expected[1][1]  # a formula is defused, shown as text
    assert rows[1:] == expected
    assert "未公告琉璃坊" not in response.data.decode("utf-8-sig")


def test_xlsx_lists_exactly_the_announced_enterprises(client, published):
    announcement, listed = published
    response = client.get(f"/registry/announcements/{announcement.id}.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header_at = next(i for i, row in enumerate(values) if row[0] == "序号")
    assert values[header_at][: len(HEADER)] == HEADER
    body = [[str(v) for v in row[: len(HEADER)]] for row in values[header_at + 1 :] if row[0]]
    assert body == expected_rows(announcement, listed)
    formula_cell = sheet.cell(row=header_at + 3, column=2)
    assert formula_cell.data_type == "s"  # stored as text, never evaluated
    assert announcement.number in [row[0] for row in values[:header_at]]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_lists_exactly_the_announced_enterprises_with_the_font_embedded(client, published):
    announcement, listed = published
    response = client.get(f"/registry/announcements/{announcement.id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = pdf_text(response.data).replace(" ", "")
    for name, code in listed:
        assert name.replace(" ", "") in text
        assert code in text
    assert "未公告琉璃坊" not in text
    assert announcement.number in text and "核准日期" in text
    fonts = {str(f) for page in PdfReader(io.BytesIO(response.data)).pages
             for f in page["/Resources"]["/Font"].values()}  # fmt: skip
    assert fonts
    assert b"/FontFile2" in response.data  # the TrueType font travels inside the file


def test_pdf_text_agrees_with_pdftotext_when_poppler_is_installed(client, published):
    announcement, listed = published
    data = client.get(f"/registry/announcements/{announcement.id}.pdf").data
    try:
        result = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                                check=True, timeout=30)  # fmt: skip
    except FileNotFoundError:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = result.stdout.decode("utf-8").replace(" ", "")
    assert all(code in text for _name, code in listed)
    assert "星光琉璃工坊" in text


def test_the_announcement_page_lists_the_rows_and_downloads(client, published):
    announcement, listed = published
    page = client.get(f"/registry/announcements/{announcement.id}?lang=en").get_data(as_text=True)
    for _name, code in listed:
        assert code in page
    assert "未公告琉璃坊" not in page
    for fmt in ("csv", "xlsx", "pdf"):
        assert f"/registry/announcements/{announcement.id}.{fmt}" in page
    listing = client.get("/registry/announcements").get_data(as_text=True)
    assert announcement.number in listing


def test_expired_authorizations_are_not_offered_for_approval(officials):
    _, approver = officials
    _, authorization = approved_producer(officials)
    assert service.approval_candidates(authorization.valid_until + timedelta(days=1)) == []
