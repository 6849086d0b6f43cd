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
    seed_stations(officials, enterprises)
    return True


def run_step(application, action, producer, reviewer, approver) -> None:
    grounds = {
        "return": "请补充产地核验报告，并说明料珠生产工序。",
        "reject": "生产地址不在博山区范围内，不符合产品标准第2条。",
        "withdraw": "企业决定暂缓申请。",
        "resubmit": "已按要求补充材料。",
    }.get(action, "")
    from .standards import conformance

    if action in ("submit", "resubmit"):
        conformance.save_answers(application, producer, conformance.sample_answers(application))
    if action == "pass_review":
        conformance.pass_every_clause(application, reviewer)
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


def seed_stations(officials: dict, enterprises: list) -> None:
    """Two guidance stations with a small ledger; the first kept by the demo station operator."""
    from datetime import timedelta

    from .clock import local_today
    from .stations import articles, ledger
    from .stations import services as stations

    admin, operator = officials[Role.ADMIN], officials[Role.STATION_OPERATOR]
    today = local_today()
    shantou = stations.create_station(admin, dict(
        name="山头街道琉璃产业商标品牌指导站", host_organisation="博山琉璃行业协会（演示）",
        host_type="industry_association", address="山头街道琉璃大街 66 号", town="山头街道",
        service_scope="商标注册与续展指导；地理标志专用标志使用申请辅导；商标维权援助；品牌培育宣传。",
        contact_person="刘演示", contact_phone="0533-4100100",
        established_on=today - timedelta(days=800), status="active",
    ))  # fmt: skip
    chengxi = stations.create_station(admin, dict(
        name="城西街道政务服务中心商标品牌指导站", host_organisation="城西街道便民服务中心（演示）",
        host_type="service_centre", address="城西街道颜神路 20 号", town="城西街道",
        service_scope="商标注册咨询；知识产权政策宣传。", contact_person="赵演示",
        contact_phone="0533-4100200", established_on=today - timedelta(days=200), status="active",
    ))  # fmt: skip
    stations.assign_operator(shantou, admin, operator.email)
    (_user_a, enterprise_a), (_user_b, enterprise_b) = enterprises
    services = (
        (shantou, operator, 400, "training", 46, "", "",
         "地理标志专用标志使用管理办法宣讲会，讲解四类合法使用人与标志标示规则。"),
        (shantou, operator, 300, "gi_mark_help", 2, enterprise_a.credit_code, "",
         "辅导企业准备地理标志专用标志使用申请材料（许可合同、备案通知书）。"),
        (shantou, operator, 90, "registration_guidance", 1, "", "博山某琉璃个体工作室（演示）",
         "指导个体工作室提交图形商标注册申请，说明类别选择。"),
        (shantou, operator, 40, "consultation", 3, enterprise_b.credit_code, "",
         "解答证明商标许可使用与续签问题。"),
        (shantou, operator, 12, "publicity", 120, "", "",
         "4·26 知识产权宣传周琉璃市集现场宣传，发放资料 300 份。"),
        (chengxi, admin, 30, "consultation", 1, "", "城西某文创公司（演示）", "咨询商标近似查询方法。"),
    )  # fmt: skip
    for station, actor, days_ago, kind, people, codes, others, summary in services:
        ledger.add_entry(station, actor, dict(
            entry_date=today - timedelta(days=days_ago), kind=kind, people_count=people,
            registered_codes=codes, other_enterprises=others, summary=summary,
        ), publish=True)  # fmt: skip
    training = db_first_entry(shantou)
    ledger.add_entry_attachment(training, operator, "sign_in_sheet", demo_pdf("sign-in-sheet"))
    guide = articles.create_article(shantou, operator, dict(
        title="地理标志专用标志怎么申请？", language="zh",
        body="## 谁可以申请\n\n博山琉璃证明商标的**备案被许可人**等四类合法使用人。\n\n"
             "## 准备什么\n\n- 申请表\n- 商标许可合同与备案通知书\n\n"
             "详见[国家知识产权局](https://www.cnipa.gov.cn/)。",
    ))  # fmt: skip
    articles.set_article_published(guide, operator, True)
    articles.create_article(shantou, operator, dict(
        title="How to renew a trademark (draft)", language="en",
        body="Renew within the **12 months** before expiry.",
    ))  # fmt: skip
    stations.give_consent(enterprise_a, enterprise_a.owner, shantou.id)


def db_first_entry(station):
    """The station's oldest ledger entry."""
    from .extensions import db
    from .models.stations import LedgerEntry

    return db.session.scalar(db.select(LedgerEntry).where(LedgerEntry.station_id == station.id)
                             .order_by(LedgerEntry.entry_date, LedgerEntry.id).limit(1))  # fmt: skip
