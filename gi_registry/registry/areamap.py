"""The production area as a schematic map: one box per division, placed by rough relative position.

Not a survey map. The boxes follow what public descriptions say about where each division lies
(域城 north-west, 白塔 north, the city's two subdistricts either side of the 孝妇河, 八陡 east,
源泉 south-east of it, 池上 furthest south-east, 博山镇 south); boundaries, areas and distances are
not shown because the project has no surveyed data for them.
"""

from dataclasses import dataclass

from ..extensions import db
from ..models import Authorization, AuthorizationStatus, Enterprise
from ..templating import town_label

# town: (x, y, width, height) in a 340 x 430 viewBox, north up.
LAYOUT = {
    "域城镇": (20, 20, 140, 70),
    "白塔镇": (170, 20, 140, 70),
    "城西街道": (50, 100, 110, 70),
    "城东街道": (170, 100, 110, 70),
    "山头街道": (110, 180, 110, 70),
    "八陡镇": (230, 180, 100, 70),
    "石马镇": (40, 260, 120, 70),
    "源泉镇": (170, 260, 130, 70),
    "博山镇": (20, 340, 170, 70),
    "池上镇": (200, 340, 130, 70),
}
SUFFIXES = ("街道", "镇", " Subdistrict", " Town")


@dataclass(frozen=True)
class Box:
    town: str
    x: int
    y: int
    width: int
    height: int
    name: str
    kind: str
    producers: int

    @property
    def cx(self) -> float:
        return self.x + self.width / 2


def split_label(label: str) -> tuple[str, str]:
    """Name and kind of division: 城东街道 -> (城东, 街道); Baita Town -> (Baita, Town)."""
    for suffix in SUFFIXES:
        if label.endswith(suffix) and len(label) > len(suffix):
            return label[: -len(suffix)], suffix.strip()
    return label, ""


def valid_users_by_town(today) -> dict[str, int]:
    """How many enterprises hold a valid authorization, per town (one query)."""
    rows = db.session.execute(
        db.select(Enterprise.town, db.func.count(db.distinct(Enterprise.id)))
        .join(Enterprise.authorizations)
        .where(Authorization.status == AuthorizationStatus.ACTIVE,
               Authorization.valid_until >= today)
        .group_by(Enterprise.town)
    ).all()  # fmt: skip
    return dict(rows)


def boxes(today) -> list[Box]:
    """The ten divisions, labelled in the visitor's language, with their counts of legal users."""
    counts = valid_users_by_town(today)
    result = []
    for town, (x, y, width, height) in LAYOUT.items():
        name, kind = split_label(town_label(town))
        result.append(Box(town, x, y, width, height, name, kind, counts.get(town, 0)))
    return result
