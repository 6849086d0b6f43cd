"""Standards, guidance stations and announcements as open data (models kept by their areas)."""

from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models.registry import Announcement, AnnouncementKind
from ..models.standards import StandardVersion
from ..models.stations import GuidanceStation, HostType, StationStatus
from .params import Param
from .resources import TOWN
from .spec import Field, Resource, day, integer, moment, strings, text

# --- standards -------------------------------------------------------------------------------

PUBLISHED_STATUSES = ["effective", "superseded"]


def standard_key(row: StandardVersion) -> str:
    return f"{row.code}-{row.version}"


def select_standards(args: dict):
    query = db.select(StandardVersion).where(StandardVersion.status.in_(PUBLISHED_STATUSES))
    if "code" in args:
        query = query.where(StandardVersion.code == args["code"])
    if "status" in args:
        query = query.where(StandardVersion.status == args["status"])
    return query.order_by(StandardVersion.code, StandardVersion.effective_from, StandardVersion.id)


def find_standard(key: str):
    code, version = key.rsplit("-", 1)
    return db.session.scalar(
        select_standards({}).where(StandardVersion.code == code, StandardVersion.version == version)
    )


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
        Param(
            "code",
            {"type": "string", "pattern": "^[A-Z][A-Z0-9-]{0,39}$"},
            "Only versions of this standard.",
            extra={"pattern_message": "must be a standard code such as BSLL-WS"},
        ),
        Param("status", {"type": "string", "enum": PUBLISHED_STATUSES}, "In effect or superseded."),
    ),
    key=Param(
        "key",
        {"type": "string", "pattern": "^[A-Z][A-Z0-9-]{0,39}-[0-9]{4}\\.[1-9][0-9]{0,5}$"},
        "Code and version, e.g. BSLL-WS-2026.1.",
        location="path",
        example="BSLL-WS-2026.1",
        extra={"pattern_message": "must be a code and version such as BSLL-WS-2026.1"},
    ),
    select=select_standards,
    find=find_standard,
)

# --- guidance stations -----------------------------------------------------------------------


def select_stations(args: dict):
    query = db.select(GuidanceStation)
    for name in ("town", "status", "host_type"):
        if name in args:
            query = query.where(getattr(GuidanceStation, name) == args[name])
    return query.order_by(GuidanceStation.id)


STATIONS = Resource(
    name="stations",
    schema_name="GuidanceStation",
    title="trademark brand guidance stations",
    fields=(
        integer("id", "Stable identifier of the station."),
        text("name", "Name of the station."),
        text("host_organisation", "Organisation that hosts it (依托单位)."),
        text("host_type", "Kind of host organisation.", enum=[h.value for h in HostType]),
        text("address", "Address."),
        text("town", "Town or subdistrict of Boshan District."),
        text("service_scope", "Services offered."),
        day("established_on", "Date set up."),
        text("status", "Whether it is open.", enum=[s.value for s in StationStatus]),
    ),
    filters=(
        TOWN,
        Param(
            "status",
            {"type": "string", "enum": [s.value for s in StationStatus]},
            "Open, suspended or closed.",
        ),
        Param(
            "host_type",
            {"type": "string", "enum": [h.value for h in HostType]},
            "Kind of host organisation.",
        ),
    ),
    key=Param(
        "station_id",
        {"type": "integer", "minimum": 1, "maximum": 2_147_483_647},
        "The station's identifier.",
        location="path",
        example=1,
    ),
    select=select_stations,
    find=lambda station_id: db.session.get(GuidanceStation, station_id),
)

# --- announcements ---------------------------------------------------------------------------

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
ENTRY_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": [f.name for f in ENTRY_FIELDS],
    "properties": {f.name: {**f.schema, "description": f.description} for f in ENTRY_FIELDS},
}


def select_announcements(args: dict):
    query = db.select(Announcement).options(selectinload(Announcement.entries))
    if "kind" in args:
        query = query.where(Announcement.kind == args["kind"])
    if "year" in args:
        query = query.where(Announcement.year == args["year"])
    return query.order_by(Announcement.published_at, Announcement.id)


ANNOUNCEMENTS = Resource(
    name="announcements",
    schema_name="Announcement",
    title="announcements (公告) with their lists of enterprises",
    fields=(
        integer("id", "Stable identifier of the announcement."),
        text("number", "Announcement number as published."),
        integer("year", "Year of the number."),
        integer("sequence", "Sequence of the number within the year."),
        text(
            "kind",
            "Approval, change, cancellation or correction.",
            enum=[k.value for k in AnnouncementKind],
        ),
        text("title", "Title."),
        text("note", "Text of the announcement above its list."),
        text("issuing_office", "The office that issued it."),
        Field(
            "corrects_id",
            {"type": ["integer", "null"]},
            "The announcement this one corrects, if it is a correction.",
            lambda a: a.corrects_id,
        ),
        moment("published_at", "When it was published."),
        day("published_on", "Date of publication in Boshan (Asia/Shanghai)."),
        Field(
            "entries",
            {"type": "array", "items": ENTRY_SCHEMA},
            "The list of enterprises.",
            lambda a: [{f.name: f.get(e) for f in ENTRY_FIELDS} for e in a.entries],
        ),
    ),
    filters=(
        Param(
            "kind",
            {"type": "string", "enum": [k.value for k in AnnouncementKind]},
            "Only announcements of this kind.",
        ),
        Param(
            "year",
            {"type": "integer", "minimum": 2000, "maximum": 2100},
            "Only announcements numbered in this year.",
        ),
    ),
    key=Param(
        "announcement_id",
        {"type": "integer", "minimum": 1, "maximum": 2_147_483_647},
        "The announcement's identifier.",
        location="path",
        example=1,
    ),
    select=select_announcements,
    find=lambda announcement_id: db.session.scalar(
        select_announcements({}).where(Announcement.id == announcement_id)
    ),
)
