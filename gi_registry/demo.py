"""Demo data: an official of each role, two producers, and one application in each state."""

from datetime import date
from io import BytesIO

from reportlab.pdfgen import canvas
from werkzeug.datastructures import FileStorage

from . import creditcode
from .accounts.services import create_user, find_user
from .authorization import services as flow
from .enterprises.services import register_enterprise
from .models import Role

PASSWORD = "demo-password-2026"
OFFICIALS = (
    ("admin@demo.boshan.gov.cn", "演示管理员", {Role.ADMIN}),
    ("reviewer@demo.boshan.gov.cn", "演示审查员", {Role.REVIEWER}),
    ("approver@demo.boshan.gov.cn", "演示审批人", {Role.APPROVER}),
    ("station@demo.boshan.gov.cn", "演示指导站操作员", {Role.STATION_OPERATOR}),
)
PRODUCERS = (
    ("glass-a@demo.example.cn", "博山琉璃演示工坊甲", "MA3C0001K", "山头街道",
     "山头街道琉璃大街 1 号"),
    ("glass-b@demo.example.cn", "颜神琉璃演示有限公司乙", "MA3C0002M", "城西街道",
     "城西街道颜神路 8 号"),
)  # fmt: skip
LOGINS = [(email, PASSWORD) for email, *_ in OFFICIALS + PRODUCERS]


def demo_code(org: str) -> str:
    """A credit code of a Boshan enterprise that passes the GB 32100 check."""
    first17 = "91" + "370304" + org
    return first17 + creditcode.check_character(first17)


def demo_pdf(title: str) -> FileStorage:
    """A one-page PDF standing in for a scanned document."""
    buffer = BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 760, f"Demo document: {title}")
    page.save()
    buffer.seek(0)
    return FileStorage(buffer, filename=f"{title}.pdf", content_type="application/pdf")


def seed_demo(category_slugs: set[str]) -> bool:
    """Create the demo data once; returns False if it was already there."""
    if find_user(OFFICIALS[0][0]):
        return False
    officials = {
        next(iter(roles)): create_user(email, PASSWORD, roles, None, name=name)
        for email, name, roles in OFFICIALS
    }
    admin, reviewer, approver = officials[Role.ADMIN], officials[Role.REVIEWER], officials[
        Role.APPROVER]  # fmt: skip
    enterprises = []
    for email, name, org, town, address in PRODUCERS:
        user = create_user(email, PASSWORD, {Role.PRODUCER}, admin, name=name)
        details = dict(
            name=name, credit_code=demo_code(org), legal_representative="张三", address=address,
            town=town, phone="0533-4100000", route="certification_licensee",
            trademark_name="博山琉璃", trademark_reg_no="示例-0000000",
            trademark_valid_until=date(2029, 12, 31), licence_start=date(2025, 1, 1),
            licence_end=date(2029, 12, 31),
        )  # fmt: skip
        enterprises.append((user, register_enterprise(details, user, user)))
    categories = sorted(category_slugs)
    steps = {
        "draft": [],
        "submitted": ["submit"],
        "returned": ["submit", "return"],
        "resubmitted": ["submit", "return", "resubmit"],
        "review_passed": ["submit", "pass_review"],
        "approved": ["submit", "pass_review", "approve"],
        "rejected": ["submit", "pass_review", "reject"],
        "withdrawn": ["submit", "withdraw"],
    }
    for index, (_state, actions) in enumerate(steps.items()):
        user, enterprise = enterprises[index % 2]
        data = dict(
            categories=categories[index % len(categories): index % len(categories) + 2],
            production_town=enterprise.town, production_address=enterprise.address,
            description="传统吹制、拉丝与退火工艺制作的琉璃器物（演示数据）",
        )  # fmt: skip
        application = flow.create_application(enterprise, user, data, category_slugs)
        for kind in ("application_form", "licence_contract", "licence_recording_notice"):
            flow.add_attachment(application, user, kind, demo_pdf(kind))
        for action in actions:
            run_step(application, action, user, reviewer, approver)
    return True


def run_step(application, action, producer, reviewer, approver) -> None:
    grounds = {
        "return": "请补充产地核验报告，并说明料珠生产工序。",
        "reject": "生产地址不在博山区范围内，不符合产品标准第2条。",
        "withdraw": "企业决定暂缓申请。",
        "resubmit": "已按要求补充材料。",
    }.get(action, "")
    if action == "submit":
        flow.submit_application(application, producer)
    elif action == "return":
        flow.return_application(application, reviewer, grounds)
    elif action == "resubmit":
        flow.resubmit_application(application, producer, grounds)
    elif action == "pass_review":
        flow.pass_review(application, reviewer, "材料齐全，符合要求。")
    elif action == "approve":
        flow.approve_application(application, approver)
    elif action == "reject":
        flow.reject_application(application, approver, grounds)
    elif action == "withdraw":
        flow.withdraw_application(application, producer, grounds)
