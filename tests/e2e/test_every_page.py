"""Every page each demo user reaches by following links, read on a phone in Chinese and in English.

None is wider than the phone's screen (a table, a long option or an e-mail address in a heading
that widens the page makes the whole site slide sideways), none answers with an error, and none
logs an error to the browser's console (a script or style the Content-Security-Policy blocked, a
file that is missing, a script that failed). Each has one h1 and the language asked for, and
axe-core (the engine of the browsers' accessibility audits) finds nothing on it: a label for every
field, words for every link and image, text that stands out from its background, tables a
keyboard can scroll.

The site is `make run`'s: the demo data (gi seed-demo) on a fresh database. Each user follows every
link on the site from the home page; addresses that differ only by their numbers
(/account/users/3, /account/users/4) are read twice at most.
"""

import re
from collections import Counter
from urllib.parse import urljoin, urlsplit

import pytest

from gi_registry import demo
from gi_registry.categories import slugs

from .browser import PHONE, Axe, Page, new_page, registry, sign_in

pytestmark = pytest.mark.browser

USERS = {
    "visitor": None,
    "producer": "glass-b@demo.example.cn",  # holds the demo's authorization
    "producer without authorization": "glass-a@demo.example.cn",
    "reviewer": "reviewer@demo.boshan.gov.cn",
    "approver": "approver@demo.boshan.gov.cn",
    "station operator": "station@demo.boshan.gov.cn",
    "administrator": "admin@demo.boshan.gov.cn",
}
# Links the crawler does not follow: they end the session or switch the language, or are the
# static files every page loads (a link to a download is followed: the browser saves the file).
NOT_PAGES = re.compile(r"^/(static/|lang/|account/logout)")
SAME_PAGE_TWICE_AT_MOST = 2
MAX_PAGES = 400  # a guard against a link that makes new addresses forever


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """`make run`'s site: the demo data on a fresh database."""

    def demo_data() -> bool:
        return demo.seed_demo(set(slugs()))

    with registry(tmp_path_factory.mktemp("every-page"), demo_data) as (url, _app, seeded):
        assert seeded
        yield url


def shape(path: str) -> str:
    """/account/users/3?page=2&q=x -> /account/users/N?page&q: the page a template draws."""
    parts = urlsplit(path)
    keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def links(page: Page, url: str, here: str) -> list[str]:
    found = []
    for href in page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))"):
        address = urljoin(url + here, href).split("#")[0]
        if address.startswith(url + "/"):
            path = address[len(url) :]
            if not NOT_PAGES.match(path):
                found.append(path)
    return found


# What axe-core does not check: one h1, and the page in the language asked for.
OUTLINE = """(lang) => {
  const faults = [];
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) faults.push(`${h1} h1 headings, not one`);
  const said = document.documentElement.lang;
  if (!said.startsWith(lang)) faults.push(`<html lang="${said}"> on a page asked for in ${lang}`);
  return faults;
}"""
AXE = Axe()  # axe-core, the engine of the browsers' own accessibility audits


def accessibility_faults(page: Page) -> list[str]:
    """axe-core's violations on the page (WCAG 2 A and AA, and its best practices): a field
    without a label, a link or an image without words, text too faint for its background, a
    scrolling table a keyboard cannot reach..."""
    return [f"{rule['id']} ({rule['impact']}): {rule['help']}: {node['target']}"
            for rule in AXE.run(page).response["violations"]
            for node in rule["nodes"][:3]]  # fmt: skip


def crawl(page: Page, url: str, lang: str) -> tuple[int, list[str]]:
    """(pages read, what is wrong with them) for everything reachable from the home page."""
    problems, console = [], []

    def on_console(message) -> None:
        if message.type == "error":
            console.append(f"{message.text} ({message.location['url']})")

    def on_response(response) -> None:
        if response.status >= 400:
            console.append(f"{response.url}: HTTP {response.status}")

    def on_request_failed(request) -> None:
        if request.failure != "net::ERR_ABORTED":  # aborted: the crawler went to the next page
            console.append(f"{request.url}: {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: console.append(str(error)))
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    todo, queued, shapes, read = ["/"], {"/"}, Counter(), 0
    while todo and read < MAX_PAGES:
        path = todo.pop(0)
        if shapes[shape(path)] >= SAME_PAGE_TWICE_AT_MOST:
            continue
        shapes[shape(path)] += 1
        console.clear()
        try:
            response = page.goto(url + path)
        except Exception as error:  # a link to a file: the browser downloads it, which is fine
            if "Download is starting" not in str(error):
                problems.append(f"{path}: {error}")
            continue
        read += 1
        if response.status >= 400:
            problems.append(f"{path}: HTTP {response.status}")
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path}: {width} px wide on a {PHONE['width']} px screen")
        if console:
            problems.append(f"{path}: console: {console[:3]}")
        faults = page.evaluate(OUTLINE, lang)
        if shapes[shape(path)] == 1:  # the first page of its kind: axe takes ~0.1 s a page
            faults += accessibility_faults(page)
        problems += [f"{path}: {fault}" for fault in faults]
        for found in links(page, url, path):
            if found not in queued:
                queued.add(found)
                todo.append(found)
    return read, problems


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("user", USERS)
def test_every_page_fits_a_phone_answers_and_reads(browser, site, user, lang):
    page = new_page(browser, site, lang=lang, viewport=PHONE)
    if USERS[user]:
        sign_in(page, site, USERS[user], demo.PASSWORD)
    read, problems = crawl(page, site, lang)
    page.context.close()
    assert read >= 20, f"only {read} pages reached: is the crawler following the links?"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_form_sent_with_mistakes_says_so_by_each_field(browser, site, lang):
    """The fake report as a consumer's phone sends it with the required answers left out (the
    browser's own checks switched off, as an old browser would): each wrong field is marked the
    same way, in red, with its message in the page's language read out with it; what was typed
    is kept; axe finds nothing on the page."""
    page = new_page(browser, site, lang=lang, viewport=PHONE)
    page.goto(f"{site}/report")
    page.fill("#contact", "13800000000")
    page.evaluate("document.querySelectorAll('form').forEach(form => form.noValidate = true)")
    page.click("main form button[type=submit]")
    wrong = page.locator(".field.has-error")
    assert wrong.count() == 2
    for field in wrong.all():
        control = field.locator("input, textarea").first
        message = field.locator(".error")
        assert control.get_attribute("aria-invalid") == "true"
        assert message.get_attribute("id") in control.get_attribute("aria-describedby").split()
        assert (
            "此项为必填项" if lang == "zh" else "This field is required"
        ) in message.inner_text()
        red = message.evaluate("element => getComputedStyle(element).color")
        assert control.evaluate("element => getComputedStyle(element).borderTopColor") == red
        assert field.locator("label .req").count() == 1  # the asterisk on the label's line
    assert page.input_value("#contact") == "13800000000"
    assert accessibility_faults(page) == []
    page.context.close()
