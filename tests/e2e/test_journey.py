"""The whole journey in a real browser (Debian's headless Chromium, driven by Playwright).

A producer signs up and applies with attachments; a reviewer returns the application; the producer
corrects and resubmits; the reviewer passes it clause by clause; an approver approves; the
certificate PDF's QR is decoded and opened on a phone; a suspension shows on that same URL; labels
are ordered and one label, scanned by many phones, warns that it may have been copied.

Screenshots of the key pages go to tests/artifacts/ (git-ignored).
"""

import re
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from gi_registry.certificates import qr
from gi_registry.clock import local_today
from gi_registry.models import Role

from .. import helpers
from .browser import (  # skips the module, saying why, where there is no browser
    PHONE,
    Page,
    expect,
    new_page,
    registry,
    sign_in,
)

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@dataclass
class Site:
    url: str
    app: object
    reviewer: str  # e-mail addresses; the password is helpers.PASSWORD
    approver: str


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The registry in a real HTTP server on a fresh database, with two officials."""

    def officials() -> tuple[str, str]:
        return (helpers.make_user(Role.REVIEWER, email="reviewer@e2e.example.cn").email,
                helpers.make_user(Role.APPROVER, email="approver@e2e.example.cn").email)  # fmt: skip

    with registry(tmp_path_factory.mktemp("e2e"), officials) as (url, app, emails):
        yield Site(url, app, *emails)


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def flash_says(page: Page, text: str) -> None:
    expect(page.locator(".flash", has_text=text).first).to_be_visible()


def decode_pdf(data: bytes, tmp: Path, name: str, dpi: int = 200) -> list[str]:
    """The QR texts on the first page of a PDF, read from pixels (pdftoppm, then zxing)."""
    pdf = tmp / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(tmp / name)], check=True, capture_output=True)  # fmt: skip
    return qr.decode((tmp / f"{name}.png").read_bytes())


def download(page: Page, link_text: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_text).click()
    return Path(info.value.path()).read_bytes()


def make_documents(tmp: Path) -> dict[str, Path]:
    """What a producer would scan and upload: PDFs and a photo."""
    from reportlab.pdfgen import canvas

    files = {}
    for kind in ("application_form", "licence_contract", "licence_recording_notice"):
        path = tmp / f"{kind}.pdf"
        page = canvas.Canvas(str(path))
        page.drawString(72, 760, f"Scanned document: {kind}")
        page.save()
        files[kind] = path
    photo = tmp / "flower-ball.png"
    helpers.png_upload().save(str(photo))
    files["product_photos"] = photo
    return files


def attach(page: Page, kind: str, path: Path) -> None:
    page.select_option("#kind", kind)
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="Attach").click()
    flash_says(page, "Document attached.")


def answer_clauses(page: Page) -> None:
    """Answer every clause on the answers page as a producer reading the requirements would."""
    for clause in page.locator("fieldset.clause").all():
        applies = clause.locator("input[type=radio][value=yes]")
        if applies.count():
            applies.check()
        declare = clause.locator("input[type=checkbox][name$=_declare]")
        if declare.count():
            declare.check()
        documents = clause.locator("input[type=checkbox][name$=_attachments]")
        if documents.count():
            documents.first.check()
        value = clause.locator("input[name$=_value]")
        if value.count():
            limits = clause.locator("p", has_text=re.compile("Limits:")).inner_text()
            value.fill(re.search(r"[≥≤]\s*([0-9.]+)", limits)[1])
        note = clause.locator("textarea[name$=_note]")
        if "inspector" in clause.inner_text():
            note.fill("Samples and kiln records at the workshop, weekdays 9:00–17:00.")
    page.get_by_role("button", name="Save answers").click()
    flash_says(page, "Answers saved")  # the POST has landed before the caller moves on


def act(page: Page, action: str, grounds: str = "") -> None:
    """Press an action button on the application page, with grounds where there is a box."""
    form = page.locator(f"form[action$='/{action}']")
    if grounds:
        form.locator("textarea[name=grounds]").fill(grounds)
    form.locator("button[type=submit]").click()


def test_the_whole_journey(browser, site, tmp_path):
    files = make_documents(tmp_path)
    producer_email = "maker@e2e.example.cn"

    # 1. A producer signs up, then registers the enterprise.
    producer = new_page(browser, site.url)
    producer.goto(f"{site.url}/account/register")
    producer.fill("#email", producer_email)
    producer.fill("#name", "王师傅")
    producer.fill("#password", helpers.PASSWORD)
    producer.fill("#confirm", helpers.PASSWORD)
    producer.click("main form button[type=submit]")
    flash_says(producer, "Now register your enterprise")
    producer.fill("#name", "博山琉璃花球坊")
    producer.fill("#credit_code", helpers.valid_code(4242))
    producer.fill("#legal_representative", "王五")
    producer.fill("#address", "山头街道琉璃路 8 号")
    producer.select_option("#town", "山头街道")
    producer.fill("#phone", "0533-4100008")
    producer.check("input[name=route][value=certification_licensee]")
    producer.fill("#trademark_name", "博山琉璃")
    producer.fill("#trademark_reg_no", "12345678")
    producer.fill("#trademark_valid_until", "2030-12-31")
    producer.fill("#licence_start", "2025-01-01")
    producer.fill("#licence_end", "2030-12-31")
    producer.click("main form button[type=submit]")
    expect(producer.locator("main")).to_contain_text("博山琉璃花球坊")
    shot(producer, "01-enterprise-registered")

    # 2. It starts an application, attaches the materials through the file input, answers the
    #    clauses of the standard and submits.
    producer.goto(f"{site.url}/applications/new")
    producer.check("input[name=categories][value=flower-ball]")
    producer.click("main form button[type=submit]")
    flash_says(producer, "Draft saved")
    application_url = producer.url
    attach(producer, "application_form", files["application_form"])
    attach(producer, "licence_contract", files["licence_contract"])
    attach(producer, "product_photos", files["product_photos"])
    expect(producer.locator(".attachments")).to_contain_text("flower-ball.png")
    expect(producer.locator("main")).to_contain_text("Still missing")
    producer.get_by_role("link", name="Answer the clauses").click()
    answer_clauses(producer)
    producer.goto(application_url)
    expect(producer.locator("#clauses ~ p").first).not_to_contain_text("not answered")
    act(producer, "submit")
    # The licence-recording notice is missing: refused, with a message, still a draft.
    expect(producer.locator(".flash-error")).to_be_visible()
    expect(producer.locator(".state-line")).to_contain_text("Draft")
    attach(producer, "licence_recording_notice", files["licence_recording_notice"])
    act(producer, "submit")
    flash_says(producer, "Application submitted.")
    shot(producer, "02-application-submitted")

    # 3. The reviewer returns it for correction, with grounds.
    reviewer = new_page(browser, site.url)
    sign_in(reviewer, site.url, site.reviewer)
    reviewer.goto(f"{site.url}/review")
    reviewer.locator("tr", has_text="博山琉璃花球坊").get_by_role("link").first.click()
    shot(reviewer, "03-reviewer-application")
    grounds = "The licence contract is unsigned: upload the signed and sealed copy."
    act(reviewer, "return", grounds)
    flash_says(reviewer, "returned for correction")

    # 4. The producer sees the grounds, corrects and resubmits.
    producer.goto(application_url)
    expect(producer.locator(".state-line")).to_contain_text("Returned")
    expect(producer.locator("main")).to_contain_text(grounds)
    shot(producer, "04-returned-with-grounds")
    producer.locator(".attachments li", has_text="licence_contract.pdf").get_by_role(
        "button", name="Remove").click()  # fmt: skip
    flash_says(producer, "Document removed.")
    signed = tmp_path / "licence_contract_signed.pdf"
    signed.write_bytes(files["licence_contract"].read_bytes().replace(b"Scanned", b"Signed!"))
    attach(producer, "licence_contract", signed)
    act(producer, "resubmit", "Signed and sealed contract attached.")
    flash_says(producer, "Application resubmitted.")

    # 5. The reviewer passes every clause, then the district review.
    reviewer.goto(application_url)
    reviewer.get_by_role("link", name="Review the clauses").click()
    for select in reviewer.locator("select[name$=_result]").all():
        select.select_option("pass")
    shot(reviewer, "05-clause-review")
    reviewer.get_by_role("button", name="Record the results").click()
    flash_says(reviewer, "Review results recorded")  # the POST has landed before we move on
    reviewer.goto(application_url)
    act(reviewer, "pass_review", "All clauses pass on the current answers.")
    flash_says(reviewer, "District review recorded as passed.")

    # 6. The approver approves.
    approver = new_page(browser, site.url)
    sign_in(approver, site.url, site.approver)
    approver.goto(application_url)
    act(approver, "approve", "Approved by the provincial office.")
    flash_says(approver, "Application approved.")
    expect(approver.locator("main")).to_contain_text("Authorization")
    shot(approver, "06-approved")

    # 7. The producer downloads the certificate PDF; its QR is read from the rendered page.
    producer.goto(f"{site.url}/certificates")
    producer.locator("main a[href^='/certificates/']").first.click()
    pdf = download(producer, "Certificate (PDF, A4)")
    assert pdf.startswith(b"%PDF")
    texts = decode_pdf(pdf, tmp_path, "certificate")
    assert len(texts) == 1, texts
    scanned = texts[0]
    assert scanned.startswith(f"{site.url}/v/") and "#" in scanned
    shot(producer, "07-certificate")

    # 8. A consumer's phone opens the scanned address: valid, in words (Chinese by default).
    phone = new_page(browser, site.url, lang="zh", viewport=PHONE)
    phone.goto(scanned)
    verdict = phone.locator(".verdict")
    expect(verdict).to_have_class(re.compile("verdict-valid"))
    expect(verdict.locator("h1")).to_have_text("有效")
    expect(phone.locator("#payload-mismatch")).to_be_hidden()  # the signed payload matches
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "08-phone-valid-zh")
    phone_en = new_page(browser, site.url, viewport=PHONE)
    phone_en.goto(scanned)
    expect(phone_en.locator(".verdict h1")).to_have_text("Valid")
    shot(phone_en, "08-phone-valid-en")

    # 9. The approver suspends the authorization, with grounds and a deadline.
    approver.goto(application_url)
    approver.get_by_role("link", name="Manage").click()
    suspend = approver.locator("form[action$='/suspend']")
    suspend.locator("textarea[name=grounds]").fill("Market inspection: products outside scope.")
    deadline = local_today() + timedelta(days=30)
    suspend.locator("input[name=deadline]").fill(deadline.isoformat())
    suspend.locator("button[type=submit]").click()
    expect(approver.locator(".state-line")).to_contain_text("Suspended")
    shot(approver, "09-suspended")

    # 10. The same scanned address now says suspended (a new tab: going to the very same URL
    #     with a #fragment in the old one would only scroll, not reload).
    phone_en = new_page(browser, site.url, viewport=PHONE)
    phone_en.goto(scanned)
    expect(phone_en.locator(".verdict")).to_have_class(re.compile("verdict-suspended"))
    expect(phone_en.locator(".verdict h1")).to_have_text("Suspended")
    expect(phone_en.locator("main")).to_contain_text("This item may not be genuine")
    shot(phone_en, "10-phone-suspended")

    # 11. Reinstated, the producer orders a batch of labels and downloads the sheet.
    reinstate = approver.locator("form[action$='/reinstate']")
    reinstate.locator("textarea[name=grounds]").fill("Rectified within the deadline.")
    reinstate.locator("button[type=submit]").click()
    expect(approver.locator(".state-line")).to_contain_text("Valid")
    producer.goto(f"{site.url}/labels/")
    producer.get_by_role("link", name=re.compile("Order labels")).first.click()
    producer.select_option("#category", "flower-ball")
    producer.fill("#quantity", "40")
    producer.get_by_role("button", name="Order labels").click()
    sheet_link = producer.get_by_role("link", name="Download label sheets (PDF)")
    expect(sheet_link).to_be_visible(timeout=60_000)  # the page reloads itself until ready
    shot(producer, "11-label-batch")
    sheet = download(producer, "Download label sheets (PDF)")
    labels = decode_pdf(sheet, tmp_path, "labels", dpi=300)
    assert len(set(labels)) == 40, f"{len(set(labels))} distinct label QR codes read, not 40"
    assert all(text.startswith(f"{site.url}/l/") for text in labels)
    label_url = labels[0]

    # 12. One label scanned by many different phones: after the threshold, the copy warning.
    threshold = site.app.config.get("LABEL_COPY_THRESHOLD", 5)  # more scanners than this warn
    for n in range(1, threshold + 2):
        scanner = new_page(browser, site.url, viewport=PHONE,
                           user_agent=f"Mozilla/5.0 (Linux; Android 14; Phone {n}) Mobile")  # fmt: skip
        scanner.goto(label_url)
        expect(scanner.locator(".verdict")).to_have_class(re.compile("verdict-valid"))
        warning = scanner.locator("section.verify-warning", has_text="may have been copied")
        if n <= threshold:
            expect(warning).to_have_count(0)
            if n == 1:
                expect(scanner.locator("main")).to_contain_text("First check.")
        else:
            expect(warning).to_be_visible()
            shot(scanner, "12-label-copy-warning")
        scanner.context.close()
