"""Every collection the API publishes, in the order the index and the OpenAPI document list them."""

from .certificates import CERTIFICATES
from .records import ANNOUNCEMENTS, STANDARDS, STATIONS
from .resources import AUTHORIZATIONS, PRODUCERS
from .spec import Resource

RESOURCES: tuple[Resource, ...] = (
    PRODUCERS,
    AUTHORIZATIONS,
    CERTIFICATES,
    STANDARDS,
    STATIONS,
    ANNOUNCEMENTS,
)
