"""Static files: fingerprinted URLs with long cache lifetimes."""

import re
from io import BytesIO

from PIL import Image


def test_static_urls_carry_a_content_fingerprint_and_cache_for_a_year(client):
    page = client.get("/").get_data(as_text=True)
    url = re.search(r'href="(/static/css/site.css\?v=[0-9a-f]{12})"', page).group(1)
    response = client.get(url)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]


def test_unfingerprinted_static_is_not_cached_forever(client):
    response = client.get("/static/css/site.css")
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_the_icon_is_where_browsers_look_without_reading_the_page(client):
    """Browsers and feed readers ask for /favicon.ico whatever the page links: an icon, not a
    404 in every log, cached for a day since its address cannot change with it."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in {"image/vnd.microsoft.icon", "image/x-icon"}
    assert "max-age=86400" in response.headers["Cache-Control"]
    icon = Image.open(BytesIO(response.data))
    assert icon.format == "ICO" and {(16, 16), (32, 32)} <= icon.info["sizes"]
