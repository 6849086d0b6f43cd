"""The label pages as producers and officials use them: order, progress, downloads, lists."""

import csv
import io
from datetime import date, timedelta

import pytest

from gi_registry.authorization.services import change_authorization
from gi_registry.certificates.serials import format_serial
from gi_registry.extensions import db
from gi_registry.labels import jobs
from gi_registry.models import Role
from gi_registry.models.base import utcnow
from gi_registry.models.labels import BatchState, Label, LabelBatch

from . import helpers


@pytest.fixture
def producer(app):
    producer = helpers.make_producer()
    helpers.make_application(producer, "approved")
    return producer


@pytest.fixture
def authorization(producer):
    return producer.enterprise.authorizations[0]


def order(client, authorization, **data):
    return client.post(f"/labels/order/{authorization.id}", data=data)


def batch_count() -> int:
    return db.session.scalar(db.select(db.func.count(LabelBatch.id)))


def test_a_producer_orders_labels_and_downloads_the_sheet_and_serials(
    client, login, producer, authorization
):
    login(producer)
    response = order(client, authorization, category="carving", quantity="30")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已完成" in page and "共 30 枚标签" in page
    assert 'http-equiv="refresh"' not in page  # finished: no more reloading
    batch = db.session.scalars(db.select(LabelBatch)).one()
    sheet = client.get(f"/labels/batches/{batch.id}/sheet.pdf")
    assert sheet.status_code == 200 and sheet.data.startswith(b"%PDF")
    assert sheet.headers["Content-Type"] == "application/pdf"
    assert "private" in sheet.headers["Cache-Control"]
    rows = list(csv.reader(io.StringIO(client.get(f"/labels/batches/{batch.id}/serials.csv")
                                      .get_data(as_text=True))))  # fmt: skip
    assert rows[0] == ["serial", "printed", "url"] and len(rows) == 31
    stored = set(db.session.scalars(db.select(Label.serial).where(Label.batch_id == batch.id)))
    assert {r[0] for r in rows[1:]} == stored
    assert all(r[1] == format_serial(r[0]) and r[2] == f"https://gi.example.test/l/{r[0]}"
               for r in rows[1:])  # fmt: skip


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"category": "carving", "quantity": "abc"}, "quantity", "请输入整数数量"),
        ({"category": "carving", "quantity": "60000"}, "quantity", "1 至 50,000 枚之间"),
        ({"category": "carving", "quantity": "0"}, "quantity", "1 至 50,000 枚之间"),
        ({"category": "carving", "quantity": ""}, "quantity", "必填"),
        ({"category": "vessel", "quantity": "10"}, "category", "授权使用范围内的产品类别"),
        ({"category": "", "quantity": "10"}, "category", "必填"),
    ],
)
def test_bad_orders_are_explained_next_to_the_field(
    client, login, producer, authorization, data, field, message
):
    login(producer)
    response = order(client, authorization, **data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page and message in page
    if data["quantity"]:
        assert f'value="{data["quantity"]}"' in page  # what they typed is kept
    assert batch_count() == 0


def test_numbers_are_read_as_people_type_them(client, login, producer, authorization, app):
    app.config["LABELS_THREAD"] = False
    login(producer)
    for typed, expected in (("２５", 25), ("1,200", 1200), (" 3 000 ", 3000)):
        assert order(client, authorization, category="carving", quantity=typed).status_code == 302
        assert db.session.scalars(db.select(LabelBatch.quantity).order_by(LabelBatch.id.desc())
                                  ).first() == expected  # fmt: skip


def test_a_large_batch_is_queued_and_its_page_follows_progress(
    app, client, login, producer, authorization
):
    app.config.update(LABELS_INLINE_LIMIT=20, LABELS_THREAD=False)
    login(producer)
    location = order(client, authorization, category="carving", quantity="50").headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "等待开始" in page and '<meta http-equiv="refresh" content="3">' in page
    batch = db.session.scalars(db.select(LabelBatch)).one()
    batch.state, batch.progress = BatchState.ISSUING, 20
    db.session.commit()
    page = client.get(location + "?lang=en").get_data(as_text=True)
    assert "Being prepared" in page and "20 of 50 labels drawn (40%)" in page
    assert '<progress id="batch-progress" max="50" value="20">' in page
    batch.state, batch.progress = BatchState.QUEUED, 0
    db.session.commit()
    assert jobs.drain() == 1
    page = client.get(location + "?lang=en").get_data(as_text=True)
    assert "Ready" in page and "http-equiv" not in page


def test_no_one_else_sees_or_downloads_a_producers_labels(client, login, producer):
    batch = helpers.label_batch(producer)
    urls = [f"/labels/batches/{batch.id}", f"/labels/batches/{batch.id}/sheet.pdf",
            f"/labels/batches/{batch.id}/serials.csv"]  # fmt: skip
    login(helpers.make_producer())
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    assert f"/labels/batches/{batch.id}" not in client.get("/labels/").get_data(as_text=True)
    login(helpers.make_user(Role.REVIEWER))
    assert [client.get(u).status_code for u in urls] == [200, 200, 200]


def test_a_suspended_authorization_takes_no_orders(client, login, producer, authorization):
    change_authorization(authorization, "suspend", helpers.make_user(Role.APPROVER), "抽检不合格",
                         deadline=date.today() + timedelta(days=30))  # fmt: skip
    login(producer)
    page = client.get(f"/labels/order/{authorization.id}").get_data(as_text=True)
    assert "只有有效的授权才能申领标签" in page and 'name="quantity"' not in page
    response = order(client, authorization, category="carving", quantity="10")
    assert response.status_code == 409 and batch_count() == 0
    mine = client.get("/applications").get_data(as_text=True)
    assert f"/labels/order/{authorization.id}" not in mine


def test_the_producers_pages_lead_to_ordering(client, login, producer, authorization):
    login(producer)
    assert f"/labels/order/{authorization.id}" in client.get("/applications").get_data(as_text=True)
    assert f"/labels/order/{authorization.id}" in client.get("/labels/").get_data(as_text=True)


def test_officials_list_batches_and_labels_flagged_as_copied(client, login, producer):
    batch = helpers.label_batch(producer, 3)
    flagged, clean = db.session.scalars(db.select(Label).limit(2)).all()
    flagged.copy_flagged_at, flagged.scan_count, flagged.distinct_scanners = utcnow(), 57, 41
    db.session.commit()
    login(helpers.make_user(Role.APPROVER))
    home = client.get("/").get_data(as_text=True)
    assert "/labels/batches" in home  # officials' navigation
    page = client.get("/labels/batches").get_data(as_text=True)
    assert batch.number in page and producer.enterprise.name in page
    assert batch.number not in client.get("/labels/batches?state=failed").get_data(as_text=True)
    page = client.get("/labels/flagged").get_data(as_text=True)
    assert format_serial(flagged.serial) in page and format_serial(clean.serial) not in page
    assert batch.number in page and producer.enterprise.name in page and ">41<" in page


def test_a_failed_batch_says_why_in_words(client, login, producer, authorization):
    batch = helpers.label_batch(producer)
    batch.state, batch.error = BatchState.FAILED, "internal: OSError: [Errno 28] No space left"
    db.session.commit()
    login(producer)
    page = client.get(f"/labels/batches/{batch.id}").get_data(as_text=True)
    assert "未发放任何标签" in page and "Errno" not in page and "重新申领" in page
    assert client.get(f"/labels/batches/{batch.id}/sheet.pdf").status_code == 404
    login(helpers.make_user(Role.REVIEWER))
    assert "Errno 28" in client.get(f"/labels/batches/{batch.id}").get_data(as_text=True)
