"""Notifications end to end: subscriptions API, queueing on warning changes, real SMTP and HTTP."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email.policy import default as default_policy
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from yingji.incidents.models import DutyShift
from yingji.notifications import delivery, service
from yingji.notifications.models import NotificationDelivery
from yingji.registry.models import Contact


def _channel(client: Any, **body: Any) -> int:
    r = client.post("/api/v1/notifications/channels", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _sub(client: Any, **body: Any) -> dict[str, Any]:
    r = client.post("/api/v1/notifications/subscriptions", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _warning(client: Any, level: int, division: str = "371581", cause: str = "water_level") -> int:
    r = client.post("/api/v1/warnings", json={"cause": cause, "level": level, "headline": "卫运河水位超警戒",
                                              "division_code": division})
    assert r.status_code in (200, 201), r.text
    return int(r.json()["id"])


def _duty(session: Session, division: str = "371500", email_addr: str | None = "duty@example.org",
          phone: str | None = None) -> DutyShift:
    now = datetime.now(UTC)
    shift = DutyShift(division_code=division, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=11),
                      officer_name="王值班", leader_name="李带班", phone=phone, created_by="test")
    session.add(shift)
    if email_addr:
        session.add(Contact(name="王值班", division_code=division, email=email_addr))
    session.commit()
    return shift


def _deliveries(clients: Any, warning_id: int, user: str = "admin") -> list[dict[str, Any]]:
    r = clients[user].get("/api/v1/notifications/deliveries", params={"warning_id": warning_id})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def test_red_warning_emails_duty_officer_and_subscriber(
        clients: Any, session: Session, session_factory: sessionmaker[Session], smtp_server: Any) -> None:
    host, port, sink = smtp_server
    ch = _channel(clients["admin"], name="mail", kind="email",
                  config={"host": host, "port": port, "sender": "yingji@example.org"})
    _sub(clients["commander"], name="防汛办", division_code="371500", min_level=2, channel_id=ch,
         recipient="fangxun@example.org")
    _sub(clients["commander"], name="only red for 东昌府", division_code="371502", min_level=1, channel_id=ch,
         recipient="dcf@example.org")
    _duty(session)
    wid = _warning(clients["commander"], level=1)

    queued = _deliveries(clients, wid)
    assert {(d["reason"], d["recipient"], d["status"]) for d in queued} == {
        ("duty", "duty@example.org", "pending"), ("subscription", "fangxun@example.org", "pending")}

    counts = delivery.deliver_pending(session_factory)
    assert counts == {"sent": 2, "retry": 0, "failed": 0}
    assert sorted(m["to"][0] for m in sink.messages) == ["duty@example.org", "fangxun@example.org"]
    msg = email.message_from_bytes(sink.messages[0]["data"], policy=default_policy)
    assert "红色预警发布" in str(msg["Subject"]) and "卫运河" in str(msg["Subject"])
    assert msg["From"] == "yingji@example.org"
    assert all(d["status"] == "sent" and d["attempts"] == 1 for d in _deliveries(clients, wid))
    # nothing left to send
    assert delivery.deliver_pending(session_factory) == {"sent": 0, "retry": 0, "failed": 0}


def test_duty_without_contact_is_logged(clients: Any, session: Session) -> None:
    _duty(session, email_addr=None)
    wid = _warning(clients["commander"], level=2)
    (d,) = _deliveries(clients, wid)
    assert d["reason"] == "duty" and d["status"] == "no_contact" and "no e-mail" in d["last_error"]
    # yellow: the duty officer is not told unless subscribed
    wid3 = _warning(clients["commander"], level=3, cause="rainfall")
    assert _deliveries(clients, wid3) == []


def test_no_duty_shift_is_logged(clients: Any) -> None:
    wid = _warning(clients["commander"], level=1)
    (d,) = _deliveries(clients, wid)
    assert d["status"] == "no_contact" and "no duty shift" in d["last_error"]


def test_webhooks_generic_wecom_dingtalk(clients: Any, session_factory: sessionmaker[Session],
                                         http_server: Any) -> None:
    base, sink = http_server
    for kind in ("webhook", "wecom", "dingtalk"):
        ch = _channel(clients["admin"], name=kind, kind=kind, config={"url": f"{base}/{kind}"})
        _sub(clients["linqing"], name=kind, division_code="371581", min_level=3, channel_id=ch)
    wid = _warning(clients["commander"], level=3)
    assert delivery.deliver_pending(session_factory)["sent"] == 3
    by_path = {r["path"]: r["json"] for r in sink.requests}
    generic = by_path["/webhook"]
    assert generic["data"]["warning_id"] == wid and generic["data"]["level"] == 3 and "黄色" in generic["subject"]
    assert by_path["/wecom"]["msgtype"] == "markdown" and "卫运河" in by_path["/wecom"]["markdown"]["content"]
    ding = by_path["/dingtalk"]
    assert ding["msgtype"] == "markdown" and "卫运河" in ding["markdown"]["title"] and ding["markdown"]["text"]
    assert all(r["content_type"].startswith("application/json") for r in sink.requests)
    # the county sees its own deliveries
    assert len(_deliveries(clients, wid, "linqing")) == 3


def test_failing_webhook_retried_with_backoff(clients: Any, session: Session,
                                             session_factory: sessionmaker[Session], http_server: Any) -> None:
    base, sink = http_server
    ch = _channel(clients["admin"], name="hook", kind="webhook", config={"url": f"{base}/x"})
    _sub(clients["commander"], name="all", division_code="371500", channel_id=ch)
    wid = _warning(clients["commander"], level=4)
    sink.fail_next = 2
    t0 = datetime.now(UTC) + timedelta(seconds=1)
    assert delivery.deliver_pending(session_factory, now=t0) == {"sent": 0, "retry": 1, "failed": 0}
    (d,) = _deliveries(clients, wid)
    assert d["status"] == "pending" and d["attempts"] == 1 and "500" in d["last_error"]
    assert datetime.fromisoformat(d["next_attempt_at"]) == t0 + timedelta(seconds=30)
    # not due yet
    assert delivery.deliver_pending(session_factory, now=t0 + timedelta(seconds=10))["retry"] == 0
    assert delivery.deliver_pending(session_factory, now=t0 + timedelta(seconds=30))["retry"] == 1
    (d,) = _deliveries(clients, wid)
    assert datetime.fromisoformat(d["next_attempt_at"]) == t0 + timedelta(seconds=30 + 60)
    assert delivery.deliver_pending(session_factory, now=t0 + timedelta(seconds=90))["sent"] == 1
    (d,) = _deliveries(clients, wid)
    assert d["status"] == "sent" and d["attempts"] == 3 and [e["ok"] for e in d["log"]] == [False, False, True]
    assert len(sink.requests) == 3


def test_gives_up_after_max_attempts(session: Session, session_factory: sessionmaker[Session]) -> None:
    d = service.queue_message(session, channel_kind="webhook", recipient=None, subject="s", body="b")
    assert d.status == "no_contact"  # no webhook channel configured
    from yingji.notifications.models import NotificationChannel

    session.add(NotificationChannel(name="dead", kind="webhook", config={"url": "http://127.0.0.1:9/"}))
    session.flush()
    d = service.queue_message(session, channel_kind="webhook", recipient=None, subject="s", body="b")
    session.commit()
    now = datetime.now(UTC)
    for i in range(delivery.MAX_ATTEMPTS):
        delivery.deliver_pending(session_factory, now=now + timedelta(hours=i * 2))
    session.expire_all()
    row = session.get(NotificationDelivery, d.id)
    assert row is not None and row.status == "failed" and row.attempts == delivery.MAX_ATTEMPTS
    assert row.next_attempt_at is None
    assert delivery.backoff(1) == timedelta(seconds=30) and delivery.backoff(20) == timedelta(hours=1)


def test_subscriptions_filter_and_match(clients: Any, http_server: Any) -> None:
    base, _ = http_server
    ch = _channel(clients["admin"], name="hook", kind="webhook", config={"url": base})
    a = _sub(clients["commander"], name="city red", division_code="371500", min_level=1, channel_id=ch)
    b = _sub(clients["linqing"], name="linqing all", division_code="371581", min_level=4, channel_id=ch,
             cause="water_level")
    c = _sub(clients["dongchangfu"], name="dcf", division_code="371502", min_level=2, channel_id=ch)
    assert b["role"] == "county" and a["role"] == "commander"

    def ids(user: str = "admin", **params: Any) -> set[int]:
        r = clients[user].get("/api/v1/notifications/subscriptions", params=params)
        assert r.status_code == 200, r.text
        return {s["id"] for s in r.json()["items"]}

    assert ids() == {a["id"], b["id"], c["id"]}
    assert ids(division="371581") == {a["id"], b["id"]}
    assert ids(division="371581", level=3) == {b["id"]}
    assert ids(level=2) == {b["id"], c["id"]}
    assert ids(role="county") == {b["id"], c["id"]}
    assert ids(cause="rainfall") == {a["id"], c["id"]}
    assert ids("linqing") == {b["id"]}  # scope
    # warnings reach the matching ones only
    wid = _warning(clients["commander"], level=3)
    assert {d["subscription_id"] for d in _deliveries(clients, wid)} == {b["id"]}
    wid = _warning(clients["commander"], level=1, division="371502", cause="rainfall")
    assert {d["subscription_id"] for d in _deliveries(clients, wid) if d["reason"] == "subscription"} == {
        a["id"], c["id"]}


def test_subscription_crud_and_bad_input(clients: Any, http_server: Any) -> None:
    base, _ = http_server
    mail = _channel(clients["admin"], name="mail", kind="email", config={"host": "127.0.0.1", "port": 2525})
    hook = _channel(clients["admin"], name="hook", kind="webhook", config={"url": base})
    c = clients["linqing"]
    url = "/api/v1/notifications/subscriptions"
    ok = {"name": "x", "division_code": "371581", "channel_id": mail, "recipient": "a@example.org"}
    for bad, field in [({**ok, "min_level": 5}, "min_level"), ({**ok, "division_code": "37"}, "division_code"),
                       ({**ok, "kinds": ["exploded"]}, "kinds"), ({**ok, "extra": 1}, "extra"),
                       ({**ok, "recipient": "not-an-address"}, "recipient"),
                       ({**ok, "channel_id": 999999}, "channel_id"),
                       ({**ok, "channel_id": hook}, "recipient")]:
        r = c.post(url, json=bad)
        assert r.status_code == 422, (bad, r.text)
        assert field in str(r.json()["detail"])
    assert c.post(url, json={**ok, "division_code": "371502"}).status_code == 403
    assert clients["viewer"].post(url, json=ok).status_code == 403
    s = _sub(c, **ok)
    r = c.patch(f"{url}/{s['id']}", json={"min_level": 2, "cause": "rainfall"})
    assert r.status_code == 200 and r.json()["min_level"] == 2 and r.json()["cause"] == "rainfall"
    assert c.patch(f"{url}/{s['id']}", json={"min_level": None}).status_code == 422
    assert clients["dongchangfu"].get(f"{url}/{s['id']}").status_code == 404
    assert c.delete(f"{url}/{s['id']}").status_code == 204
    assert c.get(f"{url}/{s['id']}").status_code == 404
    # channels: admin only, config checked, secrets masked
    r = clients["commander"].post("/api/v1/notifications/channels", json={"name": "n", "kind": "webhook",
                                                                          "config": {"url": base}})
    assert r.status_code == 403
    r = clients["admin"].post("/api/v1/notifications/channels", json={"name": "w", "kind": "wecom", "config": {}})
    assert r.status_code == 422 and "url" in r.text
    r = clients["admin"].post("/api/v1/notifications/channels", json={"name": "m2", "kind": "email",
                                                                      "config": {"password": "s3cret"}})
    assert r.status_code == 201 and r.json()["config"]["password"] == "***"
    assert clients["admin"].get("/api/v1/notifications/deliveries", params={"status": "bogus"}).status_code == 422


def test_deliveries_not_queued_on_rollback(session: Session) -> None:
    from yingji.warnings.hooks import WarningChange

    ch = WarningChange(warning_id=1, kind="raised", level=1, previous_level=None, status="active",
                       division_code="371581", headline="h", source_type="manual", source_id="1", cause="c",
                       at=datetime.now(UTC))
    out = service.queue_changes(session, [ch])
    assert [d.reason for d in out] == ["duty"]
    session.rollback()
    assert session.scalars(select(NotificationDelivery)).all() == []


def test_backlog_before_configure(session: Session, session_factory: sessionmaker[Session]) -> None:
    from yingji.warnings.hooks import WarningChange

    service.configure(None)
    ch = WarningChange(warning_id=7, kind="raised", level=2, previous_level=None, status="active",
                       division_code="371581", headline="h", source_type="manual", source_id="7", cause="c",
                       at=datetime.now(UTC))
    service.on_warning_changes([ch])
    assert session.scalars(select(NotificationDelivery)).all() == []
    delivery.deliver_pending(session_factory)
    (d,) = session.scalars(select(NotificationDelivery)).all()
    assert (d.warning_id, d.reason, d.status) == (7, "duty", "no_contact")
