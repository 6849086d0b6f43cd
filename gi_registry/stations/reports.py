"""Counting the ledger: by kind and month, the yearly summary, enterprises served, CSV export.

Every figure comes from the same rows (`ledger_rows`), so the page, the CSV and the district's
yearly totals always agree with the ledger.
"""

import csv
import io
from collections import Counter
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models.stations import GuidanceStation, LedgerEntry, LedgerKind
from .labels import KIND_LABELS, label

# The kinds that inspectors count as "services provided" (as opposed to consultations,
# trainings and publicity, which have their own indicators).
SERVICE_KINDS = (LedgerKind.REGISTRATION_GUIDANCE, LedgerKind.GI_MARK_HELP,
                 LedgerKind.RIGHTS_PROTECTION)  # fmt: skip
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def ledger_rows(station: GuidanceStation | None, year: int | None, published_only: bool
                ) -> list[LedgerEntry]:  # fmt: skip
    """The entries counted: one station (or all), one year (or all), published or every one."""
    query = db.select(LedgerEntry).options(
        selectinload(LedgerEntry.enterprise_links), selectinload(LedgerEntry.attachments)
    )
    if station is not None:
        query = query.where(LedgerEntry.station_id == station.id)
    if year is not None:
        query = query.where(LedgerEntry.entry_date >= date(year, 1, 1),
                            LedgerEntry.entry_date <= date(year, 12, 31))  # fmt: skip
    if published_only:
        query = query.where(LedgerEntry.is_published.is_(True))
    return list(db.session.scalars(query.order_by(LedgerEntry.entry_date, LedgerEntry.id)))


def served_keys(entry: LedgerEntry) -> set[tuple]:
    """One key per enterprise served: the registered id, or the free-text name."""
    keys = {("id", link.enterprise_id) for link in entry.enterprise_links}
    return keys | {("name", name.casefold()) for name in entry.other_names}


def summarise(entries: list[LedgerEntry], year: int | None = None) -> dict:
    """The rating indicators (domain.md §3) and the counts behind the charts."""
    by_kind = {kind.value: {"count": 0, "people": 0} for kind in LedgerKind}
    by_month = [{kind.value: 0 for kind in LedgerKind} for _month in range(12)]
    served: set[tuple] = set()
    for entry in entries:
        by_kind[entry.kind]["count"] += 1
        by_kind[entry.kind]["people"] += entry.people_count
        by_month[entry.entry_date.month - 1][entry.kind] += 1
        served |= served_keys(entry)
    services = [by_kind[k.value] for k in SERVICE_KINDS]
    return {
        "year": year,
        "entries": len(entries),
        "people": sum(e.people_count for e in entries),
        "consultations": by_kind[LedgerKind.CONSULTATION]["count"],
        "consultation_people": by_kind[LedgerKind.CONSULTATION]["people"],
        "trainings": by_kind[LedgerKind.TRAINING]["count"],
        "training_participants": by_kind[LedgerKind.TRAINING]["people"],
        "publicity_events": by_kind[LedgerKind.PUBLICITY]["count"],
        "publicity_people": by_kind[LedgerKind.PUBLICITY]["people"],
        "services": sum(s["count"] for s in services),
        "service_people": sum(s["people"] for s in services),
        "enterprises_helped": len(served),
        "registered_enterprises_helped": sum(1 for kind, _v in served if kind == "id"),
        "by_kind": by_kind,
        "by_month": [sum(month.values()) for month in by_month],
        "by_month_kind": by_month,
    }


def station_year_summary(station: GuidanceStation, year: int, published_only: bool) -> dict:
    """One station's indicators for one calendar year."""
    summary = summarise(ledger_rows(station, year, published_only), year)
    summary["can_be_rated"] = can_be_rated(station, year)
    return summary


def can_be_rated(station: GuidanceStation, year: int) -> bool:
    """A station must have run a full year by the end of `year` before it can be rated."""
    established = station.established_on
    try:
        anniversary = established.replace(year=established.year + 1)
    except ValueError:  # set up on 29 February
        anniversary = date(established.year + 1, 3, 1)
    return anniversary <= date(year, 12, 31)


def yearly_totals(year: int, published_only: bool = False) -> dict:
    """Every station's ledger for `year` added up, for the provincial report and the dashboard.

    Keys: year, stations (set up by the end of the year), stations_reporting (with at least one
    entry), entries, people, consultations, consultation_people, trainings,
    training_participants, publicity_events, publicity_people, services, service_people,
    enterprises_helped (distinct across stations), registered_enterprises_helped, by_kind
    ({kind: {count, people}}), by_month (12 entry counts), by_month_kind, by_station (list of
    {id, name, entries, consultations, trainings, services, enterprises_helped}).
    Counts every entry unless `published_only`.
    """
    entries = ledger_rows(None, year, published_only)
    totals = summarise(entries, year)
    stations = db.session.scalars(
        db.select(GuidanceStation).where(GuidanceStation.established_on <= date(year, 12, 31))
        .order_by(GuidanceStation.name)
    ).all()  # fmt: skip
    grouped: dict[int, list[LedgerEntry]] = {}
    for entry in entries:
        grouped.setdefault(entry.station_id, []).append(entry)
    totals["stations"] = len(stations)
    totals["stations_reporting"] = len(grouped)
    totals["by_station"] = []
    for station in stations:
        part = summarise(grouped.get(station.id, []), year)
        totals["by_station"].append({
            "id": station.id, "name": station.name, "entries": part["entries"],
            "consultations": part["consultations"], "trainings": part["trainings"],
            "services": part["services"], "enterprises_helped": part["enterprises_helped"],
        })  # fmt: skip
    return totals


def enterprises_served(entries: list[LedgerEntry]) -> list[dict]:
    """Each enterprise served (registered or named in text) with how many entries name it."""
    counts: Counter = Counter()
    names: dict[tuple, dict] = {}
    for entry in entries:
        for link in entry.enterprise_links:
            key = ("id", link.enterprise_id)
            names.setdefault(key, {"name": link.enterprise.name,
                                   "credit_code": link.enterprise.credit_code})  # fmt: skip
        for name in entry.other_names:
            names.setdefault(("name", name.casefold()), {"name": name, "credit_code": ""})
        counts.update(served_keys(entry))
    rows = [{**names[key], "entries": counts[key], "registered": key[0] == "id"} for key in names]
    return sorted(rows, key=lambda r: (-r["entries"], r["name"]))


def available_years(station: GuidanceStation, today: date) -> list[int]:
    """The years a visitor can choose for a station, newest first."""
    return list(range(today.year, min(station.established_on.year, today.year) - 1, -1))


def csv_cell(value) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


def ledger_csv(station: GuidanceStation, entries: list[LedgerEntry]) -> str:
    """The ledger as CSV text, with a byte-order mark so that Excel reads the Chinese right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Station"), _("Entry No."), _("Date"), _("Kind of service"),
                     _("Number of people"), _("Registered enterprises"), _("Credit codes"),
                     _("Other enterprises"), _("Summary"), _("Published"), _("Revision"),
                     _("Photos and sign-in sheets")])  # fmt: skip
    for entry in entries:
        enterprises = entry.enterprises
        writer.writerow([csv_cell(v) for v in (
            station.name, entry.id, entry.entry_date.isoformat(), label(KIND_LABELS, entry.kind),
            entry.people_count, "；".join(e.name for e in enterprises),
            "；".join(e.credit_code for e in enterprises), "；".join(entry.other_names),
            entry.summary, _("yes") if entry.is_published else _("no"), entry.revision,
            sum(1 for a in entry.attachments if a.removed_at is None),
        )])  # fmt: skip
    return "\ufeff" + out.getvalue()
