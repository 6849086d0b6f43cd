"""Station services: stations and operators (admins), and a producer's consent to be credited.

Each service checks who acts and in which state, writes its audit entry and commits once. The
ledger lives in `ledger.py`, articles in `articles.py`, counts and exports in `reports.py`.
Other areas call `station_that_helped` and `yearly_totals` from here.
"""

import re
from datetime import date

from flask_babel import gettext as _

from ..audit.services import record, snapshot
from ..clock import local_today
from ..exceptions import Invalid, InvalidTransition, NotPermitted
from ..extensions import db
from ..models import Enterprise, Role, User
from ..models.base import utcnow
from ..models.stations import (
    GuidanceConsent,
    GuidanceStation,
    HostType,
    LedgerEnterprise,
    LedgerEntry,
    StationOperator,
    StationStatus,
)
from ..reference import TOWNS
from .access import can_manage
from .reports import yearly_totals  # noqa: F401  (part of this module's public interface)

STATION_FIELDS = ("name", "host_organisation", "host_type", "address", "town", "service_scope",
                  "contact_person", "contact_phone", "established_on", "status")  # fmt: skip
PHONE = re.compile(r"^[0-9 +\-()]{5,30}$")


def ensure_admin(actor: User) -> None:
    if not actor.has_role(Role.ADMIN):
        raise NotPermitted(_("Only administrators can manage stations."))


def ensure_manager(actor: User, station: GuidanceStation) -> None:
    if not can_manage(actor, station):
        raise NotPermitted(_("Only this station's operators can change its records."))


def check_station_data(data: dict, station: GuidanceStation | None = None) -> dict:
    """The station's details, checked; raises Invalid naming the field."""
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    for field in ("name", "host_organisation", "address", "contact_person", "contact_phone"):
        if not data.get(field):
            raise Invalid(_("This field is required."), field)
    same_name = db.session.scalar(
        db.select(GuidanceStation.id).where(GuidanceStation.name == data["name"])
    )
    if same_name is not None and (station is None or same_name != station.id):
        raise Invalid(_("Another station already has this name."), "name")
    if data.get("host_type") not in set(HostType):
        raise Invalid(_("Choose the kind of host organisation."), "host_type")
    if data.get("town") not in TOWNS:
        raise Invalid(_("Choose a town or subdistrict of Boshan District."), "town")
    if not PHONE.match(data["contact_phone"]):
        raise Invalid(_("Enter a phone number: digits, spaces, + and - only."), "contact_phone")
    established = data.get("established_on")
    if not isinstance(established, date):
        raise Invalid(_("Give the date the station was set up."), "established_on")
    if established > local_today():
        raise Invalid(_("The date the station was set up cannot be in the future."),
                      "established_on")  # fmt: skip
    data["status"] = data.get("status") or StationStatus.ACTIVE
    if data["status"] not in set(StationStatus):
        raise Invalid(_("Choose a status."), "status")
    data["service_scope"] = data.get("service_scope") or ""
    return {f: data[f] for f in STATION_FIELDS}


def create_station(actor: User, data: dict) -> GuidanceStation:
    """An admin records a new station; commits."""
    ensure_admin(actor)
    station = GuidanceStation(**check_station_data(data))
    db.session.add(station)
    db.session.flush()
    record("station.create", "station", station.id, actor, after=snapshot(station, *STATION_FIELDS))
    db.session.commit()
    return station


def update_station(station: GuidanceStation, actor: User, data: dict) -> None:
    """An admin corrects a station's details or changes its status; commits."""
    ensure_admin(actor)
    data = check_station_data(data, station)
    before = snapshot(station, *STATION_FIELDS)
    for field, value in data.items():
        setattr(station, field, value)
    after = snapshot(station, *STATION_FIELDS)
    changed = [f for f in STATION_FIELDS if before[f] != after[f]]
    if changed:
        record("station.update", "station", station.id, actor,
               before={f: before[f] for f in changed}, after={f: after[f] for f in changed})  # fmt: skip
    db.session.commit()


def assign_operator(station: GuidanceStation, actor: User, email: str) -> User:
    """An admin lets a station-operator account keep this station's records; commits."""
    from ..accounts.services import find_user

    ensure_admin(actor)
    user = find_user(email or "")
    if user is None:
        raise Invalid(_("No account has this email."), "email")
    if not user.has_role(Role.STATION_OPERATOR):
        raise Invalid(_("This account does not hold the station operator role. An administrator "
                        "can add the role on the Users page first."), "email")  # fmt: skip
    if station.has_operator(user):
        raise Invalid(_("This account already operates the station."), "email")
    station.operator_rows.append(StationOperator(user_id=user.id, assigned_by_id=actor.id))
    record("station.assign_operator", "station", station.id, actor,
           after={"operator": user.id, "email": user.email})  # fmt: skip
    db.session.commit()
    return user


def remove_operator(station: GuidanceStation, actor: User, user_id: int) -> None:
    """An admin takes a station away from an operator; commits."""
    ensure_admin(actor)
    row = next((r for r in station.operator_rows if r.user_id == user_id), None)
    if row is None:
        raise Invalid(_("This account does not operate the station."))
    record("station.remove_operator", "station", station.id, actor,
           before={"operator": user_id, "email": row.user.email})  # fmt: skip
    station.operator_rows.remove(row)
    db.session.commit()


def operated_stations(user: User) -> list[GuidanceStation]:
    """The stations whose records `user` keeps (every station for an admin)."""
    query = db.select(GuidanceStation).order_by(GuidanceStation.name)
    if not user.has_role(Role.ADMIN):
        query = query.join(StationOperator).where(StationOperator.user_id == user.id)
    return list(db.session.scalars(query))


# --- A producer's consent to name the station that helped it ---------------------------------


def stations_that_served(enterprise: Enterprise) -> list[GuidanceStation]:
    """Stations whose ledger names this enterprise (the only ones it may credit)."""
    return list(db.session.scalars(
        db.select(GuidanceStation).join(LedgerEntry, LedgerEntry.station_id == GuidanceStation.id)
        .join(LedgerEnterprise).where(LedgerEnterprise.enterprise_id == enterprise.id)
        .distinct().order_by(GuidanceStation.name)
    ))  # fmt: skip


def current_consent(enterprise: Enterprise) -> GuidanceConsent | None:
    return db.session.scalar(
        db.select(GuidanceConsent)
        .where(GuidanceConsent.enterprise_id == enterprise.id, GuidanceConsent.withdrawn_at.is_(None))
        .order_by(GuidanceConsent.id.desc()).limit(1)
    )  # fmt: skip


def station_that_helped(enterprise: Enterprise) -> GuidanceStation | None:
    """The station to name on the producer's public record: only if the producer agreed, and
    only while the station's ledger still names the enterprise (a correction may remove it)."""
    consent = current_consent(enterprise)
    if consent is None:
        return None
    backed = db.session.scalar(
        db.select(LedgerEntry.id).join(LedgerEnterprise)
        .where(LedgerEntry.station_id == consent.station_id,
               LedgerEnterprise.enterprise_id == enterprise.id).limit(1)
    )  # fmt: skip
    return consent.station if backed is not None else None


def give_consent(enterprise: Enterprise, actor: User, station_id: int | None) -> GuidanceConsent:
    """The producer agrees to name a station that served it; replaces an earlier choice; commits."""
    if enterprise.owner_id != actor.id:
        raise NotPermitted(_("Only the enterprise's own account can decide this."))
    station = next((s for s in stations_that_served(enterprise) if s.id == station_id), None)
    if station is None:
        raise Invalid(_("Choose a station whose ledger records that it served your enterprise."),
                      "station")  # fmt: skip
    now = utcnow()
    previous = current_consent(enterprise)
    if previous is not None:
        previous.withdrawn_at, previous.withdrawn_by_id = now, actor.id
    consent = GuidanceConsent(enterprise=enterprise, station=station, given_at=now,
                              given_by_id=actor.id)  # fmt: skip
    db.session.add(consent)
    record("consent.give", "enterprise", enterprise.id, actor,
           before={"station": previous.station_id if previous else None},
           after={"station": station.id})  # fmt: skip
    db.session.commit()
    return consent


def withdraw_consent(enterprise: Enterprise, actor: User) -> None:
    """The producer stops showing the station on its public record; commits."""
    if enterprise.owner_id != actor.id:
        raise NotPermitted(_("Only the enterprise's own account can decide this."))
    consent = current_consent(enterprise)
    if consent is None:
        raise InvalidTransition(_("No station is shown on your public record."))
    consent.withdrawn_at, consent.withdrawn_by_id = utcnow(), actor.id
    record("consent.withdraw", "enterprise", enterprise.id, actor,
           before={"station": consent.station_id}, after={"station": None})  # fmt: skip
    db.session.commit()
