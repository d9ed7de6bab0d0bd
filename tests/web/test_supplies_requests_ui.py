"""The supply request pages (物资申请): in a browser, on the small street grid of
``conftest.write_test_network`` with the default catalogue and synthetic stock (演示数据为合成数据)
in the city depot, a county user of 东昌府区 files a request for an open incident (two lines), the
city approves one line in part, the county sees the new status and quantities; the city plans the
request's outstanding lines on the allocation page and accepts; bad input is shown beside its
field and writes nothing. Over HTTP (the shared fixtures of ``tests/conftest.py``): a viewer sees
no form, a county cannot open another county's request, every POST needs the CSRF token, the
pages in English, the decision's and the withdrawal's refusals."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.db.base import utcnow
from yingji.deps import SESSION_COOKIE
from yingji.registry.models import Facility
from yingji.supplies import reserve, service
from yingji.supplies.models import DispatchOrder, Item, SupplyRequest
from yingji.supplies.schemas import LotCreate, RequestCreate

LiveServer = Any  # tests/web/conftest.py: url, settings, sessionmaker, admin

STOCK = 1000
DEMAND = (115.985, 36.457)  # the centre of the test grid (东昌府区)
DCF = ("webdcf", "Web-dcf-pass-1")  # a county user of 东昌府区 (371502)
CITY = ("webcity", "Web-city-pass-1")  # a commander of the city (371500)
INCIDENT = "申请测试内涝"


# ---- in a browser -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def request_server(network_server: LiveServer) -> LiveServer:
    """The network world plus the default catalogue, a lot of every relief item in the city depot,
    an open incident in 东昌府区, a county user there and a city commander."""
    from yingji.incidents.models import Incident

    now = utcnow()
    with network_server.sessionmaker() as session, session.begin():
        admin = session.scalars(select(User).where(User.username == network_server.admin[0])).one()
        service.load_defaults(session=session, user=admin)
        depot = session.scalars(select(Facility).where(Facility.kind == "warehouse")).first()
        assert depot is not None
        items = [item for item, _ in reserve.relief_profile(session)]
        for item in items:
            service.create_lot(session=session, user=admin, data=LotCreate.model_validate({
                "warehouse_id": depot.id, "item_id": item.id, "batch": f"REQ-{item.code}", "quantity": STOCK,
                "notes": "合成测试数据"}))
        for (name, password), role, division in ((DCF, "county", "371502"), (CITY, "commander", "371500")):
            session.add(User(username=name, role=role, division_code=division,
                             password_hash=auth_service.hash_password(password)))
        inc = Incident(title=INCIDENT, category="natural", type="flood", division_code="371502",
                       lon=DEMAND[0] + 0.01, lat=DEMAND[1] - 0.005, occurred_at=now - timedelta(hours=1),
                       reported_at=now, created_by="test", affected_people=120)
        session.add(inc)
        session.flush()
        network_server.incident_id = inc.id
        network_server.items = [(it.id, it.code) for it in items[:2]]
    return network_server


def _login(page: Page, server: LiveServer, who: tuple[str, str], path: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{server.url}/login?next={path}")
    page.fill("#username", who[0])
    page.fill("#password", who[1])
    page.click("[data-testid=login-submit]")
    page.wait_for_url(re.compile(re.escape(server.url + path) + r"(\?.*)?$"))


def _count(server: LiveServer) -> int:
    with server.sessionmaker() as session:
        return int(session.scalar(select(func.count()).select_from(SupplyRequest)) or 0)


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_county_requests_city_approves_in_part_county_sees_it(page: Page, request_server: LiveServer) -> None:
    (tent_id, tent), (other_id, other) = request_server.items
    _login(page, request_server, DCF, "/supplies/requests")
    page.click("[data-testid=new-request]")
    form = page.locator("[data-testid=new-request-form]")
    expect(form.locator("select[name=division_code]")).to_have_value("371502")
    form.locator("select[name=incident_id]").select_option(str(request_server.incident_id))
    expect(form.locator("input[name=incident_ref]")).to_have_value(f"#{request_server.incident_id} {INCIDENT}")
    expect(form.locator("input[name=destination]")).to_have_value(INCIDENT)
    expect(form.locator("input[name=people]")).to_have_value("120")
    assert float(form.locator("input[name=lon]").input_value()) == pytest.approx(DEMAND[0] + 0.01)
    form.locator("input[name=destination]").fill(f"{INCIDENT}安置点")
    form.locator("input[name=needed_by]").fill("2030-06-01T18:00")
    form.locator("input[name=reason]").fill("安置群众生活保障")
    lines = form.locator("[data-testid=request-line]")
    lines.nth(0).locator("select").select_option(str(tent_id))
    lines.nth(0).locator("input").fill("30")
    lines.nth(1).locator("select").select_option(str(other_id))
    lines.nth(1).locator("input").fill("20")
    form.locator("[data-testid=save]").click()
    expect(page.locator("[data-testid=done]")).to_contain_text("申请已提交")
    status = page.locator("[data-testid=request-facts] [data-testid=request-status]")
    expect(status).to_have_text("待审批")
    expect(page.locator("[data-testid=request-facts]")).to_contain_text("2030-06-01 18:00")
    expect(page.locator("[data-testid=request-lines] tbody tr")).to_have_count(2)
    expect(page.locator("[data-testid=decision-form]")).to_have_count(0)  # a county does not decide
    expect(page.locator("[data-testid=cancel-request]")).to_be_visible()
    request_id = int(page.url.split("/supplies/requests/")[1].split("?")[0])
    page.click("nav.sup-tabs a[href='/supplies/requests']")
    row = page.locator(f"[data-testid=requests-table] tr[data-request='{request_id}']")
    expect(row.locator("[data-testid=request-status]")).to_have_text("待审批")
    expect(row).to_contain_text("东昌府区")
    # the city approves the second line in part
    _login(page, request_server, CITY, f"/supplies/requests/{request_id}")
    decision = page.locator("[data-testid=decision-form]")
    expect(decision.locator(f"input[name=approved_{tent_id}]")).to_have_value("30")
    decision.locator(f"input[name=approved_{other_id}]").fill("5")
    decision.locator("input[name=note]").fill("库存紧张，先拨付部分")
    decision.locator("[data-testid=approve]").click()
    expect(page.locator("[data-testid=done]")).to_have_text("已批准。")
    expect(status).to_have_text("已批准")
    expect(page.locator("[data-testid=decision-form]")).to_have_count(0)
    expect(page.locator("[data-testid=allocate-link]")).to_be_visible()
    # the county sees the status and the approved quantities
    _login(page, request_server, DCF, f"/supplies/requests/{request_id}")
    expect(status).to_have_text("已批准")
    expect(page.locator("[data-testid=request-decided]")).to_contain_text("库存紧张")
    for code, approved in ((tent, "30"), (other, "5")):
        line = page.locator(f"[data-testid=request-lines] tr[data-item='{code}']")
        expect(line.locator("[data-testid=approved]")).to_have_text(approved)
        expect(line.locator("[data-testid=outstanding]")).to_have_text(approved)
    expect(page.locator("[data-testid=allocate-link]")).to_have_count(0)  # a county does not dispatch
    page.goto(f"{request_server.url}/supplies/requests?status=approved")
    expect(page.locator(f"tr[data-request='{request_id}'] [data-testid=request-status]")).to_have_text("已批准")
    # the city plans the request's outstanding lines and accepts: the orders count towards it
    _login(page, request_server, CITY, f"/supplies/requests/{request_id}")
    page.click("[data-testid=allocate-link]")
    expect(page.locator("[data-testid=request-point]")).to_contain_text(f"{INCIDENT}安置点")
    expect(page.locator("[data-testid=incident-select]")).to_be_hidden()
    page.click("[data-testid=compute]")
    ships = page.locator("[data-testid=shipments] tbody tr")
    expect(ships.first).to_be_visible(timeout=30_000)
    shipped = {r.get_attribute("data-item"): int(r.get_attribute("data-quantity") or 0) for r in ships.all()}
    assert shipped == {tent: 30, other: 5}
    page.click("[data-testid=accept]")
    expect(page.locator("[data-testid=alloc-status][data-accepted]")).to_be_visible()
    with request_server.sessionmaker() as session:
        orders = session.scalars(select(DispatchOrder).where(DispatchOrder.request_id == request_id)).all()
        assert len(orders) == 1
    page.goto(f"{request_server.url}/supplies/requests/{request_id}")
    line = page.locator(f"[data-testid=request-lines] tr[data-item='{other}']")
    expect(line.locator("[data-testid=dispatched]")).to_have_text("5")
    expect(line.locator("[data-testid=outstanding]")).to_have_text("0")
    expect(page.locator("[data-testid=request-orders] tbody tr")).to_have_count(1)
    expect(page.locator("[data-testid=allocate-link]")).to_have_count(0)
    # the county signs for the goods: the request is fulfilled
    _login(page, request_server, DCF, "/supplies/orders")
    page.click(f"tr[data-order='{orders[0].id}'] [data-testid=receive]")
    expect(page.locator(f"tr[data-order='{orders[0].id}']")).to_have_attribute("data-status", "received")
    page.goto(f"{request_server.url}/supplies/requests/{request_id}")
    expect(status).to_have_text("已完成")
    expect(line.locator("[data-testid=received]")).to_have_text("5")


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_bad_request_input_is_shown_beside_its_field_and_writes_nothing(
    page: Page, request_server: LiveServer
) -> None:
    (tent_id, _), (other_id, _) = request_server.items
    before = _count(request_server)
    _login(page, request_server, DCF, "/supplies/requests/new")
    form = page.locator("[data-testid=new-request-form]")
    form.locator("input[name=incident_ref]").fill("手工填写的事件")
    form.locator("input[name=destination]").fill("某村委会")
    form.locator("input[name=lon]").fill(str(DEMAND[0]))
    form.locator("input[name=lat]").fill(str(DEMAND[1]))
    form.locator("[data-testid=save]").click()  # no line
    error = page.locator("[data-testid=request-lines] [data-error-for=lines]")
    expect(error).to_have_text("请至少填写一种物资")
    expect(form.locator("input[name=destination]")).to_have_value("某村委会")  # kept
    lines = form.locator("[data-testid=request-line]")
    lines.nth(0).locator("select").select_option(str(tent_id))
    lines.nth(0).locator("input").fill("10")
    lines.nth(2).locator("select").select_option(str(other_id))
    lines.nth(2).locator("input").fill("-3")
    form.locator("[data-testid=save]").click()
    error = lines.nth(2).locator("[data-error-for='line.2.quantity']")
    expect(error).to_have_text("应大于或等于 1")
    expect(lines.nth(2).locator("input")).to_have_attribute("aria-invalid", "true")
    expect(lines.nth(2).locator("input")).to_have_value("-3")
    expect(lines.nth(0).locator("[data-error-for]")).to_have_count(0)
    expect(page.locator("[data-testid=request-lines] [data-error-for=lines]")).to_have_count(0)
    # an item not in the catalogue (a forged option)
    lines.nth(2).locator("input").fill("3")
    lines.nth(2).locator("select").evaluate(
        "s => { const o = document.createElement('option'); o.value = '999999'; o.text = 'x'; s.add(o);"
        " s.value = '999999'; }"
    )
    form.locator("[data-testid=save]").click()
    expect(lines.nth(2).locator("[data-error-for='line.2.item_id']")).to_have_text("未知的物资")
    expect(page.locator("[data-testid=form-error]")).to_be_visible()
    assert _count(request_server) == before


# ---- over HTTP ----------------------------------------------------------------------------------------


def _web(clients: Any, username: str, lang: str = "zh-CN") -> tuple[TestClient, str]:
    """A client signed in with the session cookie (as a browser is) and its CSRF token."""
    user = clients.session.get(User, clients.world.users[username])
    token, _ = auth_service.create_token(settings=clients.settings, user=user)
    client = TestClient(clients.app, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, token)
    client.cookies.set("yingji_lang", lang)
    return client, auth_service.csrf_token(settings=clients.settings, session_token=token)


def _request(session: Session, world: Any, username: str, division: str, lines: dict[str, int]) -> int:
    admin = session.get(User, world.users["admin"])
    service.load_defaults(session=session, user=admin)
    user = session.get(User, world.users[username])
    items = {i.code: i.id for i in session.scalars(select(Item))}
    r = service.create_request(session=session, user=user, data=RequestCreate.model_validate({
        "division_code": division, "incident_ref": "测试事件", "destination": "安置点", "lon": 115.7, "lat": 36.8,
        "lines": [{"item_id": items[c], "quantity": q} for c, q in lines.items()]}))
    session.flush()
    return r.id


def _status(session: Session, request_id: int) -> str:
    session.expire_all()
    r = session.get(SupplyRequest, request_id)
    assert r is not None
    return str(r.status)


def test_viewer_sees_the_requests_but_no_form(clients: Any, session: Session, world: Any) -> None:
    rid = _request(session, world, "linqing", "371581", {"tent": 4})
    viewer, csrf = _web(clients, "viewer")
    page = viewer.get("/supplies/requests")
    assert page.status_code == 200 and f'data-request="{rid}"' in page.text and "new-request" not in page.text
    html = viewer.get(f"/supplies/requests/{rid}").text
    assert 'data-testid="request-facts"' in html
    assert "decision-form" not in html and "cancel-form" not in html and "allocate-link" not in html
    assert viewer.get("/supplies/requests/new").status_code == 403
    assert viewer.post(f"/supplies/requests/{rid}/decision", data={"csrf_token": csrf, "decision": "reject"}
                       ).status_code == 403
    assert viewer.post(f"/supplies/requests/{rid}/cancel", data={"csrf_token": csrf}).status_code == 403
    assert viewer.post("/supplies/requests/new", data={"csrf_token": csrf}).status_code == 403
    assert _status(session, rid) == "submitted"


def test_a_county_cannot_open_another_countys_request(clients: Any, session: Session, world: Any) -> None:
    theirs = _request(session, world, "dongchangfu", "371502", {"tent": 4})
    mine = _request(session, world, "linqing", "371581", {"quilt": 2})
    lq, csrf = _web(clients, "linqing")
    listing = lq.get("/supplies/requests").text
    assert f'data-request="{mine}"' in listing and f'data-request="{theirs}"' not in listing
    assert lq.get(f"/supplies/requests/{theirs}").status_code == 404
    assert lq.post(f"/supplies/requests/{theirs}/cancel", data={"csrf_token": csrf}).status_code == 404
    assert lq.get("/supplies/requests/abc").status_code == 404
    # nor file one for it: the refusal beside the division
    form = {"csrf_token": csrf, "division_code": "371502", "incident_ref": "x", "destination": "y", "lon": "115.9",
            "lat": "36.4", "line_item": [str(session.scalar(select(Item.id).where(Item.code == "tent")))],
            "line_quantity": ["1"]}
    r = lq.post("/supplies/requests/new", data=form)
    assert r.status_code == 403 and 'data-error-for="division_code"' in r.text
    # the city sees both
    city, _ = _web(clients, "commander")
    listing = city.get("/supplies/requests").text
    assert f'data-request="{mine}"' in listing and f'data-request="{theirs}"' in listing


def test_every_post_needs_the_csrf_token(clients: Any, session: Session, world: Any) -> None:
    rid = _request(session, world, "linqing", "371581", {"tent": 4})
    count = session.scalar(select(func.count()).select_from(SupplyRequest))
    lq, _ = _web(clients, "linqing")
    city, _ = _web(clients, "commander")
    tent = str(session.scalar(select(Item.id).where(Item.code == "tent")))
    form = {"division_code": "371581", "incident_ref": "x", "destination": "y", "lon": "115.7", "lat": "36.8",
            "line_item": [tent], "line_quantity": ["1"]}
    assert lq.post("/supplies/requests/new", data=form).status_code == 403
    assert lq.post("/supplies/requests/new", data={**form, "csrf_token": "0" * 64}).status_code == 403
    assert lq.post(f"/supplies/requests/{rid}/cancel", data={}).status_code == 403
    assert city.post(f"/supplies/requests/{rid}/decision", data={"decision": "approve"}).status_code == 403
    assert session.scalar(select(func.count()).select_from(SupplyRequest)) == count
    assert _status(session, rid) == "submitted"


def test_new_request_decision_and_withdrawal_over_http(clients: Any, session: Session, world: Any) -> None:
    lq, csrf = _web(clients, "linqing")
    session.flush()
    _request(session, world, "linqing", "371581", {"tent": 1})  # loads the catalogue
    items = {i.code: str(i.id) for i in session.scalars(select(Item))}
    form = {"csrf_token": csrf, "division_code": "371581", "incident_id": "", "incident_ref": "临清暴雨",
            "destination": "临清二中", "lon": "115.71", "lat": "36.84", "people": "300",
            "needed_by": "2030-01-02T08:30", "reason": "",
            "line_item": [items["tent"], "", items["quilt"], items["tent"]], "line_quantity": ["10", "", "7", "1"]}
    r = lq.post("/supplies/requests/new", data=form)  # the tent twice: beside the second tent row
    assert r.status_code == 422 and 'data-error-for="line.3.item_id"' in r.text and "同一物资只能填写一行" in r.text
    r = lq.post("/supplies/requests/new", data={**form, "line_item": form["line_item"][:3],
                                                "line_quantity": form["line_quantity"][:3]})
    assert r.status_code == 303, r.text
    rid = int(r.headers["location"].split("/")[-1].split("?")[0])
    req = session.get(SupplyRequest, rid)
    assert req is not None and req.people == 300 and req.needed_by is not None
    assert req.needed_by.isoformat().startswith("2030-01-02T00:30")  # 08:30 in Liaocheng
    html = lq.get(r.headers["location"]).text
    assert "2030-01-02 08:30" in html and "申请已提交" in html
    # the city: more than requested, or nothing at all, is refused beside the line / for the form
    city, ccsrf = _web(clients, "commander")
    decision = {"csrf_token": ccsrf, "decision": "approve", "note": "",
                f"approved_{items['tent']}": "11", f"approved_{items['quilt']}": "7"}
    r = city.post(f"/supplies/requests/{rid}/decision", data=decision)
    tent_error = f'data-error-for="approved_{items["tent"]}"'
    assert r.status_code == 422 and tent_error in r.text and "不能超过申请数量 10" in r.text
    r = city.post(f"/supplies/requests/{rid}/decision", data={**decision, f"approved_{items['tent']}": "0",
                                                               f"approved_{items['quilt']}": "0"})
    assert r.status_code == 422 and "请改为驳回" in r.text
    r = city.post(f"/supplies/requests/{rid}/decision", data={**decision, f"approved_{items['tent']}": "-1"})
    assert r.status_code == 422 and "应大于或等于 0" in r.text
    assert _status(session, rid) == "submitted"
    # the county withdraws; then the city can no longer decide, the county no longer withdraw
    r = lq.post(f"/supplies/requests/{rid}/cancel", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"].endswith("?done=cancelled")
    assert _status(session, rid) == "cancelled"
    r = city.post(f"/supplies/requests/{rid}/decision", data={"csrf_token": ccsrf, "decision": "reject"})
    assert r.status_code == 409
    r = lq.post(f"/supplies/requests/{rid}/cancel", data={"csrf_token": csrf})
    assert r.status_code == 409 and "不能撤销" in r.text
    # another request rejected by the city
    other = _request(session, world, "linqing", "371581", {"quilt": 2})
    r = city.post(f"/supplies/requests/{other}/decision", data={"csrf_token": ccsrf, "decision": "reject",
                                                                 "note": "非紧急"})
    assert r.status_code == 303 and _status(session, other) == "rejected"
    assert "已驳回" in lq.get("/supplies/requests?status=rejected").text


def test_pages_in_english_and_the_allocation_page_for_a_request(clients: Any, session: Session, world: Any) -> None:
    rid = _request(session, world, "linqing", "371581", {"tent": 4, "quilt": 3})
    city, ccsrf = _web(clients, "commander", "en")
    pages = {"/supplies/requests": "Supply requests", "/supplies/requests/new": "New supply request",
             f"/supplies/requests/{rid}": "Approve"}
    for url, word in pages.items():
        r = city.get(url)
        assert r.status_code == 200 and word in r.text and '<html lang="en">' in r.text, url
        assert "sup." not in r.text.replace("sup.css", ""), url
    assert "Submitted" in city.get("/supplies/requests").text and ">Requests<" in city.get("/supplies").text
    items = {i.code: str(i.id) for i in session.scalars(select(Item))}
    r = city.post(f"/supplies/requests/{rid}/decision", data={
        "csrf_token": ccsrf, "decision": "approve", f"approved_{items['tent']}": "4",
        f"approved_{items['quilt']}": "1"})
    assert r.status_code == 303
    html = city.get(f"/supplies/requests/{rid}").text
    assert f'href="/supplies/allocate?request_id={rid}"' in html
    config = json.loads(re.search(r'id="sup-config">(.*?)</script>', city.get(
        f"/supplies/allocate?request_id={rid}").text, re.S).group(1))  # type: ignore[union-attr]
    assert config["request"]["id"] == rid
    assert {(ln["item_code"], ln["outstanding"]) for ln in config["request"]["lines"]} == {("tent", 4), ("quilt", 1)}
    lq, _ = _web(clients, "linqing")
    config = json.loads(re.search(r'id="sup-config">(.*?)</script>', lq.get(
        f"/supplies/allocate?request_id={rid}").text, re.S).group(1))  # type: ignore[union-attr]
    assert config["request"] is None  # a county does not dispatch
    other = _request(session, world, "dongchangfu", "371502", {"tent": 1})
    assert lq.get(f"/supplies/requests/{other}").status_code == 404
