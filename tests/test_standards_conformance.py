"""Clause-by-clause conformance: answers, measured values, review results, and what they block."""

import re
from pathlib import Path

import pytest

from gi_registry.authorization import services as flow
from gi_registry.exceptions import Invalid, InvalidTransition, NotPermitted
from gi_registry.extensions import db
from gi_registry.models import ApplicationState, Role
from gi_registry.models.standards import ClauseAnswer, StandardVersion
from gi_registry.standards import conformance
from gi_registry.standards.conformance import AnswerErrors, AnswerInput
from gi_registry.standards.services import sync_standards, version_status

from . import helpers
from .test_standards_sync import publish_new_version, standards_dir  # noqa: F401

BEAD_FIELD = "c_bead_hole_diameter_value"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def bead_draft(producer, answered=True):
    """A draft for beads and carvings, with its clauses answered (or not)."""
    application = helpers.make_application(producer, "draft", answer_clauses=False)
    flow.update_application(application, producer, dict(
        categories=["bead", "carving"], production_town="山头街道",
        production_address="琉璃路 1 号"), {"bead", "carving"})  # fmt: skip
    if answered:
        conformance.save_answers(application, producer, conformance.sample_answers(application))
    return application


def test_an_application_is_made_against_the_version_in_force(app):
    application = helpers.make_application(helpers.make_producer(), "draft")
    assert (application.standard_code, application.standard_version) == ("BSLL-WS", "2026.1")


def test_no_application_without_a_standard_in_force(app):
    producer = helpers.make_producer()
    db.session.execute(db.delete(StandardVersion))
    db.session.commit()
    with pytest.raises(Invalid, match="No product standard is in effect|产品标准"):
        flow.create_application(producer.enterprise, producer, dict(
            categories=["carving"], production_town="山头街道", production_address="琉璃路 1 号"),
            {"carving"})  # fmt: skip


def test_only_the_clauses_of_the_chosen_categories_apply(app):
    producer = helpers.make_producer()
    carving = helpers.make_application(producer, "draft", answer_clauses=False)
    ids = {c.id for c in conformance.applicable_clauses(carving)}
    assert "process-carving" in ids and "area-processing" in ids
    assert "bead-hole-diameter" not in ids and "process-flower-ball" not in ids
    assert "bead-hole-diameter" in {
        c.id for c in conformance.applicable_clauses(bead_draft(producer))
    }


def test_the_producer_answers_the_clauses_on_the_page(client, login, app):
    producer = login(helpers.make_producer())
    application = bead_draft(producer, answered=False)
    page = text_of(client.get(f"/applications/{application.id}/clauses?lang=en"))
    assert "Bead hole diameter" in page and "Flower-ball process" not in page
    response = client.post(f"/applications/{application.id}/clauses", data={
        "c_area_processing_declare": "y", BEAD_FIELD: "1.20",
        "c_area_premises_attachments": str(application.attachments[0].id),
        "c_annealing_check_note": "工作日可到厂检查",
        "c_mark_trademark_applies": "no", "c_mark_trademark_note": "非商标被许可人",
    })  # fmt: skip
    assert response.status_code == 302
    answers = {a.clause_id: a for a in db.session.scalars(db.select(ClauseAnswer))}
    assert answers["area-processing"].kind == "declaration"
    assert (answers["bead-hole-diameter"].value, answers["bead-hole-diameter"].unit) == (
        "1.2",
        "mm",
    )
    assert answers["area-premises"].attachment_ids == [application.attachments[0].id]
    assert answers["annealing-check"].note == "工作日可到厂检查"
    assert answers["mark-trademark"].kind == "not_applicable"
    detail = text_of(client.get(f"/applications/{application.id}?lang=en"))
    assert "Clauses of the product standard" in detail and "1.2 mm" in detail
    assert "Does not apply to this producer" in detail


@pytest.mark.parametrize(("value", "message"), [
    ("0.5", "Bead hole diameter: the measured value 0.5 mm is below the minimum of 0.8 mm."),
    ("abc", "“abc” is not a valid number."),
])  # fmt: skip
def test_measured_values_outside_the_limits_are_refused_next_to_the_field(client, login, app,
                                                                           value, message):  # fmt: skip
    producer = login(helpers.make_producer())
    application = bead_draft(producer, answered=False)
    response = client.post(f"/applications/{application.id}/clauses?lang=en", data={
        "c_area_processing_declare": "y", BEAD_FIELD: value})  # fmt: skip
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    error_at = page.index(f'id="{BEAD_FIELD}-error"')
    field_html = page[page.index(f'id="{BEAD_FIELD}"') - 300 : page.index("</p>", error_at)]
    assert message in field_html and f'value="{value}"' in field_html
    assert db.session.scalar(db.select(db.func.count(ClauseAnswer.id))) == 0, "nothing saved"


def test_measured_value_in_chinese(client, login, app):
    producer = login(helpers.make_producer())
    application = bead_draft(producer, answered=False)
    response = client.post(f"/applications/{application.id}/clauses", data={BEAD_FIELD: "0.79"})
    assert "料珠穿孔孔径：测量值 0.79 mm 小于下限 0.8 mm。" in response.get_data(as_text=True)


def test_the_service_refuses_a_value_out_of_range_and_a_foreign_attachment(app):
    producer = helpers.make_producer()
    application = bead_draft(producer, answered=False)
    other = helpers.make_application(helpers.make_producer(), "draft")
    with pytest.raises(AnswerErrors) as caught:
        conformance.save_answers(application, producer, {
            "bead-hole-diameter": AnswerInput(value="0.5"),
            "area-premises": AnswerInput(attachment_ids=(other.attachments[0].id,)),
        })  # fmt: skip
    assert set(caught.value.errors) == {BEAD_FIELD, "c_area_premises_attachments"}


def test_submitting_requires_every_mandatory_clause(app):
    producer = helpers.make_producer()
    application = bead_draft(producer, answered=False)
    conformance.save_answers(application, producer, {"area-processing": AnswerInput(declared=True)})
    with pytest.raises(Invalid) as caught:
        flow.submit_application(application, producer)
    assert (
        "bead-hole-diameter" in caught.value.message
        and "origin-verification" in caught.value.message
    )
    assert "area-processing" not in caught.value.message
    db.session.rollback()
    assert application.state == "draft"
    conformance.save_answers(application, producer, conformance.sample_answers(application))
    flow.submit_application(application, producer)
    assert application.state == "submitted"


def test_answers_are_frozen_once_submitted(client, login, app):
    producer = helpers.make_producer()
    application = helpers.make_application(producer, "submitted")
    with pytest.raises(InvalidTransition):
        conformance.save_answers(application, producer, {})
    db.session.rollback()
    login(producer)
    response = client.get(f"/applications/{application.id}/clauses")
    assert response.status_code == 302
    login(helpers.make_producer())
    assert client.get(f"/applications/{application.id}/clauses").status_code == 404


def submitted_without_reviews():
    reviewer = helpers.make_user(Role.REVIEWER)
    application = helpers.make_application(helpers.make_producer(), "submitted", reviewer,
                                           answer_clauses=False)  # fmt: skip
    return application, reviewer


def test_review_cannot_pass_with_an_unreviewed_mandatory_clause(app):
    application, reviewer = submitted_without_reviews()
    with pytest.raises(Invalid, match="not yet reviewed|尚未审查") as caught:
        flow.pass_review(application, reviewer)
    assert "area-processing" in caught.value.message
    db.session.rollback()
    assert application.state == ApplicationState.SUBMITTED


def test_review_cannot_pass_with_a_failed_mandatory_clause(app):
    application, reviewer = submitted_without_reviews()
    conformance.pass_every_clause(application, reviewer)
    conformance.review_clauses(application, reviewer, {"annealing-check": ("fail", "样品有裂纹")})
    with pytest.raises(Invalid) as caught:
        flow.pass_review(application, reviewer)
    assert (
        "annealing-check" in caught.value.message and "area-processing" not in caught.value.message
    )
    db.session.rollback()
    conformance.review_clauses(application, reviewer, {"annealing-check": ("pass", "复查合格")})
    flow.pass_review(application, reviewer)
    assert application.state == ApplicationState.REVIEW_PASSED


def test_a_pass_on_an_earlier_answer_no_longer_counts(app):
    reviewer = helpers.make_user(Role.REVIEWER)
    producer = helpers.make_producer()
    application = helpers.make_application(producer, "submitted", reviewer)  # all passed
    flow.return_application(application, reviewer, "请补充说明")
    conformance.save_answers(application, producer, {
        **conformance.sample_answers(application),
        "mark-qr-size": AnswerInput(value="40"),
    })  # fmt: skip
    flow.resubmit_application(application, producer)
    with pytest.raises(Invalid, match="mark-qr-size"):
        flow.pass_review(application, reviewer)


def test_failing_or_commenting_needs_a_note_and_only_reviewers_review(app):
    application, reviewer = submitted_without_reviews()
    with pytest.raises(AnswerErrors) as caught:
        conformance.review_clauses(application, reviewer, {"annealing-check": ("fail", " ")})
    assert list(caught.value.errors) == ["c_annealing_check_note"]
    db.session.rollback()
    with pytest.raises(NotPermitted):
        conformance.review_clauses(application, helpers.make_user(Role.APPROVER),
                                   {"annealing-check": ("pass", "")})  # fmt: skip


def test_the_reviewer_records_results_on_the_page(client, login, app):
    application, reviewer = submitted_without_reviews()
    login(reviewer)
    page = text_of(client.get(f"/applications/{application.id}/clauses/review?lang=en"))
    assert "Not reviewed" in page and "Record the results" in page
    response = client.post(f"/applications/{application.id}/clauses/review?lang=en", data={
        "c_annealing_check_result": "fail", "c_annealing_check_note": ""})  # fmt: skip
    assert "Say why in a note." in response.get_data(as_text=True)
    client.post(f"/applications/{application.id}/clauses/review", data={
        "c_annealing_check_result": "fail", "c_annealing_check_note": "样品有炸纹"})  # fmt: skip
    detail = text_of(client.get(f"/applications/{application.id}?lang=en"))
    assert "Did not pass" in detail and "样品有炸纹" in detail
    response = client.post(f"/applications/{application.id}/pass_review?lang=en",
                           data={"grounds": ""}, follow_redirects=True)  # fmt: skip
    assert "The review cannot pass while a mandatory clause has not passed" in text_of(response)


def test_a_review_posted_by_who_may_not_review_is_refused_whatever_the_form(client, login, app):
    """Found by the forms' property test: a note too long for the form, posted to an application
    that is no longer under review, showed the page again with no message (the fields, and their
    errors, show only to who may review). Refused first, as the service refuses."""
    application, reviewer = submitted_without_reviews()
    too_long = {"c_annealing_check_result": "comment", "c_annealing_check_note": "x" * 2001}
    url = f"/applications/{application.id}/clauses/review?lang=en"
    login(helpers.make_user(Role.APPROVER))
    assert client.post(url, data=too_long).status_code == 403
    application.state = ApplicationState.APPROVED
    db.session.commit()
    login(reviewer)
    assert client.post(url, data=too_long).status_code == 409


def test_the_authorization_records_code_version_and_hash(app):
    authorization = helpers.make_application(helpers.make_producer(), "approved").authorization
    row = db.session.scalar(db.select(StandardVersion))
    assert authorization.standard_code == "BSLL-WS" and authorization.standard_version == "2026.1"
    assert authorization.standard_hash == row.content_hash and len(row.content_hash) == 64


@pytest.mark.usefixtures("standards_dir")
def test_version_status_and_the_officials_list_after_a_new_version(app, client, login, runner):
    directory = Path(app.config["STANDARDS_DIR"])
    sync_standards()
    authorization = helpers.make_application(helpers.make_producer(), "approved").authorization
    assert version_status("BSLL-WS", "2026.1") == (True, "2026.1")
    login(helpers.make_user(Role.REVIEWER))
    assert authorization.number not in client.get("/standards/outdated-authorizations").get_data(
        as_text=True)  # fmt: skip

    publish_new_version(directory)
    assert runner.invoke(args=["gi", "standards-sync"]).exit_code == 0
    assert version_status("BSLL-WS", "2026.1") == (False, "2026.2")
    assert version_status("BSLL-WS", "2026.2") == (True, "2026.2")
    page = text_of(client.get("/standards/outdated-authorizations"))
    assert authorization.number in page and "BSLL-WS 2026.1" in page
    new = helpers.make_application(helpers.make_producer(), "draft")
    assert new.standard_version == "2026.2"


# Emoji and dingbats need a font that a computer with only a CJK font (Debian's fonts-noto-cjk)
# lacks: such a browser draws them as empty boxes. These are the ones the pages used.
NEEDS_EMOJI_FONT = re.compile("[✔✖✍✎⤳ℹ\U0001f000-\U0001faff]")


def test_clause_icons_are_drawn_without_an_emoji_font(client, login, app):
    reviewer = helpers.make_user(Role.REVIEWER)
    application = helpers.make_application(helpers.make_producer(), "submitted", reviewer)
    conformance.review_clauses(application, reviewer, {
        "annealing-check": ("fail", "样品有裂纹"), "area-processing": ("comment", "请补充说明"),
    })  # fmt: skip
    login(reviewer)
    review = client.get(f"/applications/{application.id}/clauses/review?lang=en")
    detail = client.get(f"/applications/{application.id}?lang=en")
    standard = client.get("/standards/BSLL-WS/2026.1?lang=en")
    for response in (review, detail, standard):
        assert response.status_code == 200
        assert NEEDS_EMOJI_FONT.findall(response.get_data(as_text=True)) == []
    page = text_of(review)  # each icon hidden from screen readers, its words right after it
    for icon, words in [("check", "Passed"), ("cross", "Did not pass"), ("pen", "Declared"),
                        ("ruler", "[0-9.]+ mm"), ("document", "<a href="),
                        ("search", "Ready for inspection"), ("pen", "Comment ·")]:  # fmt: skip
        drawn = rf'<svg class="icon-svg icon-{icon}"[^>]* aria-hidden="true"[^>]*>.*?</svg> '
        assert re.search(drawn + words, page), icon
