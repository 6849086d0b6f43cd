"""Every entity of the registry, one module per area; importing this package registers them all."""

from . import changes  # noqa: F401  (PostgreSQL: change notices for the verification cache)
from .accounts import Role, User, UserRole
from .audit import AuditEntry
from .authorization import (
    Application,
    ApplicationState,
    Attachment,
    Authorization,
    AuthorizationStatus,
    Counter,
)
from .certificates import Certificate, FakeReport, Scan  # noqa: F401
from .dashboard import ScanTally, ScanTallyMark  # noqa: F401
from .enterprises import Enterprise, Route
from .labels import Label, LabelBatch  # noqa: F401
from .registry import Announcement, AnnouncementEntry, ProductPhoto  # noqa: F401
from .reports import ReportNotice, UseReport, UseReportLine  # noqa: F401
from .standards import ClauseAnswer, ClauseReview, StandardVersion  # noqa: F401
from .stations import GuidanceStation  # noqa: F401  (registers every station model)

__all__ = [
    "Application",
    "ApplicationState",
    "Attachment",
    "AuditEntry",
    "Authorization",
    "AuthorizationStatus",
    "Counter",
    "Enterprise",
    "Role",
    "Route",
    "User",
    "UserRole",
]
