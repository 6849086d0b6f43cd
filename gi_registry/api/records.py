"""Standards, guidance stations and announcements as open data (models kept by their areas)."""

from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models.registry import Announcement, AnnouncementKind
from ..models.standards import StandardVersion
from ..models.stations import GuidanceStation, HostType, StationStatus
from .params import Param, choice, identifier
from .resources import TOWN
from .spec import Resource, day, equals, integer, moment, objects, strings, text

# --- standards -------------------------------------------------------------------------------

PUBLISHED_STATUSES = ["effective", "superseded"]


def standard_key(row: StandardVersion) -> str:
    return f"{row.code}-{row.version}"


def published_standards():
    return (
        db.select(StandardVersion)
        .where(StandardVersion.status.in_(PUBLISHED_STATUSES))
        .order_by(StandardVersion.code, StandardVersion.effective_from, StandardVersion.id)
    )


def is_standard(key: str):
    code, version = key.rsplit("-", 1)
    return (StandardVersion.code == code) & (StandardVersion.version == version)


STANDARDS = Resource(
    name="standards",
    schema_name="StandardVersion",
    title="versions of the product standard",
    fields=(
        text("key", "Code and version together: the identifier of this version.", get=standard_key),
        text("code", "Code of the standard."),
        text("version", "Version, YEAR.N."),
        text(
            "status", "Whether the version is in effect or was superseded.", enum=PUBLISHED_STATUSES
        ),
        text("title_zh", "Title in Chinese.", get=lambda s: s.data["title"]["zh"]),
        text("title_en", "Title in English.", get=lambda s: s.data["title"]["en"]),
        day("issued", "Date of issue."),
        day("effective_from", "First day in effect."),
        day("superseded_on", "First day no longer in effect, if superseded.", null=True),
        text("content_hash", "SHA-256 of the version's content: any change gives a new version."),
        strings(
            "categories",
            "Ids of the product categories it defines.",
            get=lambda s: [c["id"] for c in s.data.get("categories", [])],
        ),
    ),
    filters=(
        equals(
            Param(
                "code",
                {"type": "string", "pattern": "^[A-Z][A-Z0-9-]{0,39}$"},
                "Only versions of this standard.",
                extra={"pattern_message": "must be a standard code such as BSLL-WS"},
            ),
            StandardVersion.code,
        ),
        equals(
            choice("status", PUBLISHED_STATUSES, "In effect or superseded."), StandardVersion.status
        ),
    ),
    key=Param(
        "key",
        {"type": "string", "pattern": "^[A-Z][A-Z0-9-]{0,39}-[0-9]{4}\\.[1-9][0-9]{0,5}$"},
        "Code and version, e.g. BSLL-WS-2026.1.",
        location="path",
        example="BSLL-WS-2026.1",
        extra={"pattern_message": "must be a code and version such as BSLL-WS-2026.1"},
    ),
    rows=published_standards,
    lookup=is_standard,
)

# --- guidance stations -----------------------------------------------------------------------

STATION_STATUSES = [s.value for s in StationStatus]
HOST_TYPES = [h.value for h in HostType]

STATIONS = Resource(
    name="stations",
    schema_name="GuidanceStation",
    title="trademark brand guidance stations",
    fields=(
        integer("id", "Stable identifier of the station."),
        text("name", "Name of the station."),
        text("host_organisation", "Organisation that hosts it (依托单位)."),
        text("host_type", "Kind of host organisation.", enum=HOST_TYPES),
        text("address", "Address."),
        text("town", "Town or subdistrict of Boshan District."),
        text("service_scope", "Services offered."),
        day("established_on", "Date set up."),
        text("status", "Whether it is open.", enum=STATION_STATUSES),
    ),
    filters=(
        equals(TOWN, GuidanceStation.town),
        equals(
            choice("status", STATION_STATUSES, "Open, suspended or closed."),
            GuidanceStation.status,
        ),
        equals(
            choice("host_type", HOST_TYPES, "Kind of host organisation."), GuidanceStation.host_type
        ),
    ),
    key=identifier("station_id", "The station's identifier.", path=True),
    rows=lambda: db.select(GuidanceStation).order_by(GuidanceStation.id),
    lookup=lambda station_id: GuidanceStation.id == station_id,
)

# --- announcements ---------------------------------------------------------------------------

KINDS = [k.value for k in AnnouncementKind]
ENTRY_FIELDS = (
    integer("position", "序号: line number in the announcement."),
    integer("producer_id", "The producer's identifier.", get=lambda e: e.enterprise_id),
    text("enterprise_name", "企业名称 as published."),
    text("credit_code", "统一社会信用代码 as published."),
    text("address", "地址 as published."),
    text("products", "产品: the products, in words, as published."),
    strings("scope", "Ids of the product categories."),
    day("event_date", "核准日期, 变更日期 or 注销日期, by the kind of announcement."),
    text("reason", "变更事项, 注销原因 or 更正说明 (empty for approvals)."),
)

ANNOUNCEMENTS = Resource(
    name="announcements",
    schema_name="Announcement",
    title="announcements (公告) with their lists of enterprises",
    fields=(
        integer("id", "Stable identifier of the announcement."),
        text("number", "Announcement number as published."),
        integer("year", "Year of the number."),
        integer("sequence", "Sequence of the number within the year."),
        text("kind", "Approval, change, cancellation or correction.", enum=KINDS),
        text("title", "Title."),
        text("note", "Text of the announcement above its list."),
        text("issuing_office", "The office that issued it."),
        integer(
            "corrects_id", "The announcement this one corrects, if it is a correction.", null=True
        ),
        moment("published_at", "When it was published."),
        day("published_on", "Date of publication in Boshan (Asia/Shanghai)."),
        objects("entries", "The list of enterprises.", ENTRY_FIELDS),
    ),
    filters=(
        equals(choice("kind", KINDS, "Only announcements of this kind."), Announcement.kind),
        equals(
            Param(
                "year",
                {"type": "integer", "minimum": 2000, "maximum": 2100},
                "Only announcements numbered in this year.",
            ),
            Announcement.year,
        ),
    ),
    key=identifier("announcement_id", "The announcement's identifier.", path=True),
    rows=lambda: (
        db.select(Announcement)
        .options(selectinload(Announcement.entries))
        .order_by(Announcement.published_at, Announcement.id)
    ),
    lookup=lambda announcement_id: Announcement.id == announcement_id,
)
