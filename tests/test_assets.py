"""Static files: fingerprinted URLs with long cache lifetimes."""

import re


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
