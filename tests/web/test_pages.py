"""Web pages over HTTP (no browser): login and CSRF, the login requirement, language, registry pages.

These use the shared fixtures of ``tests/conftest.py`` (a real database per backend, each test in
a rolled-back savepoint) and a TestClient on ``https://testserver`` so that Secure cookies flow.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.config import Settings
from yingji.deps import SESSION_COOKIE
from yingji.registry.models import Contact, Facility
from yingji.registry.specs import REGISTRIES
from yingji.web.i18n import LANG_COOKIE, MESSAGES

PASSWORD = "correct-horse-1"  # the password of the base users in tests/conftest.py
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "yingji" / "web" / "templates"


def _client(app: Any) -> TestClient:
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def _login_token(client: TestClient, path: str = "/login") -> str:
    r = client.get(path)
    assert r.status_code == 200, r.text
    m = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', r.text)
    assert m, "the login form carries a CSRF token"
    return m.group(1)


def _login(app: Any, username: str, password: str = PASSWORD) -> TestClient:
    client = _client(app)
    token = _login_token(client)
    r = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token, "next": "/"}
    )
    assert r.status_code == 303, r.text
    return client


def _csrf(client: TestClient, path: str = "/registry") -> str:
    r = client.get(path)
    m = re.search(r'<meta name="csrf-token" content="([0-9a-f]{64})">', r.text)
    assert m, r.text[:500]
    return m.group(1)


def _facility_form(csrf: str | None, **overrides: str) -> dict[str, str]:
    data = {
        "name": "测试医院（合成）",
        "kind": "hospital",
        "status": "in_service",
        "division_code": "371581",
        "lon": "115.70",
        "lat": "36.80",
        "capacity.hospital.beds": "300",
        "capacity.hospital.grade": "grade_2a",
    }
    if csrf is not None:
        data["csrf_token"] = csrf
    data.update(overrides)
    return data


# --- login requirement, login, logout ---------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/map",
        "/registry",
        "/registry/facilities",
        "/registry/facilities/new",
        "/registry/units/1",
        "/registry/facilities/1/edit",
        "/supplies/orders",
        "/supplies/allocate",
    ],
)
def test_pages_redirect_to_login_when_signed_out(app: Any, path: str) -> None:
    r = _client(app).get(path)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")
    if path != "/":
        assert "next=" + path in r.headers["location"]


def test_login_health_and_static_need_no_login(app: Any) -> None:
    client = _client(app)
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/app.css").status_code == 200
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200


def test_login_page_is_chinese_and_says_the_demo_data_are_synthetic(app: Any) -> None:
    r = _client(app).get("/login")
    assert '<html lang="zh-CN">' in r.text
    assert "登录" in r.text and "用户名" in r.text and "密码" in r.text
    assert "合成数据" in r.text
    assert "yingji_login_csrf=" in r.headers["set-cookie"]


def test_login_sets_a_secure_http_only_lax_session_cookie(app: Any) -> None:
    client = _client(app)
    token = _login_token(client, "/login?next=/registry/units")
    r = client.post(
        "/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": token, "next": "/registry/units"},
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/registry/units"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "="))
    attrs = cookie.lower()
    assert "httponly" in attrs and "samesite=lax" in attrs and "secure" in attrs and "path=/" in attrs
    page = client.get("/registry/units")
    assert page.status_code == 200
    assert "admin" in page.text and "系统管理员" in page.text


def test_session_cookie_is_not_secure_when_configured_off(settings: Settings, session_factory: Any) -> None:
    from yingji.api.app import create_app

    app = create_app(settings.model_copy(update={"cookie_secure": False}), session_factory)
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    token = _login_token(client)
    r = client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "="))
    assert "secure" not in cookie.lower()


def test_login_goes_only_to_local_pages(app: Any) -> None:
    for target in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "/\t/evil.example",
        "/login",
    ):
        client = _client(app)
        token = _login_token(client)
        r = client.post(
            "/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token, "next": target}
        )
        assert r.status_code == 303 and r.headers["location"] == "/"


def test_login_post_without_csrf_token_is_refused(app: Any) -> None:
    client = _client(app)
    _login_token(client)
    r = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert r.status_code == 403
    assert "安全令牌" in r.text
    assert SESSION_COOKIE not in r.headers.get("set-cookie", "")


def test_login_csrf_token_must_match_its_cookie(app: Any) -> None:
    other = _client(app)
    foreign_token = _login_token(other)
    client = _client(app)
    _login_token(client)  # this client's own nonce cookie
    r = client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": foreign_token})
    assert r.status_code == 403
    fresh = _client(app)  # no nonce cookie at all
    r = fresh.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": foreign_token})
    assert r.status_code == 403


def test_failed_login_shows_the_message_and_the_lockout_applies(app: Any, session: Session) -> None:
    client = _client(app)
    for _ in range(3):  # settings.login_max_failures == 3 in tests/conftest.py
        token = _login_token(client)
        r = client.post(
            "/login", data={"username": "viewer", "password": "wrong-password", "csrf_token": token}
        )
        assert r.status_code == 401
        assert "用户名或密码错误" in r.text
        assert 'value="viewer"' in r.text
    token = _login_token(client)
    r = client.post("/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 401
    assert "锁定" in r.text
    user = session.scalar(select(User).where(User.username == "viewer"))
    assert user is not None and user.locked_until is not None


def test_logout_needs_the_csrf_token(app: Any) -> None:
    client = _login(app, "viewer")
    r = client.post("/logout", data={})
    assert r.status_code == 403
    assert client.get("/registry").status_code == 200  # still signed in
    r = client.post("/logout", data={"csrf_token": _csrf(client)})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert f'{SESSION_COOKIE}=""' in r.headers["set-cookie"] or "Max-Age=0" in r.headers["set-cookie"]


def test_a_bad_session_cookie_leads_to_the_login_page(app: Any) -> None:
    client = _client(app)
    client.cookies.set(SESSION_COOKIE, "not-a-jwt", domain="testserver")
    r = client.get("/registry")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


# --- CSRF on forms and the API token in pages --------------------------------------------------


def test_form_post_without_csrf_token_is_refused(app: Any, session: Session) -> None:
    client = _login(app, "admin")
    before = session.scalar(select(Facility).where(Facility.name == "测试医院（合成）"))
    assert before is None
    r = client.post("/registry/facilities/new", data=_facility_form(None))
    assert r.status_code == 403
    assert "CSRF" in r.text
    r = client.post("/registry/facilities/new", data=_facility_form("0" * 64))
    assert r.status_code == 403
    assert session.scalar(select(Facility).where(Facility.name == "测试医院（合成）")) is None


def test_page_meta_csrf_token_is_the_api_token(app: Any) -> None:
    client = _login(app, "admin")
    token = _csrf(client, "/")
    body = {"name": "测试联系人", "division_code": "371500"}
    assert client.post("/api/v1/contacts", json=body).status_code == 403
    r = client.post("/api/v1/contacts", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 201, r.text


# --- language --------------------------------------------------------------------------------


def test_language_switch_sets_a_cookie_and_english_labels(app: Any) -> None:
    client = _login(app, "admin")
    assert "设施场所" in client.get("/registry/facilities").text
    r = client.get("/lang", params={"set": "en", "next": "/registry/facilities"})
    assert r.status_code == 303 and r.headers["location"] == "/registry/facilities"
    assert f"{LANG_COOKIE}=en" in r.headers["set-cookie"]
    page = client.get("/registry/facilities").text
    assert '<html lang="en">' in page
    assert "Facilities" in page and "Export .xlsx" in page and "Demo data are synthetic" in page
    r = client.get("/lang", params={"set": "zh-CN", "next": "https://evil.example/"})
    assert r.headers["location"] == "/"
    assert "设施场所" in client.get("/registry/facilities").text


def test_user_language_applies_without_a_cookie(app: Any, session: Session, world: Any) -> None:
    user = session.get(User, world.users["duty"])
    assert user is not None
    user.language = "en"
    session.flush()
    client = _login(app, "duty")
    assert '<html lang="en">' in client.get("/registry").text


def test_every_template_message_is_in_the_catalogue() -> None:
    used: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\('([a-z0-9_.]+)'""", path.read_text(encoding="utf-8")))
    missing = {k for k in used if k not in MESSAGES and not k.endswith(".")}
    assert not missing
    for key, (zh, en) in MESSAGES.items():
        assert zh and en, key


# --- the map page ----------------------------------------------------------------------------


def test_map_page_has_layers_config_and_csrf_meta(app: Any) -> None:
    client = _login(app, "admin")
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    assert '<meta name="csrf-token"' in html
    assert 'data-layer="facilities:fire_station"' in html and 'data-layer="teams:fire_rescue"' in html
    assert 'data-layer="divisions"' in html and 'data-layer="vehicles"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html and "unpkg" not in html and "cdn" not in html.lower()
    assert "演示数据为合成数据" in html
    assert "YINGJI_TILE_URL" in html  # no tile server configured: the offline note
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert client.get("/map").status_code == 200


# --- the network-analysis panel (路网分析) -------------------------------------------------------

NETWORK_JS = TEMPLATES.parent / "static" / "js" / "network.js"


def _map_config(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="map-config">(.*?)</script>', html, re.S)
    assert m
    config: dict[str, Any] = json.loads(m.group(1))
    return config


def test_every_network_script_message_is_in_the_catalogue() -> None:
    used = set(re.findall(r"""\bN\('([a-z0-9_.]+)'""", NETWORK_JS.read_text(encoding="utf-8")))
    assert {"closures_considered", "err.off_road", "err.no_network", "cl.clear"} <= used
    assert not {k for k in used if f"net.{k}" not in MESSAGES}


def test_map_page_has_the_network_panel_and_says_when_no_network_is_loaded(app: Any) -> None:
    client = _login(app, "admin")
    html = client.get("/").text
    assert 'data-testid="net-panel"' in html and "/static/js/network.js" in html
    for tool in ("iso", "nearest", "coverage", "closures", "siting"):
        assert f'data-tool="{tool}"' in html
    # the test data directory holds no network: the note is shown (not hidden)
    assert 'data-testid="net-unavailable" hidden' not in html
    assert "未加载路网" in html
    net = _map_config(html)["network"]
    assert net["available"] is False and net["population"] is False
    assert net["closures"] == {"read": True, "create": True, "update": True, "delete": True}
    assert net["thresholdsMin"] == [5, 10, 15]
    assert net["resources"]["teams"]["available"] == "available"
    assert net["resources"]["facilities"]["available"] == "in_service"
    assert ["hazmat", "危化品"] in net["resources"]["teams"]["capabilities"]
    assert net["i18n"]["closures_considered"] == "已考虑 {n} 处阻断"
    assert {code for code, _ in net["divisions"]} == {"371500", "371502", "371581"}
    assert net["divisionNames"]["371581"] == "临清市"
    assert 'id="draw-rect"' in html and 'id="closure-form"' in html


def test_network_panel_follows_the_role_and_scope(app: Any, settings: Settings) -> None:
    net_dir = settings.data_dir / "network"
    net_dir.mkdir(parents=True, exist_ok=True)
    (net_dir / "graph.npz").write_bytes(b"")  # only its presence is looked at
    viewer = _login(app, "viewer").get("/").text
    assert 'id="net-unavailable" data-testid="net-unavailable" hidden' in viewer
    assert "未加载人口网格" in viewer  # no population.csv
    net = _map_config(viewer)["network"]
    assert net["available"] is True and net["closures"]["create"] is False
    assert 'id="draw-rect"' not in viewer and "您的角色只能查看阻断" in viewer
    county = _map_config(_login(app, "linqing").get("/").text)["network"]
    assert [code for code, _ in county["divisions"]] == ["371581"]
    assert county["closures"]["create"] is True and county["closures"]["delete"] is False
    english = _login(app, "admin")
    english.cookies.set(LANG_COOKIE, "en")
    html = english.get("/").text
    assert "Network analysis" in html and "Closures" in html
    assert _map_config(html)["network"]["i18n"]["closures_considered"] == "Closures taken into account: {n}"


def test_map_uses_the_configured_tile_server(settings: Settings, session_factory: Any) -> None:
    from yingji.api.app import create_app

    tiles = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
    app = create_app(settings.model_copy(update={"tile_url": tiles}), session_factory)
    client = _login(app, "admin")
    r = client.get("/")
    config = json.loads(
        re.search(r'<script type="application/json" id="map-config">(.*?)</script>', r.text, re.S)[1]
    )
    assert config["tileUrl"] == tiles and "OpenStreetMap" in config["tileAttribution"]
    assert "img-src 'self' data: https://*.tile.openstreetmap.org" in r.headers["content-security-policy"]
    assert "YINGJI_TILE_URL" not in r.text  # the offline note is shown only without tiles


# --- registry pages --------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(REGISTRIES))
def test_registry_list_and_new_form_render(app: Any, name: str) -> None:
    client = _login(app, "admin")
    r = client.get(f"/registry/{name}")
    assert r.status_code == 200, r.text
    assert REGISTRIES[name].zh in r.text
    assert f"/api/v1/{name}/export?format=xlsx" in r.text
    r = client.get(f"/registry/{name}/new")
    assert r.status_code == 200, r.text
    assert 'name="csrf_token"' in r.text


def test_registry_list_filters_and_detail(app: Any, world: Any) -> None:
    client = _login(app, "admin")
    r = client.get("/registry/units", params={"division": "371581"})
    assert "临清市应急管理局" in r.text and "市卫生健康委" not in r.text
    assert "export?division=371581&amp;format=xlsx" in r.text
    r = client.get("/registry/units", params={"q": "卫生"})
    assert "市卫生健康委" in r.text and "临清市应急管理局" not in r.text
    unit_id = world.units["health"]
    r = client.get(f"/registry/units/{unit_id}")
    assert r.status_code == 200 and "市卫生健康委" in r.text and "政府部门" in r.text
    assert "聊城市（371500）" in r.text
    r = client.get("/registry/divisions/371581")
    assert r.status_code == 200 and "临清市" in r.text and "县（市、区）" in r.text


def test_registry_index_pagination_and_export(app: Any, session: Session) -> None:
    session.add_all(Contact(name=f"联系人{i:03d}", division_code="371581") for i in range(55))
    session.flush()
    client = _login(app, "admin")
    index = client.get("/registry").text
    assert 'data-registry="contacts"' in index and "55 条记录" in index
    first = client.get("/registry/contacts", params={"division": "371581"}).text
    assert (
        "共 55 条" in first and "第 1 / 2 页" in first and "联系人049" in first and "联系人050" not in first
    )
    assert 'href="?division=371581&amp;page=2"' in first
    second = client.get("/registry/contacts", params={"division": "371581", "page": "2"}).text
    assert "第 2 / 2 页" in second and "联系人054" in second and "联系人000" not in second
    assert "第 1 / 2 页" in client.get("/registry/contacts", params={"page": "x"}).text
    export = re.search(r'href="(/api/v1/contacts/export\?[^"]+format=csv)"', first)
    assert export
    r = client.get(export.group(1).replace("&amp;", "&"))  # the session cookie authorises the download
    assert r.status_code == 200 and "联系人054" in r.content.decode("utf-8-sig")


def test_unknown_registry_and_record_are_html_404(app: Any) -> None:
    client = _login(app, "admin")
    for path in ("/registry/nothing", "/registry/facilities/999999", "/registry/facilities/abc"):
        r = client.get(path)
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("text/html")


def test_create_facility_shows_errors_beside_fields_then_saves(app: Any, session: Session) -> None:
    client = _login(app, "admin")
    csrf = _csrf(client)
    bad = _facility_form(csrf, lat="95")
    del bad["capacity.hospital.beds"]
    r = client.post("/registry/facilities/new", data=bad)
    assert r.status_code == 422
    assert re.search(r'data-error-for="lat"[^>]*>应小于或等于 90<', r.text)
    assert re.search(r'data-error-for="capacity.beds"[^>]*>必填<', r.text)
    assert 'value="测试医院（合成）"' in r.text  # what was typed is kept
    r = client.post("/registry/facilities/new", data=_facility_form(csrf))
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    assert re.fullmatch(r"/registry/facilities/\d+\?done=created", location)
    page = client.get(location).text
    assert "测试医院（合成）" in page and "床位数 300" in page and "二级甲等" in page and "已创建" in page
    obj = session.scalar(select(Facility).where(Facility.name == "测试医院（合成）"))
    assert obj is not None and obj.capacity["beds"] == 300 and obj.capacity["grade"] == "grade_2a"


def test_capacity_inputs_follow_the_kind(app: Any) -> None:
    client = _login(app, "admin")
    html = client.get("/registry/facilities/new", params={"kind": "shelter"}).text
    assert re.search(r'<fieldset class="capacity-kind" data-capacity-for="shelter"\s*>', html)
    assert re.search(r'data-capacity-for="hospital"\s+hidden disabled', html)
    assert 'name="capacity.shelter.persons"' in html and 'name="capacity.hospital.beds"' in html
    r = client.post(
        "/registry/facilities/new",
        data=_facility_form(
            _csrf(client),
            kind="shelter",
            **{"capacity.shelter.persons": "-5", "capacity.shelter.area_m2": "abc"},
        ),
    )
    assert r.status_code == 422
    assert re.search(r'data-error-for="capacity.persons"[^>]*>应大于或等于 0<', r.text)
    assert re.search(r'data-error-for="capacity.area_m2"[^>]*>应为数字<', r.text)


def test_unknown_references_are_shown_beside_their_field(app: Any) -> None:
    client = _login(app, "admin")
    r = client.post("/registry/facilities/new", data=_facility_form(_csrf(client), unit_id="999999"))
    assert r.status_code == 422
    assert re.search(r'data-error-for="unit_id"[^>]*>未知的单位 999999<', r.text)


def test_edit_then_delete_a_facility(app: Any, session: Session) -> None:
    client = _login(app, "admin")
    csrf = _csrf(client)
    r = client.post("/registry/facilities/new", data=_facility_form(csrf))
    key = r.headers["location"].split("/")[-1].split("?")[0]
    form = client.get(f"/registry/facilities/{key}/edit").text
    assert 'value="300"' in form and 'value="测试医院（合成）"' in form
    r = client.post(
        f"/registry/facilities/{key}/edit",
        data=_facility_form(csrf, name="改名医院", **{"capacity.hospital.beds": "-1"}),
    )
    assert r.status_code == 422 and 'data-error-for="capacity.beds"' in r.text
    r = client.post(f"/registry/facilities/{key}/edit", data=_facility_form(csrf, name="改名医院", phone=""))
    assert r.status_code == 303 and r.headers["location"].endswith("?done=updated")
    assert "改名医院" in client.get(f"/registry/facilities/{key}").text
    r = client.get(f"/registry/facilities/{key}/delete")
    assert r.status_code == 200 and "改名医院" in r.text and "确认删除" in r.text
    assert client.post(f"/registry/facilities/{key}/delete", data={}).status_code == 403
    r = client.post(f"/registry/facilities/{key}/delete", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/registry/facilities?done=deleted"
    assert session.get(Facility, int(key)) is None
    assert client.get(f"/registry/facilities/{key}").status_code == 404


def test_deleting_a_referenced_record_says_why(app: Any) -> None:
    client = _login(app, "admin")
    r = client.post("/registry/divisions/371581/delete", data={"csrf_token": _csrf(client)})
    assert r.status_code == 409
    assert "referenced" in r.text
    assert client.get("/registry/divisions/371581").status_code == 200


def test_division_edit_keeps_its_code(app: Any) -> None:
    client = _login(app, "admin")
    html = client.get("/registry/divisions/371581/edit").text
    assert 'value="371581" readonly' in html
    data = {
        "csrf_token": _csrf(client),
        "name": "临清市",
        "level": "county",
        "parent_code": "371500",
        "population": "731000",
        "code": "999999",
    }
    r = client.post("/registry/divisions/371581/edit", data=data)
    assert r.status_code == 303 and r.headers["location"].startswith("/registry/divisions/371581")
    assert "731000" in client.get("/registry/divisions/371581").text


def test_team_form_lists_and_equipment_lines(app: Any) -> None:
    client = _login(app, "admin")
    csrf = _csrf(client)
    data: dict[str, Any] = {
        "csrf_token": csrf,
        "name": "测试救援队（合成）",
        "kind": "professional",
        "specialty": "flood",
        "level": "county",
        "headcount": "20",
        "capabilities": ["flood", "water_rescue"],
        "division_code": "371581",
        "lon": "115.7",
        "lat": "36.8",
        "equipment": "冲锋舟,4\n抽水泵,many",
    }
    r = client.post("/registry/teams/new", data=data)
    assert r.status_code == 422
    assert re.search(r'data-error-for="equipment"[^>]*>第 2 行：应为整数<', r.text)
    data["equipment"] = "冲锋舟,4\n抽水泵，2\n救生衣"
    r = client.post("/registry/teams/new", data=data)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"]).text
    assert "冲锋舟 × 4" in page and "抽水泵 × 2" in page and "救生衣 × 1" in page
    assert "防汛抗洪、水域救援" in page


def test_expert_needs_a_specialty(app: Any) -> None:
    client = _login(app, "admin")
    r = client.post(
        "/registry/experts/new",
        data={"csrf_token": _csrf(client), "name": "测试专家", "division_code": "371500"},
    )
    assert r.status_code == 422
    assert re.search(r'data-error-for="specialties"[^>]*>至少选择 1 项<', r.text)


def test_contact_email_error_in_english(app: Any) -> None:
    client = _login(app, "admin")
    client.get("/lang", params={"set": "en"})
    r = client.post(
        "/registry/contacts/new",
        data={
            "csrf_token": _csrf(client),
            "name": "Test",
            "division_code": "371500",
            "email": "not-an-email",
            "phone_mobile": "abc",
        },
    )
    assert r.status_code == 422
    assert re.search(r'data-error-for="email"[^>]*>Not a valid e-mail address<', r.text)
    assert re.search(r'data-error-for="phone_mobile"[^>]*>Invalid format<', r.text)


def test_county_user_sees_and_writes_only_its_scope(app: Any, session: Session) -> None:
    client = _login(app, "linqing")
    html = client.get("/registry/facilities/new").text
    division_select = html.split('id="f-division_code"', 1)[1].split("</select>", 1)[0]
    assert "371581" in division_select and "371502" not in division_select and "371500" not in division_select
    assert 'value="371581" selected' in division_select  # the user's own division is preselected
    r = client.post("/registry/facilities/new", data=_facility_form(_csrf(client), division_code="371502"))
    assert r.status_code == 403
    assert re.search(r'data-error-for="division_code"[^>]*>[^<]*outside your division', r.text)
    assert session.scalar(select(Facility).where(Facility.name == "测试医院（合成）")) is None


def test_viewer_gets_no_write_buttons_and_a_403_page(app: Any) -> None:
    client = _login(app, "viewer")
    html = client.get("/registry/contacts").text
    assert 'data-testid="new-record"' not in html and "export?" not in html
    r = client.get("/registry/contacts/new")
    assert r.status_code == 403 and "无权执行此操作" in r.text


def test_department_user_form_preselects_its_unit(app: Any, session: Session, world: Any) -> None:
    client = _login(app, "health")
    html = client.get("/registry/contacts/new").text
    unit_select = html.split('id="f-unit_id"', 1)[1].split("</select>", 1)[0]
    assert f'value="{world.units["health"]}" selected' in unit_select
    r = client.post(
        "/registry/contacts/new",
        data={
            "csrf_token": _csrf(client),
            "name": "卫健联系人",
            "division_code": "371500",
            "unit_id": str(world.units["health"]),
        },
    )
    assert r.status_code == 303, r.text
    assert session.scalar(select(Contact).where(Contact.name == "卫健联系人")) is not None


def test_api_token_is_bound_to_the_session(
    app: Any, settings: Settings, session: Session, world: Any
) -> None:
    user = session.get(User, world.users["admin"])
    assert user is not None
    token, _ = auth_service.create_token(settings=settings, user=user)
    assert auth_service.csrf_token(settings=settings, session_token=token) != auth_service.csrf_token(
        settings=settings, session_token=token + "x"
    )


@pytest.mark.parametrize("path", [
    "/warnings/²", "/incidents/²", "/supervision/tasks/²", "/supplies/lots/²", "/supplies/requests/²",
    "/supplies/lots?warehouse_id=²&page=²", "/supplies/orders?page=²", "/supplies/allocate?incident_id=²",
    "/supplies/allocate?request_id=²", "/supplies/requests?page=²",
])
def test_odd_digits_in_ids_are_not_a_server_error(app: Any, path: str) -> None:
    """``"²".isdigit()`` is true but ``int("²")`` fails: ids and page numbers take ASCII digits only."""
    r = _login(app, "admin").get(path)
    assert r.status_code in (200, 404), (path, r.status_code, r.text[:300])
