"""The warning console (预警中心, /warnings) over HTTP (no browser): the login requirement, the list
rendered on the server (grouped by level, most severe first, in the user's scope), the buttons and
rights a role gets, 404s, the English page, and that every text the template and script use is in
the catalogue. Uses the shared fixtures of tests/conftest.py (each test in a rolled-back savepoint).

Every role may read warnings (yingji.warnings.permissions), so there is no 403 for the page itself;
what differs by role is the buttons and the ``can`` rights in the embedded config."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.deps import SESSION_COOKIE
from yingji.warnings import service as warnings
from yingji.warnings.schemas import WarningCreate
from yingji.web.i18n import LANG_COOKIE, MESSAGES
from yingji.web.pages_warnings import js_messages

WEB = Path(__file__).resolve().parents[2] / "src" / "yingji" / "web"


def _client(app: Any, settings: Any, session: Session, user_id: int) -> TestClient:
    user = session.get(User, user_id)
    assert user is not None
    token, _ = auth_service.create_token(settings=settings, user=user)
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, token)
    return client


def _config(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="wrn-config">(.*?)</script>', html, re.S)
    assert m, "the page embeds its config"
    return json.loads(m.group(1))  # type: ignore[no-any-return]


@pytest.fixture
def issued(session: Session, world: Any) -> dict[str, int]:
    """Three warnings issued by hand (synthetic): a blue and a red one in 东昌府区, a yellow one in 临清."""
    admin = session.get(User, world.users["admin"])

    def issue(cause: str, level: int, headline: str, division: str) -> int:
        w, created = warnings.create_manual(session=session, user=admin, data=WarningCreate(
            cause=cause, level=level, headline=headline, division_code=division))
        assert created
        return w.id

    out = {
        "blue": issue("wind", 4, "东昌府区大风蓝色预警（合成）", "371502"),
        "red": issue("flood", 1, "东昌府区暴雨红色预警（合成）", "371502"),
        "yellow": issue("heat", 3, "临清市高温黄色预警（合成）", "371581"),
    }
    session.flush()
    return out


def test_the_console_needs_a_login(app: Any) -> None:
    anon = TestClient(app, base_url="https://testserver", follow_redirects=False)
    for path in ("/warnings", "/warnings/1"):
        r = anon.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 303 and r.headers["location"] == f"/login?next={path}", path


def test_a_reader_sees_the_list_by_level_without_the_buttons(
    app: Any, settings: Any, session: Session, world: Any, issued: dict[str, int]
) -> None:
    viewer = _client(app, settings, session, world.users["viewer"])
    r = viewer.get("/warnings")
    assert r.status_code == 200
    html = r.text
    assert 'data-nav="warnings"' in html and "预警中心" in html
    assert "/static/js/warnings.js" in html and "/static/css/warnings.css" in html
    assert '<meta name="csrf-token"' in html
    # most severe first: the red group before the yellow before the blue
    ids = [int(x) for x in re.findall(r'data-warning-id="(\d+)"', html)]
    assert ids == [issued["red"], issued["yellow"], issued["blue"]]
    red = re.search(rf'<li class="([^"]*)" data-warning-id="{issued["red"]}"', html)
    assert red and "wrn-lvl-red" in red.group(1).split()
    assert "东昌府区暴雨红色预警（合成）" in html and "待确认" in html and "东昌府区" in html
    # a reader gets no buttons, and the config says so
    assert 'data-testid="act-acknowledge"' not in html and 'data-testid="act-incident"' not in html
    config = _config(html)
    assert config["can"]["update"] is False and config["can"]["escalate"] is False
    assert config["can"]["readings"] is True
    assert [w["id"] for w in config["warnings"]] == ids
    assert config["levels"]["1"]["colour"] == "#e60000" and config["levels"]["1"]["short"] == "红色"


def test_a_duty_officer_gets_the_buttons(
    app: Any, settings: Any, session: Session, world: Any, issued: dict[str, int]
) -> None:
    duty = _client(app, settings, session, world.users["duty"])
    html = duty.get(f"/warnings/{issued['red']}").text
    for testid in ("act-acknowledge", "act-up", "act-down", "act-incident", "act-lift"):
        assert f'data-testid="{testid}"' in html, testid
    config = _config(html)
    assert config["can"]["update"] and config["can"]["escalate"] and config["selected"] == issued["red"]


def test_a_county_user_sees_only_its_county(
    app: Any, settings: Any, session: Session, world: Any, issued: dict[str, int]
) -> None:
    county = _client(app, settings, session, world.users["linqing"])
    html = county.get("/warnings").text
    assert [int(x) for x in re.findall(r'data-warning-id="(\d+)"', html)] == [issued["yellow"]]
    assert "东昌府区暴雨红色预警" not in html
    assert set(_config(html)["divisionNames"]) == {"371581"}
    assert county.get(f"/warnings/{issued['red']}").status_code == 404  # another county's warning
    assert county.get(f"/warnings/{issued['yellow']}").status_code == 200


def test_unknown_warnings_are_404_pages(app: Any, settings: Any, session: Session, world: Any) -> None:
    duty = _client(app, settings, session, world.users["duty"])
    for bad in ("999999", "abc", "0", "99999999999"):
        r = duty.get(f"/warnings/{bad}")
        assert r.status_code == 404 and "<html" in r.text, bad


def test_a_lifted_warning_leaves_the_list(
    app: Any, settings: Any, session: Session, world: Any, issued: dict[str, int]
) -> None:
    admin = session.get(User, world.users["admin"])
    assert admin is not None
    warnings.lift(session=session, user=admin, warning_id=issued["blue"], reason="大风减弱（合成）")
    session.flush()
    duty = _client(app, settings, session, world.users["duty"])
    html = duty.get("/warnings").text
    assert f'data-warning-id="{issued["blue"]}"' not in html
    # the lifted warning still opens (selected, read from the API by the script)
    assert _config(duty.get(f"/warnings/{issued['blue']}").text)["selected"] == issued["blue"]


def test_the_english_console(app: Any, settings: Any, session: Session, world: Any, issued: dict[str, int]) -> None:
    duty = _client(app, settings, session, world.users["duty"])
    duty.cookies.set(LANG_COOKIE, "en")
    html = duty.get("/warnings").text
    assert '<html lang="en">' in html
    assert "<h1>Warnings" in html and "Active warnings" in html and "Not acknowledged" in html
    assert ">Acknowledge</button>" in html and ">Escalate to incident</button>" in html
    config = _config(html)
    assert config["lang"] == "en" and config["levels"]["1"]["short"] == "Red"
    assert config["i18n"]["live.on"] == "● Live"
    assert config["eventKind"]["acknowledged"] == "Acknowledged"


def test_every_warning_text_is_in_the_catalogue() -> None:
    used: set[str] = set()
    for path in (WEB / "templates" / "warnings").glob("*.html"):
        used |= set(re.findall(r"""\bt\('([a-z0-9_.]+)'""", path.read_text(encoding="utf-8")))
    assert used and not {k for k in used if k not in MESSAGES}
    js = js_messages("en")
    script = (WEB / "static" / "js" / "warnings.js").read_text(encoding="utf-8")
    keys = set(re.findall(r"""\bT\('([a-z0-9_.]+)'""", script))
    keys |= {f"live.{s}" for s in ("on", "connecting", "off")}  # T('live.' + state)
    assert keys and not {k for k in keys if k not in js and not k.endswith(".")}
    for key, (zh, en) in MESSAGES.items():
        if key.startswith("wrn."):
            assert zh and en, key
