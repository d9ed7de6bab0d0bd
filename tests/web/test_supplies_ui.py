"""The supplies pages (物资保障) in a browser, on the small street grid of ``conftest.write_test_network``
with the default catalogue and norms and synthetic stock (演示数据为合成数据) in the city depot
市级应急物资储备库: the overview (gauges, 12-hour figure, gap chart, rotation), the lots and a lot's
ledger, and the allocation page — draw a demand point, compute, accept — after which the stock of a
shipped item at the depot has fallen by the dispatched amount."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from webui_helpers import click_map, click_map_until, login  # type: ignore[import-not-found]

from yingji.auth.models import User
from yingji.registry.models import Facility
from yingji.supplies import reserve, service
from yingji.supplies.common import local_today
from yingji.supplies.models import StockLot
from yingji.supplies.schemas import LotCreate

LiveServer = Any  # tests/web/conftest.py: url, settings, sessionmaker, admin

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

STOCK = 1000  # units of every relief item in the depot
DEMAND = (115.985, 36.457)  # the centre of the test grid


@pytest.fixture(scope="module")
def supplies_server(network_server: LiveServer) -> LiveServer:
    """The network world plus the default catalogue and norms and a lot of every relief item (one of
    them expiring in 20 days) in the city depot."""
    with network_server.sessionmaker() as session, session.begin():
        admin = session.scalars(select(User).where(User.username == network_server.admin[0])).one()
        service.load_defaults(session=session, user=admin)
        depot = session.scalars(select(Facility).where(Facility.kind == "warehouse")).first()
        assert depot is not None
        today = local_today()
        for n, (item, _) in enumerate(reserve.relief_profile(session)):
            expires = today + timedelta(days=20) if n == 0 else None
            data = LotCreate.model_validate({
                "warehouse_id": depot.id, "item_id": item.id, "batch": f"WEB-{item.code}",
                "produced_on": (today - timedelta(days=30)) if expires else None, "expires_on": expires,
                "quantity": STOCK, "notes": "合成测试数据",
            })
            service.create_lot(session=session, user=admin, data=data)
    return network_server


def _held(server: LiveServer, warehouse_id: int, item_code: str) -> int:
    with server.sessionmaker() as session:
        rows = session.execute(
            select(StockLot.quantity, StockLot.item_id).where(StockLot.warehouse_id == warehouse_id)
        ).all()
        codes = {it.id: it.code for it, _ in reserve.relief_profile(session)}
        return sum(q for q, iid in rows if codes.get(iid) == item_code)


def test_overview_lots_and_ledger(page: Page, supplies_server: LiveServer) -> None:
    login(page, supplies_server, "/supplies")
    expect(page.locator("#map .sup-ring").first).to_be_visible()
    expect(page.locator("[data-testid=warehouse-gauges] li")).to_have_count(1)
    relief = page.locator("[data-testid=relief-check]")
    expect(relief.locator("[data-testid=relief-max]").first).to_be_visible()
    assert int(relief.locator("[data-testid=relief-max]").first.inner_text().replace(",", "")) > 0
    expect(page.locator("#gap-chart[data-ready=true] canvas")).to_be_visible()
    expect(page.locator("[data-testid=rotation] tbody tr")).to_have_count(1)
    # the lots and one lot's ledger
    page.click("nav.sup-tabs a[href='/supplies/lots']")
    rows = page.locator("[data-testid=lots-table] tbody tr")
    expect(rows.first).to_be_visible()
    count = rows.count()
    assert count >= 5
    page.select_option("select[name=ownership]", "government")
    page.fill("input[name=expiring_within_days]", "30")
    page.click(".sup-filters button[type=submit]")
    expect(rows).to_have_count(1)
    rows.first.locator("a").click()
    expect(page.locator("[data-testid=lot-facts] [data-testid=lot-quantity]")).to_have_text(str(STOCK))
    expect(page.locator("[data-testid=ledger] tbody tr[data-kind=receipt]")).to_have_count(1)
    # English
    page.goto(f"{supplies_server.url}/lang?set=en&next=/supplies")
    expect(page.locator("h1")).to_contain_text("Supplies")
    expect(page.locator("#relief-title")).to_have_text("12-hour relief figure")
    page.goto(f"{supplies_server.url}/lang?set=zh-CN&next=/supplies")
    expect(page.locator("h1")).to_contain_text("物资保障")


def test_allocate_draw_compute_accept_and_the_stock_falls(page: Page, supplies_server: LiveServer) -> None:
    login(page, supplies_server, "/supplies/allocate")
    page.wait_for_function("() => !!window.yingjiMap")
    page.evaluate("([lon, lat]) => window.yingjiMap.setView([lat, lon], 13, {animate: false})", list(DEMAND))
    click_map_until(page, DEMAND[0], DEMAND[1], "[data-testid=demand-point]")
    expect(page.locator("[data-testid=demand-point]")).to_have_count(1)
    page.fill("[data-testid=point-people]", "200")
    page.locator("[data-testid=point-people]").dispatch_event("change")
    page.click("[data-testid=compute]")
    ships = page.locator("[data-testid=shipments] tbody tr")
    expect(ships.first).to_be_visible(timeout=30_000)
    expect(page.locator("[data-testid=plan-compare]")).to_contain_text("就近贪心方案")
    expect(page.locator("#map path.sup-flow")).to_have_count(1)  # one depot → one point
    expect(page.locator("[data-testid=exact-unmet]")).to_have_text("0")
    first = ships.first
    item = first.get_attribute("data-item") or ""
    warehouse = int(first.get_attribute("data-warehouse") or 0)
    quantity = int(first.get_attribute("data-quantity") or 0)
    assert quantity > 0
    before = _held(supplies_server, warehouse, item)
    assert before == STOCK
    page.click("[data-testid=accept]")
    expect(page.locator("[data-testid=alloc-status][data-accepted]")).to_be_visible()
    expect(page.locator("[data-testid=alloc-status]")).to_contain_text("已生成 1 张调拨单")
    assert _held(supplies_server, warehouse, item) == before - quantity
    # the lots page shows the new quantity and the lot's ledger the issue
    page.goto(f"{supplies_server.url}/supplies/lots?warehouse_id={warehouse}&item={item}")
    expect(page.locator("[data-testid=lots-table] [data-testid=lot-quantity]")).to_have_text(str(before - quantity))
    page.locator("[data-testid=lots-table] tbody tr a").first.click()
    issue = page.locator("[data-testid=ledger] tbody tr[data-kind=issue]")
    expect(issue).to_have_count(1)
    expect(issue).to_contain_text(f"-{quantity}")


def test_allocate_an_area_and_an_incident(page: Page, supplies_server: LiveServer) -> None:
    """Draw an affected area (its people counted by the server from the population grid) and add an
    open incident (its place and affected people); compute, accept: the stock of every shipped item
    falls by the shipped amounts and the orders' note names the incident."""
    from yingji.db.base import utcnow
    from yingji.incidents.models import Incident
    from yingji.supplies.models import DispatchOrder

    now = utcnow()
    with supplies_server.sessionmaker() as session, session.begin():
        inc = Incident(title="浏览器测试内涝", category="natural", type="flood", division_code="371502",
                       lon=DEMAND[0] + 0.02, lat=DEMAND[1] - 0.01, occurred_at=now - timedelta(hours=1),
                       reported_at=now, created_by="test", affected_people=40)
        session.add(inc)
        session.flush()
        incident_id = inc.id
    login(page, supplies_server, "/supplies/allocate")
    page.wait_for_function("() => !!window.yingjiMap")
    page.evaluate("([lon, lat]) => window.yingjiMap.setView([lat, lon], 15, {animate: false})", list(DEMAND))
    page.check("[data-testid=mode-area]")
    d = 0.0015
    corners = [(DEMAND[0] - d, DEMAND[1] - d), (DEMAND[0] + d, DEMAND[1] - d), (DEMAND[0] + d, DEMAND[1] + d),
               (DEMAND[0] - d, DEMAND[1] + d)]
    for lon, lat in corners:
        click_map(page, lon, lat)
    page.click("[data-testid=finish-area]")
    expect(page.locator("[data-testid=demand-point][data-kind=area]")).to_have_count(1)
    expect(page.locator("#map path.sup-demand-area")).to_have_count(1)
    page.select_option("[data-testid=incident-select]", str(incident_id))
    page.click("[data-testid=incident-add]")
    expect(page.locator(f"[data-testid=demand-point][data-incident='{incident_id}']")).to_have_count(1)
    page.click("[data-testid=compute]")
    ships = page.locator("[data-testid=shipments] tbody tr")
    expect(ships.first).to_be_visible(timeout=30_000)
    # the area lies in the four 6,000-person cells about the grid's centre: 6,000 × its km²
    derived = page.locator("[data-testid=demand-point][data-kind=area] [data-testid=point-people]")
    people = int(derived.get_attribute("data-derived") or 0)
    km_lon = 2 * d * 111.195 * math.cos(math.radians(DEMAND[1]))
    assert people == pytest.approx(6000 * km_lon * 2 * d * 111.195, rel=0.02)
    rows = [(r.get_attribute("data-warehouse"), r.get_attribute("data-item"), r.get_attribute("data-quantity"))
            for r in ships.all()]
    shipped: dict[tuple[int, str], int] = {}
    for w, item, q in rows:
        key = (int(w or 0), item or "")
        shipped[key] = shipped.get(key, 0) + int(q or 0)
    before = {key: _held(supplies_server, *key) for key in shipped}
    page.click("[data-testid=accept]")
    expect(page.locator("[data-testid=alloc-status][data-accepted]")).to_be_visible()
    for key, q in shipped.items():
        assert _held(supplies_server, *key) == before[key] - q, key
    with supplies_server.sessionmaker() as session:
        notes = session.scalars(select(DispatchOrder.note).order_by(DispatchOrder.id.desc()).limit(2)).all()
    assert all(n and f"#{incident_id}" in n for n in notes), notes


def test_orders_sign_for_receipt_and_call_back(page: Page, supplies_server: LiveServer) -> None:
    """The dispatch orders page: signing an order in transit for closes it; calling another back
    returns its goods to the lot; a closed order has no buttons."""
    from yingji.supplies.models import DispatchOrder
    from yingji.supplies.schemas import DispatchCreate

    with supplies_server.sessionmaker() as session, session.begin():
        admin = session.scalars(select(User).where(User.username == supplies_server.admin[0])).one()
        depot = session.scalars(select(Facility).where(Facility.kind == "warehouse")).first()
        assert depot is not None
        item = reserve.relief_profile(session)[1][0].code
        ids = []
        for dest in ("签收测试点", "撤销测试点"):
            made = service.create_orders(session=session, user=admin, data=DispatchCreate.model_validate({
                "shipments": [{"warehouse_id": depot.id, "item_code": item, "quantity": 7, "destination": dest,
                               "lon": DEMAND[0], "lat": DEMAND[1], "division_code": "371502"}]}))
            ids.append(made[0].id)
        depot_id = depot.id
    before = _held(supplies_server, depot_id, item)
    login(page, supplies_server, "/supplies/orders?status=in_transit")
    received, called_back = (page.locator(f"[data-testid=orders-table] tr[data-order='{i}']") for i in ids)
    expect(received).to_have_attribute("data-status", "in_transit")
    received.locator("[data-testid=receive]").click()
    expect(page.locator(f"tr[data-order='{ids[0]}']")).to_have_count(0)  # reloaded: no longer in transit
    page.once("dialog", lambda d: d.accept())
    called_back.locator("[data-testid=cancel]").click()
    expect(page.locator(f"tr[data-order='{ids[1]}']")).to_have_count(0)
    page.goto(f"{supplies_server.url}/supplies/orders")
    done = page.locator(f"tr[data-order='{ids[0]}']")
    expect(done).to_have_attribute("data-status", "received")
    expect(done.locator("button")).to_have_count(0)
    expect(page.locator(f"tr[data-order='{ids[1]}']")).to_have_attribute("data-status", "cancelled")
    with supplies_server.sessionmaker() as session:
        status = {i: st for i, st in session.execute(select(DispatchOrder.id, DispatchOrder.status)
                                                     .where(DispatchOrder.id.in_(ids)))}
    assert status == {ids[0]: "received", ids[1]: "cancelled"}
    assert _held(supplies_server, depot_id, item) == before + 7  # the called-back goods are back


def test_from_the_incident_workspace_to_its_allocation(page: Page, supplies_server: LiveServer) -> None:
    """The incident workspace links to the allocation page with the incident as the demand point
    (its place and affected people); computing serves it."""
    from yingji.db.base import utcnow
    from yingji.incidents.models import Incident

    now = utcnow()
    with supplies_server.sessionmaker() as session, session.begin():
        inc = Incident(title="工作台调拨测试<img id=inj src=x>", category="natural", type="flood",
                       division_code="371502",
                       lon=DEMAND[0] - 0.01, lat=DEMAND[1] + 0.005, occurred_at=now - timedelta(hours=1),
                       reported_at=now, created_by="test", affected_people=25)
        session.add(inc)
        session.flush()
        incident_id = inc.id
    login(page, supplies_server, f"/incidents/{incident_id}")
    link = page.locator("[data-testid=allocate-supplies]")
    expect(link).to_have_attribute("href", f"/supplies/allocate?incident_id={incident_id}")
    link.click()
    page.wait_for_url(f"**/supplies/allocate?incident_id={incident_id}")
    point = page.locator(f"[data-testid=demand-point][data-incident='{incident_id}']")
    expect(point).to_have_count(1)
    expect(point.locator("[data-testid=point-people]")).to_have_value("25")
    # the title is text, not markup, in the list and in the marker's tooltip (Leaflet sets it as HTML)
    expect(point).to_contain_text("<img id=inj src=x>")
    page.evaluate("() => window.yingjiMap.eachLayer(l => { if (l.getTooltip && l.getTooltip()) l.openTooltip(); })")
    expect(page.locator(".leaflet-tooltip", has_text="<img id=inj src=x>")).to_have_count(1)
    expect(page.locator("#inj")).to_have_count(0)
    page.click("[data-testid=compute]")
    expect(page.locator("[data-testid=shipments] tbody tr").first).to_be_visible(timeout=30_000)
    # an incident the user cannot see (or a closed one) is not preset
    page.goto(f"{supplies_server.url}/supplies/allocate?incident_id=999999")
    expect(page.locator("[data-testid=demand-point]")).to_have_count(0)
