"""Station services: who may change what, checks on input, corrections that keep history."""

from datetime import date, timedelta

import pytest

from gi_registry.audit.services import verify_chain
from gi_registry.clock import local_today
from gi_registry.exceptions import Invalid, InvalidTransition, NotPermitted
from gi_registry.extensions import db
from gi_registry.models import AuditEntry, Role
from gi_registry.models.stations import GuidanceStation, LedgerEntry, LedgerRevision
from gi_registry.stations import articles, ledger
from gi_registry.stations import services as stations

from . import helpers
from .test_stations_helpers import (
    entry_data,
    make_entry,
    make_station,
    png_upload,
    station_details,
)


@pytest.fixture
def admin(app):
    return helpers.make_user(Role.ADMIN)


@pytest.fixture
def operator(app):
    return helpers.make_user(Role.STATION_OPERATOR)


@pytest.fixture
def station(admin, operator):
    return make_station(admin, operators=[operator])


def audit_actions(object_type: str, object_id) -> list[str]:
    return list(db.session.scalars(
        db.select(AuditEntry.action).where(AuditEntry.object_type == object_type,
                                           AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.id)))  # fmt: skip


# --- stations and operators -------------------------------------------------------------------


def test_only_admins_create_stations(operator, app):
    reviewer = helpers.make_user(Role.REVIEWER)
    for actor in (operator, reviewer):
        with pytest.raises(NotPermitted):
            stations.create_station(actor, station_details())
    assert db.session.scalar(db.select(db.func.count(GuidanceStation.id))) == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"name": "  "}, "name"),
    ({"town": "北京市"}, "town"),
    ({"host_type": "bank"}, "host_type"),
    ({"contact_phone": "call me"}, "contact_phone"),
    ({"established_on": None}, "established_on"),
    ({"established_on": date.today() + timedelta(days=30)}, "established_on"),
    ({"status": "sleeping"}, "status"),
])  # fmt: skip
def test_station_details_are_checked(admin, change, field):
    with pytest.raises(Invalid) as error:
        stations.create_station(admin, station_details(**change))
    assert error.value.field == field


def test_station_names_are_unique(admin):
    make_station(admin, name="城东站")
    with pytest.raises(Invalid) as error:
        stations.create_station(admin, station_details(name="城东站"))
    assert error.value.field == "name"


def test_update_station_audits_only_what_changed(admin, station):
    details = station_details(name=station.name, status="suspended")
    stations.update_station(station, admin, details)
    entry = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "station.update")).one()  # fmt: skip
    assert entry.before == {"status": "active"} and entry.after == {"status": "suspended"}


def test_assigning_operators(admin, station):
    producer = helpers.make_producer()
    with pytest.raises(Invalid, match="指导站操作员"):  # users see the message in Chinese
        stations.assign_operator(station, admin, producer.email)
    with pytest.raises(Invalid):
        stations.assign_operator(station, admin, "nobody@example.cn")
    second = helpers.make_user(Role.STATION_OPERATOR)
    stations.assign_operator(station, admin, second.email.upper())
    with pytest.raises(Invalid, match="已是本站操作员"):
        stations.assign_operator(station, admin, second.email)
    assert station.has_operator(second)
    stations.remove_operator(station, admin, second.id)
    assert not station.has_operator(second)
    assert audit_actions("station", station.id) == [
        "station.create", "station.assign_operator", "station.assign_operator",
        "station.remove_operator"]  # fmt: skip


def test_operators_cannot_assign_operators(operator, station):
    other = helpers.make_user(Role.STATION_OPERATOR)
    with pytest.raises(NotPermitted):
        stations.assign_operator(station, operator, other.email)


# --- the ledger -------------------------------------------------------------------------------


def test_operator_records_entry_in_own_station_only(admin, operator, station):
    other = make_station(admin)
    entry = make_entry(station, operator)
    assert entry.station_id == station.id
    with pytest.raises(NotPermitted):
        make_entry(other, operator)
    assert db.session.scalar(db.select(db.func.count(LedgerEntry.id))) == 1


def test_role_alone_is_not_enough(admin, station):
    """A station operator who was removed from the station can no longer write to it."""
    former = helpers.make_user(Role.STATION_OPERATOR)
    stations.assign_operator(station, admin, former.email)
    stations.remove_operator(station, admin, former.id)
    with pytest.raises(NotPermitted):
        make_entry(station, former)


@pytest.mark.parametrize(("change", "field"), [
    ({"entry_date": None}, "entry_date"),
    ({"entry_date": local_today() + timedelta(days=1)}, "entry_date"),
    ({"entry_date": date(2020, 1, 1)}, "entry_date"),  # before the station was set up
    ({"kind": "party"}, "kind"),
    ({"people_count": 0}, "people_count"),
    ({"summary": "   "}, "summary"),
    ({"registered_codes": "91370304MA0000000X"}, "registered_codes"),
])  # fmt: skip
def test_entry_content_is_checked(operator, station, change, field):
    with pytest.raises(Invalid) as error:
        ledger.add_entry(station, operator, entry_data(**change))
    assert error.value.field == field


def test_enterprises_are_linked_by_code_or_exact_name(operator, station):
    a, b = helpers.make_producer().enterprise, helpers.make_producer().enterprise
    entry = make_entry(station, operator, registered_codes=f" {a.credit_code.lower()} \n\n",
                       other_enterprises=f"{b.name}\n某个体户\n某个体户")  # fmt: skip
    assert {e.id for e in entry.enterprises} == {a.id, b.id}
    assert entry.other_names == ["某个体户"]


def test_closed_station_records_nothing_new_but_keeps_corrections(admin, operator, station):
    entry = make_entry(station, operator)
    stations.update_station(station, admin, station_details(name=station.name, status="closed"))
    with pytest.raises(InvalidTransition):
        make_entry(station, operator)
    ledger.correct_entry(entry, operator, entry_data(people_count=9), "人数记错")
    assert entry.people_count == 9


def test_correction_keeps_the_previous_content_with_who_when_why(operator, station):
    enterprise = helpers.make_producer().enterprise
    entry = make_entry(station, operator, registered_codes=enterprise.credit_code,
                       summary="原摘要", people_count=3)  # fmt: skip
    ledger.correct_entry(entry, operator, entry_data(summary="更正后的摘要", people_count=4,
                                                       other_enterprises="新增企业"),
                           "签到表核对后人数为 4")  # fmt: skip
    ledger.correct_entry(entry, operator, entry_data(summary="第三版", people_count=4,
                                                       other_enterprises="新增企业"), "措辞")  # fmt: skip
    db.session.expire_all()
    assert entry.revision == 3 and entry.summary == "第三版"
    first, second = sorted(entry.revisions, key=lambda r: r.number)
    assert first.number == 1 and first.previous["summary"] == "原摘要"
    assert first.previous["people_count"] == 3
    assert first.previous["enterprises"][0]["credit_code"] == enterprise.credit_code
    assert first.reason == "签到表核对后人数为 4" and first.changed_by_id == operator.id
    assert first.changed_at is not None
    assert second.previous["summary"] == "更正后的摘要"
    assert second.previous["other_enterprises"] == ["新增企业"]
    assert audit_actions("ledger_entry", entry.id) == ["ledger.create", "ledger.correct",
                                                       "ledger.correct"]  # fmt: skip
    assert verify_chain()[1] is None


def test_correction_needs_a_reason_and_a_change(operator, station):
    entry = make_entry(station, operator)
    with pytest.raises(Invalid) as error:
        ledger.correct_entry(entry, operator, entry_data(people_count=5), "  ")
    assert error.value.field == "reason"
    with pytest.raises(Invalid, match="内容没有变化"):
        ledger.correct_entry(entry, operator, entry_data(), "no change")
    assert db.session.scalar(db.select(db.func.count(LedgerRevision.id))) == 0
    assert entry.revision == 1


def test_publishing_is_audited(operator, station):
    entry = make_entry(station, operator, publish=False)
    ledger.set_entry_published(entry, operator, True)
    ledger.set_entry_published(entry, operator, True)  # already public: nothing to record
    ledger.set_entry_published(entry, operator, False)
    assert audit_actions("ledger_entry", entry.id) == ["ledger.create", "ledger.publish",
                                                       "ledger.unpublish"]  # fmt: skip


def test_attachments_checked_and_removal_keeps_the_record(operator, station):
    entry = make_entry(station, operator)
    with pytest.raises(Invalid, match="JPEG 或 PNG"):
        ledger.add_entry_attachment(entry, operator, "photo", helpers.pdf_upload())
    with pytest.raises(Invalid):
        ledger.add_entry_attachment(entry, operator, "photo", helpers.pdf_upload("x.png"))
    photo = ledger.add_entry_attachment(entry, operator, "photo", png_upload("../../a.png"))
    assert photo.original_name == "a.png" and photo.stored_name.endswith(".png")
    with pytest.raises(Invalid):
        ledger.remove_entry_attachment(photo, operator, "")
    ledger.remove_entry_attachment(photo, operator, "拍错了")
    with pytest.raises(InvalidTransition):
        ledger.remove_entry_attachment(photo, operator, "again")
    db.session.expire_all()
    assert len(entry.attachments) == 1 and entry.attachments[0].removal_reason == "拍错了"


# --- articles ---------------------------------------------------------------------------------


def test_articles_belong_to_their_station(admin, operator, station):
    other = make_station(admin)
    with pytest.raises(NotPermitted):
        articles.create_article(other, operator, {"title": "t", "body": "b", "language": "zh"})
    article = articles.create_article(station, operator, {"title": "t", "body": "b",
                                                          "language": "en"})  # fmt: skip
    with pytest.raises(Invalid) as error:
        articles.update_article(article, operator, {"title": "t", "body": "b", "language": "fr"})
    assert error.value.field == "language"
    articles.update_article(article, operator, {"title": "新标题", "body": "b", "language": "en"})
    articles.set_article_published(article, operator, True)
    assert article.is_published and article.published_at is not None
    assert audit_actions("guidance_article", article.id) == [
        "article.create", "article.update", "article.publish"]  # fmt: skip


# --- consent ----------------------------------------------------------------------------------


def test_consent_names_a_station_only_when_given_and_not_withdrawn(admin, operator, station):
    producer = helpers.make_producer()
    enterprise = producer.enterprise
    unrelated = make_station(admin)
    assert stations.station_that_helped(enterprise) is None
    with pytest.raises(Invalid):  # no ledger entry names the enterprise yet
        stations.give_consent(enterprise, producer, station.id)
    make_entry(station, operator, kind="gi_mark_help", registered_codes=enterprise.credit_code)
    with pytest.raises(Invalid):  # a station that never served it
        stations.give_consent(enterprise, producer, unrelated.id)
    with pytest.raises(NotPermitted):  # the station itself cannot claim the credit
        stations.give_consent(enterprise, operator, station.id)
    stations.give_consent(enterprise, producer, station.id)
    assert stations.station_that_helped(enterprise) == station
    # The station corrects its ledger: the enterprise was not the one served after all.
    entry = db.session.scalars(db.select(LedgerEntry).where(
        LedgerEntry.station_id == station.id)).one()  # fmt: skip
    ledger.correct_entry(entry, operator, entry_data(kind="gi_mark_help"), "企业记错")
    assert stations.station_that_helped(enterprise) is None
    ledger.correct_entry(entry, operator, entry_data(
        kind="gi_mark_help", registered_codes=enterprise.credit_code), "改回")  # fmt: skip
    assert stations.station_that_helped(enterprise) == station
    stations.withdraw_consent(enterprise, producer)
    assert stations.station_that_helped(enterprise) is None
    with pytest.raises(InvalidTransition):
        stations.withdraw_consent(enterprise, producer)
    assert audit_actions("enterprise", enterprise.id)[-2:] == ["consent.give", "consent.withdraw"]
