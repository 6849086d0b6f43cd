"""The browser the browser tests share (one Chromium per test module)."""

import pytest


@pytest.fixture(scope="module")
def browser():
    # Imported here, not above: a module that asks for a browser has imported .browser first,
    # which skips it (saying why) where there is no Chromium.
    from .browser import chromium

    with chromium() as browser:
        yield browser
