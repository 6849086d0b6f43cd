"""Fixed facts of the domain: the district's divisions and the legal-user routes (domain.md)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .models.enterprises import Route

GI_NAME = "博山琉璃"
GI_NAME_EN = "Boshan Glass"
DISTRICT_CODE = "370304"

# The 3 subdistricts and 7 towns of 博山区: the production area.
TOWNS = (
    "城东街道",
    "城西街道",
    "山头街道",
    "域城镇",
    "白塔镇",
    "八陡镇",
    "石马镇",
    "源泉镇",
    "池上镇",
    "博山镇",
)
TOWN_NAMES_EN = {
    "城东街道": "Chengdong Subdistrict",
    "城西街道": "Chengxi Subdistrict",
    "山头街道": "Shantou Subdistrict",
    "域城镇": "Yucheng Town",
    "白塔镇": "Baita Town",
    "八陡镇": "Badou Town",
    "石马镇": "Shima Town",
    "源泉镇": "Yuanquan Town",
    "池上镇": "Chishang Town",
    "博山镇": "Boshan Town",
}


@dataclass(frozen=True)
class Material:
    kind: str
    label: str


APPLICATION_FORM = Material("application_form", _l("Application form (signed and sealed)"))
PRODUCT_PHOTOS = Material("product_photos", _l("Photos of the products"))

MATERIALS = {
    Route.PROTECTED_PRODUCT: (
        APPLICATION_FORM,
        Material("production_statement", _l("Statement of production to the product standard")),
    ),
    Route.COLLECTIVE_MEMBER: (
        APPLICATION_FORM,
        Material("membership_proof", _l("Proof of membership of the collective-mark registrant")),
    ),
    Route.CERTIFICATION_LICENSEE: (
        APPLICATION_FORM,
        Material("licence_contract", _l("Trademark licence contract")),
        Material("licence_recording_notice", _l("Licence-recording notice (备案通知书)")),
    ),
    Route.OTHER_RECORDED: (
        APPLICATION_FORM,
        Material("recording_proof", _l("Proof of registration and recording with CNIPA")),
    ),
}
OPTIONAL_MATERIALS = (
    PRODUCT_PHOTOS,
    Material("origin_verification", _l("Origin verification report (产地核验报告)")),
    Material("other", _l("Other supporting document")),
)

ROUTE_LABELS = {
    Route.PROTECTED_PRODUCT: _l("Producer of the GI protected product, approved by announcement"),
    Route.COLLECTIVE_MEMBER: _l("Member of the registrant of the GI collective trademark"),
    Route.CERTIFICATION_LICENSEE: _l("Recorded licensee of the GI certification trademark"),
    Route.OTHER_RECORDED: _l("Other user registered and recorded with CNIPA"),
}


def required_materials(route: str) -> tuple[Material, ...]:
    """The documents an application under `route` must carry."""
    return MATERIALS[Route(route)]


def material_label(kind: str) -> str:
    """The display name of an attachment kind."""
    for material in (*OPTIONAL_MATERIALS, *(m for ms in MATERIALS.values() for m in ms)):
        if material.kind == kind:
            return str(material.label)
    return kind


def all_material_kinds() -> list[Material]:
    """Every attachment kind, required ones first, without repeats."""
    seen, kinds = set(), []
    for material in (*(m for ms in MATERIALS.values() for m in ms), *OPTIONAL_MATERIALS):
        if material.kind not in seen:
            seen.add(material.kind)
            kinds.append(material)
    return kinds


# Words and an icon for every state, so that status never depends on colour alone.
STATE_LABELS = {
    "draft": (_l("Draft"), "✎"),
    "submitted": (_l("Submitted"), "➜"),
    "returned": (_l("Returned for correction"), "↩"),
    "resubmitted": (_l("Resubmitted"), "➜"),
    "review_passed": (_l("District review passed"), "✔"),
    "approved": (_l("Approved"), "✔"),
    "rejected": (_l("Rejected"), "✖"),
    "withdrawn": (_l("Withdrawn"), "⊘"),
    "active": (_l("Valid"), "✔"),
    "suspended": (_l("Suspended"), "⏸"),
    "revoked": (_l("Revoked"), "✖"),
    "expired": (_l("Expired"), "⌛"),
}
