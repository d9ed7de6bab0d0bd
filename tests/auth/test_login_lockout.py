"""Login: tokens, failures counted across requests, lockout after ``login_max_failures``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.config import Settings
from yingji.db.base import utcnow

GOOD = "correct-horse-1"


def _login(anon: TestClient, username: str, password: str) -> Response:
    return anon.post("/api/v1/auth/token", data={"username": username, "password": password})


def _user(session: Session, username: str) -> User:
    session.expire_all()
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return user


def test_right_password_gives_a_working_token(anon: TestClient) -> None:
    r = _login(anon, "linqing", GOOD)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    me = anon.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == "linqing"
    assert "password_hash" not in me.json()


def test_unknown_user_and_wrong_password_look_the_same(anon: TestClient) -> None:
    a, b = _login(anon, "nobody", GOOD), _login(anon, "viewer", "wrong-password")
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()


def test_bad_tokens_are_401(anon: TestClient) -> None:
    for header in ("Bearer not-a-jwt", "Bearer ", "Basic abc", "bearer x.y.z"):
        r = anon.get("/api/v1/auth/me", headers={"Authorization": header})
        assert r.status_code == 401, (header, r.text)


def test_lockout_after_max_failures_refuses_even_the_right_password(
    anon: TestClient, settings: Settings, session: Session
) -> None:
    assert settings.login_max_failures == 3
    for attempt in range(settings.login_max_failures):
        r = _login(anon, "viewer", f"wrong-{attempt}")
        assert r.status_code == 401, r.text
        assert "locked" not in r.json()["detail"]
    user = _user(session, "viewer")
    assert user.locked_until is not None and user.locked_until > utcnow()

    r = _login(anon, "viewer", GOOD)
    assert r.status_code == 401 and "locked" in r.json()["detail"], r.text
    r = _login(anon, "viewer", "wrong-again")
    assert r.status_code == 401 and "locked" in r.json()["detail"], r.text
    assert _login(anon, "admin", GOOD).status_code == 200  # other accounts are unaffected

    # the lockout ends: move its end into the past
    session.execute(update(User).where(User.username == "viewer")
                    .values(locked_until=utcnow() - timedelta(seconds=1)))
    session.flush()
    r = _login(anon, "viewer", GOOD)
    assert r.status_code == 200, r.text
    user = _user(session, "viewer")
    assert user.locked_until is None and user.failed_logins == 0


def test_failures_are_counted_across_requests_and_reset_by_success(
    anon: TestClient, settings: Settings, session: Session
) -> None:
    for _ in range(settings.login_max_failures - 1):
        assert _login(anon, "duty", "wrong").status_code == 401
    assert _user(session, "duty").failed_logins == settings.login_max_failures - 1
    assert _login(anon, "duty", GOOD).status_code == 200
    assert _user(session, "duty").failed_logins == 0
    for _ in range(settings.login_max_failures - 1):  # the count starts again: not locked yet
        assert _login(anon, "duty", "wrong").status_code == 401
    assert _login(anon, "duty", GOOD).status_code == 200


def test_login_form_errors_are_422(anon: TestClient) -> None:
    r = anon.post("/api/v1/auth/token", data={"username": "admin"})
    assert r.status_code == 422 and "password" in r.text
    r = anon.post("/api/v1/auth/token", json={"username": "admin", "password": GOOD})
    assert r.status_code == 422


def test_users_are_admin_only(clients: Any) -> None:
    body = {"username": "newbie", "password": "a-long-password-1", "role": "county", "division_code": "371581"}
    for name in ("commander", "duty", "health", "linqing", "viewer"):
        assert clients[name].get("/api/v1/users").status_code == 403
        assert clients[name].post("/api/v1/users", json=body).status_code == 403
    r = clients["admin"].post("/api/v1/users", json=body)
    assert r.status_code == 201, r.text
    assert "password" not in r.text
    assert clients["admin"].post("/api/v1/users", json=body).status_code == 409
    names = [u["username"] for u in clients["admin"].get("/api/v1/users").json()]
    assert "newbie" in names
    bad = [({**body, "username": "x y"}, "username"), ({**body, "password": "short"}, "password"),
           ({**body, "role": "king"}, "role"), ({**body, "division_code": None, "username": "c2"}, "division_code"),
           ({**body, "division_code": "999999", "username": "c3"}, "division_code"),
           ({**body, "role": "department", "username": "d1"}, "unit_id"),
           ({**body, "role": "viewer", "unit_id": 987654, "username": "d2"}, "unit_id"),
           ({**body, "is_superuser": True, "username": "d3"}, "is_superuser")]
    for data, field in bad:
        r = clients["admin"].post("/api/v1/users", json=data)
        assert r.status_code == 422 and field in r.text, (field, r.text)
