"""Who may reach each route: the table behind the generated permission matrix.

Every endpoint of the app must appear here (test_access_matrix fails otherwise), so a new route
cannot ship without someone deciding who may use it. A rule gives the URL for the shared "world"
(see test_access_matrix.World) and the expected answer of a GET (or of a POST with a valid CSRF
token but no form data, for POST-only routes) for each role:

  200/302: allowed (302 when the page redirects on success or on empty input)
  LOGIN:   sent to the sign-in page (anonymous visitors)
  403:     signed in but without the role
  404:     the object exists but is not theirs (no leak of its existence)
  400:     allowed, but the empty POST is rejected as bad input
"""

from dataclasses import dataclass, field

ROLES = ("anonymous", "producer_a", "producer_b", "reviewer", "approver", "station_operator",
         "admin")  # fmt: skip
LOGIN = "login"
OFFICIALS = ("reviewer", "approver", "admin")


@dataclass(frozen=True)
class Rule:
    url: str  # formatted with the World's attributes, e.g. "/applications/{app_a}"
    expect: dict = field(default_factory=dict)
    method: str = "GET"
    ok: tuple = (200,)  # what "allowed" means for this route


def everyone(status=200) -> dict:
    return {role: status for role in ROLES}


def signed_in(allowed=ROLES[1:], ok=200, others=403) -> dict:
    """Anonymous → sign in; `allowed` → ok; every other role → `others`."""
    return {role: LOGIN if role == "anonymous" else ok if role in allowed else others
            for role in ROLES}  # fmt: skip


def owner_and_officials(ok=200) -> dict:
    """Producer A (the owner) and officials in; producer B gets 404; the operator 404."""
    rules = signed_in(("producer_a", *OFFICIALS), ok=ok, others=404)
    return rules


# A draft ledger entry, a sign-in sheet or a draft article of a station: officials inspect it,
# everyone else (the other station's operator included) gets 404.
STATION_INSPECTORS = {**signed_in(OFFICIALS, others=404), "anonymous": 404}


RULES: dict[str, Rule] = {
    "main.home": Rule("/", everyone()),
    "main.set_language": Rule("/lang/en?next=/", everyone(302)),
    "main.favicon": Rule("/favicon.ico", everyone()),
    "accounts.login": Rule("/account/login", everyone()),
    "accounts.register": Rule("/account/register",
                              {**everyone(302), "anonymous": 200}),  # signed-in users go home
    "accounts.logout": Rule("/account/logout", signed_in(ok=302), method="POST"),
    "accounts.password": Rule("/account/password", signed_in()),
    "accounts.users": Rule("/account/users", signed_in(("admin",))),
    "accounts.user_new": Rule("/account/users/new", signed_in(("admin",))),
    "accounts.user_edit": Rule("/account/users/{user_b}", signed_in(("admin",))),
    "accounts.user_reset_password": Rule("/account/users/{user_b}/reset-password",
                                         signed_in(("admin",), ok=302), method="POST"),
    "accounts.user_unlock": Rule("/account/users/{user_b}/unlock",
                                 signed_in(("admin",), ok=302), method="POST"),
    "enterprises.register": Rule("/enterprise/register",
                                 signed_in(("producer_a", "producer_b"), ok=302)),
    "enterprises.mine": Rule("/enterprise/", signed_in(("producer_a", "producer_b"))),
    "enterprises.edit_mine": Rule("/enterprise/edit", signed_in(("producer_a", "producer_b"))),
    "enterprises.index": Rule("/enterprise/all", signed_in(OFFICIALS)),
    "enterprises.record_new": Rule("/enterprise/new", signed_in(OFFICIALS)),
    "enterprises.detail": Rule("/enterprise/{enterprise_a}", signed_in(OFFICIALS)),
    "enterprises.edit": Rule("/enterprise/{enterprise_a}/edit", signed_in(OFFICIALS)),
    "authorization.my_applications": Rule("/applications",
                                          signed_in(("producer_a", "producer_b"))),
    "authorization.new_application": Rule("/applications/new",
                                          signed_in(("producer_a", "producer_b"))),
    "authorization.edit_application": Rule(
        "/applications/{draft_a}/edit",
        {**signed_in(("producer_a",), others=403), "producer_b": 404}),
    "authorization.application": Rule("/applications/{app_a}", owner_and_officials()),
    "authorization.upload_attachment": Rule(
        "/applications/{draft_a}/attachments",
        {**signed_in(("producer_a",), ok=302), "producer_b": 404}, method="POST"),
    "authorization.download_attachment": Rule("/attachments/{attachment_a}",
                                              owner_and_officials()),
    "authorization.delete_attachment": Rule(
        "/attachments/{attachment_a}/delete",
        {**signed_in(("producer_a",), ok=302), "producer_b": 404}, method="POST"),
    # Withdrawing an approved application: the owner is refused by state, officials by role.
    "authorization.act": Rule(
        "/applications/{app_a}/withdraw",
        {**signed_in(("producer_a",), ok=409, others=403), "producer_b": 404,
         "station_operator": 404}, method="POST"),
    "authorization.queue": Rule("/review", signed_in(OFFICIALS)),
    "authorization.authorizations": Rule("/authorizations", signed_in(OFFICIALS)),
    "authorization.authorization": Rule("/authorizations/{authorization_a}",
                                        signed_in(OFFICIALS)),
    "authorization.change_authorization": Rule(
        "/authorizations/{authorization_a}/suspend", signed_in(("approver",), ok=302),
        method="POST"),
    "audit.index": Rule("/audit/", signed_in(OFFICIALS)),
    # The public registry (tests/test_registry_*.py); a pending photo is seen only by its owner
    # and officials, and anonymous visitors get 404 rather than a sign-in page.
    "registry.directory": Rule("/registry/", everyone()),
    "registry.producer": Rule("/registry/{enterprise_a}", everyone()),
    "registry.feed": Rule("/registry/feed.atom", everyone()),
    "registry.about": Rule("/about-boshan-glass", everyone()),
    "registry.announcements": Rule("/registry/announcements", everyone()),
    "registry.announcement": Rule("/registry/announcements/{announcement}", everyone()),
    "registry.announcement_download": Rule("/registry/announcements/{announcement}.xlsx",
                                           everyone()),
    "registry.new_announcement": Rule("/registry/announcements/new/approval",
                                      signed_in(("approver",))),
    "registry.correct_announcement": Rule("/registry/announcements/{announcement}/correct",
                                          signed_in(("approver",))),
    "registry.my_photos": Rule("/registry/photos/mine", signed_in(("producer_a", "producer_b"))),
    "registry.photo_review": Rule("/registry/photos/review", signed_in(OFFICIALS)),
    "registry.decide_photo": Rule("/registry/photos/{photo_a}/approve",
                                  signed_in(OFFICIALS, ok=302), method="POST"),
    "registry.photo_image": Rule("/registry/photos/{photo_a}",
                                 {**owner_and_officials(), "anonymous": 404}),
    # Guidance stations (tests/test_stations_*.py). The station operator of the matrix keeps
    # {stations[station_own]}; every write below targets {stations[station_other]}, not theirs:
    # 403 where the object is public anyway, 404 where it is a draft they may not even see.
    "stations.index": Rule("/stations/", everyone()),
    "stations.station": Rule("/stations/{stations[station_other]}", everyone()),
    "stations.ledger": Rule("/stations/{stations[station_other]}/ledger", everyone()),
    "stations.ledger_csv": Rule("/stations/{stations[station_other]}/ledger.csv", everyone()),
    "stations.entry": Rule("/stations/entries/{stations[draft_entry_other]}", STATION_INSPECTORS),
    "stations.attachment": Rule("/stations/files/{stations[sheet_other]}", STATION_INSPECTORS),
    "stations.article": Rule("/stations/articles/{stations[draft_article_other]}",
                             STATION_INSPECTORS),
    "stations.mine": Rule("/stations/mine", {**signed_in(("admin",)), "station_operator": 302}),
    "stations.manage": Rule("/stations/{stations[station_other]}/manage", signed_in(("admin",))),
    "stations.entry_new": Rule("/stations/{stations[station_other]}/entries/new",
                               signed_in(("admin",))),
    "stations.entry_correct": Rule("/stations/entries/{stations[draft_entry_other]}/correct",
                                   {**signed_in(("admin",)), "station_operator": 404}),
    "stations.entry_visibility": Rule("/stations/entries/{stations[entry_other]}/unpublish",
                                      signed_in(("admin",), ok=302), method="POST"),
    "stations.entry_attach": Rule("/stations/entries/{stations[entry_other]}/files",
                                  signed_in(("admin",), ok=302), method="POST"),
    "stations.attachment_remove": Rule("/stations/files/{stations[photo_other]}/remove",
                                       signed_in(("admin",), ok=302), method="POST"),
    "stations.article_new": Rule("/stations/{stations[station_other]}/articles/new",
                                 signed_in(("admin",))),
    "stations.article_edit": Rule("/stations/articles/{stations[draft_article_other]}/edit",
                                  {**signed_in(("admin",)), "station_operator": 404}),
    "stations.article_visibility": Rule("/stations/articles/{stations[article_other]}/unpublish",
                                        signed_in(("admin",), ok=302), method="POST"),
    "stations.station_new": Rule("/stations/new", signed_in(("admin",))),
    "stations.station_edit": Rule("/stations/{stations[station_own]}/edit", signed_in(("admin",))),
    "stations.operator_add": Rule("/stations/{stations[station_own]}/operators",
                                  signed_in(("admin",), ok=302), method="POST"),
    "stations.operator_remove": Rule(
        "/stations/{stations[station_other]}/operators/{stations[operator_other]}/remove",
        signed_in(("admin",), ok=302), method="POST"),
    "stations.consent": Rule("/stations/consent", signed_in(("producer_a", "producer_b"))),
    "stations.consent_withdraw": Rule("/stations/consent/withdraw",
                                      signed_in(("producer_a", "producer_b"), ok=302),
                                      method="POST"),
    # Label batches (tests/test_labels_*.py): a producer orders under its own authorization only;
    # sheets and serials are seen by their owner and officials, nobody else (404).
    "labels.mine": Rule("/labels/", signed_in(("producer_a", "producer_b"))),
    "labels.order": Rule("/labels/order/{authorization_a}",
                         {**signed_in(("producer_a",), others=403), "producer_b": 404}),
    "labels.batch": Rule("/labels/batches/{batch_a}", owner_and_officials()),
    "labels.sheet": Rule("/labels/batches/{batch_a}/sheet.pdf", owner_and_officials()),
    "labels.serials": Rule("/labels/batches/{batch_a}/serials.csv", owner_and_officials()),
    "labels.batches": Rule("/labels/batches", signed_in(OFFICIALS)),
    "labels.flagged": Rule("/labels/flagged", signed_in(OFFICIALS)),
    # Open data (tests/test_api_*.py): public, read-only JSON; unknown addresses are JSON 404s.
    "api.index": Rule("/api/v1/", everyone()),
    "api.openapi": Rule("/api/v1/openapi.json", everyone()),
    "api.producers": Rule("/api/v1/producers", everyone()),
    "api.producers_item": Rule("/api/v1/producers/{enterprise_a}", everyone()),
    "api.authorizations": Rule("/api/v1/authorizations", everyone()),
    "api.authorizations_item": Rule("/api/v1/authorizations/{authorization_number_a}",
                                    everyone()),
    "api.certificates": Rule("/api/v1/certificates?authorization_number="
                             "{authorization_number_a}", everyone()),
    "api.certificates_item": Rule("/api/v1/certificates/BSLL-C-1999-000001", everyone(404)),
    "api.standards": Rule("/api/v1/standards", everyone()),
    "api.standards_item": Rule("/api/v1/standards/BSLL-WS-2026.1", everyone()),
    "api.stations": Rule("/api/v1/stations", everyone()),
    "api.stations_item": Rule("/api/v1/stations/{stations[station_own]}", everyone()),
    "api.announcements": Rule("/api/v1/announcements", everyone()),
    "api.announcements_item": Rule("/api/v1/announcements/{announcement}", everyone()),
    "api.not_found": Rule("/api/v1/no-such-collection", everyone(404)),
    "api.open_data": Rule("/open-data", everyone()),
    # Yearly use reports (tests/test_reports_*.py). Producer A has no report due in the World:
    # the form sends producers back to their list; a report that is not theirs (or does not
    # exist) is a 404 for producers and officials alike.
    "reports.mine": Rule("/reports/", signed_in(("producer_a", "producer_b"))),
    "reports.new": Rule("/reports/2024/new", signed_in(("producer_a", "producer_b"), ok=302)),
    "reports.report": Rule("/reports/999999", signed_in(("producer_a", "producer_b", *OFFICIALS),
                                                        ok=404)),
    "reports.edit": Rule("/reports/999999/edit",
                         signed_in(("producer_a", "producer_b"), ok=404)),
    "reports.district": Rule("/reports/district", signed_in(OFFICIALS)),
    "reports.act_on_flag": Rule("/reports/notices/999999/suspend",
                                signed_in(("approver",), ok=404), method="POST"),
    "reports.summary": Rule("/reports/summary", signed_in(OFFICIALS)),
    "reports.summary_download": Rule("/reports/summary-2024.xlsx", signed_in(OFFICIALS)),
    # The officials' dashboard (tests/test_dashboard_*.py).
    "dashboard.index": Rule("/dashboard/", signed_in(OFFICIALS)),
    # Product standards (tests/test_standards_*.py): public pages; officials see the
    # authorizations granted under a superseded version; clause answers and review per application.
    "standards.index": Rule("/standards/", everyone()),
    "standards.history": Rule("/standards/BSLL-WS/", everyone()),
    "standards.version": Rule("/standards/BSLL-WS/2026.1?q=bead", everyone()),
    "standards.download_json": Rule("/standards/BSLL-WS/2026.1.json", everyone()),
    "standards.download_pdf": Rule("/standards/BSLL-WS/2026.1.pdf", everyone()),
    "standards.comparison": Rule("/standards/BSLL-WS/compare?old=2026.1&new=2026.1", everyone()),
    "standards.outdated": Rule("/standards/outdated-authorizations", signed_in(OFFICIALS)),
    "conformance.answers": Rule("/applications/{draft_a}/clauses",
                                {**signed_in(("producer_a",), others=403), "producer_b": 404}),
    "conformance.review": Rule("/applications/{app_a}/clauses/review", signed_in(OFFICIALS)),
    # Certificates (tests/test_certificates_*.py): the holder and officials; the mark stand-in is
    # the holder's alone. Empty POSTs are refused with a message (302) where a reason is needed.
    "certificates.mine": Rule("/certificates", signed_in(("producer_a", "producer_b"))),
    "certificates.index": Rule("/certificates/all", signed_in(OFFICIALS)),
    "certificates.detail": Rule("/certificates/{certificates[id]}", owner_and_officials()),
    "certificates.download": Rule("/certificates/{certificates[id]}/qr.svg",
                                  owner_and_officials()),
    "certificates.mark": Rule("/certificates/{certificates[id]}/mark.svg",
                              {**signed_in(("producer_a",)), "producer_b": 404}),
    "certificates.reissue": Rule("/certificates/{certificates[id]}/reissue",
                                 signed_in(("approver", "admin"), ok=302), method="POST"),
    "certificates.keys": Rule("/certificates/keys", signed_in(OFFICIALS)),
    "certificates.reissue_key": Rule("/certificates/keys/{certificates[kid]}/reissue",
                                     signed_in(("approver", "admin"), ok=302), method="POST"),
    "certificates.report_queue": Rule("/certificates/reports", signed_in(OFFICIALS)),
    "certificates.report": Rule("/certificates/reports/{certificates[report]}",
                                signed_in(OFFICIALS)),
    "certificates.report_act": Rule("/certificates/reports/{certificates[report]}/investigate",
                                    signed_in(OFFICIALS, ok=302), method="POST"),
    "certificates.report_photo": Rule("/certificates/reports/{certificates[report]}/photo",
                                      signed_in(OFFICIALS)),
    "certificates.flagged_labels": Rule("/certificates/flagged-labels", signed_in(OFFICIALS)),
    # Public verification (tests/test_verify_*.py): no login, GET only (the report form aside).
    "verify.certificate": Rule("/v/{certificates[code]}", everyone()),
    "verify.label": Rule("/l/{certificates[serial]}", everyone()),
    "verify.check": Rule("/check?q={certificates[number]}", everyone(302)),
    "verify.report": Rule("/report", everyone()),
    "verify.keys": Rule("/.well-known/gi-keys.json", everyone()),
    "verify.status_list": Rule("/.well-known/gi-status.json", everyone()),
}  # fmt: skip
