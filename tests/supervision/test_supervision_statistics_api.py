"""Statistics entry and the outcome indicators computed from it, on hand figures."""

from __future__ import annotations

from typing import Any

import pytest
from svhelpers import API, indicator, ok  # type: ignore[import-not-found]

LOSSES = f"{API}/statistics/losses"
GDP = f"{API}/statistics/gdp"


def _loss(c: Any, division: str, start: str, end: str, deaths: int = 0, loss: float = 0.0,
          kind: str = "work_safety", **extra: Any) -> Any:
    return c.post(LOSSES, json={"kind": kind, "division_code": division, "period_start": start,
                                "period_end": end, "deaths": deaths, "direct_loss_10k_yuan": loss, **extra})


def test_gdp_must_be_positive(clients: Any) -> None:
    c = clients["commander"]
    for bad in (0, -12.5):
        r = c.post(GDP, json={"division_code": "371581", "year": 2021, "gdp_100m_yuan": bad})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "gdp_100m_yuan", r.text
    r = c.post(GDP, json={"division_code": "371581", "year": 2021, "gdp_100m_yuan": "NaN"})
    assert r.status_code == 422
    gid = ok(c.post(GDP, json={"division_code": "371581", "year": 2021, "gdp_100m_yuan": 300}), 201)["id"]
    r = c.patch(f"{GDP}/{gid}", json={"gdp_100m_yuan": 0})
    assert r.status_code == 422 and "gdp_100m_yuan" in r.text
    r = c.post(GDP, json={"division_code": "371581", "year": 2021, "gdp_100m_yuan": 310})
    assert r.status_code == 409 and "already exists" in r.text
    assert c.post(GDP, json={"division_code": "379999", "year": 2021, "gdp_100m_yuan": 10}).status_code == 403
    r = clients["admin"].post(GDP, json={"division_code": "379999", "year": 2021, "gdp_100m_yuan": 10})
    assert r.status_code == 422 and "division_code" in r.text


@pytest.mark.usefixtures("plan")
def test_deaths_per_100m_gdp_and_loss_share_on_hand_figures(clients: Any) -> None:
    c = clients["commander"]
    # 2021: 临清市 GDP 300 亿元, 3 work-safety deaths (2 + 1, two half-years); 东昌府区 500 亿元, 1 death
    ok(c.post(GDP, json={"division_code": "371581", "year": 2021, "gdp_100m_yuan": 300}), 201)
    ok(c.post(GDP, json={"division_code": "371502", "year": 2021, "gdp_100m_yuan": 500}), 201)
    ok(_loss(c, "371581", "2021-01-01", "2021-06-30", deaths=2), 201)
    ok(_loss(c, "371581", "2021-07-01", "2021-12-31", deaths=1), 201)
    ok(_loss(c, "371502", "2021-01-01", "2021-12-31", deaths=1), 201)
    # natural disasters: 1500 万元 in 临清市
    ok(_loss(c, "371581", "2021-07-01", "2021-07-31", kind="natural_disaster", loss=1500.0), 201)
    rates = ok(c.get(f"{API}/statistics/rates", params={"year": 2021}))
    rows = {r["division_code"]: r for r in rates["by_division"]}
    assert rows["371581"]["work_safety"]["deaths_per_100m_gdp"] == pytest.approx(3 / 300)  # 0.01
    assert rows["371502"]["work_safety"]["deaths_per_100m_gdp"] == pytest.approx(1 / 500)  # 0.002
    assert rows["371581"]["natural_disaster"]["loss_share_pct"] == pytest.approx(1500 / (300 * 10_000) * 100)
    city = rates["total"]
    assert city["gdp_100m_yuan"] == 800 and city["work_safety"]["deaths"] == 4
    assert city["work_safety"]["deaths_per_100m_gdp"] == pytest.approx(4 / 800)  # 0.005
    assert city["natural_disaster"]["loss_share_pct"] == pytest.approx(0.01875)
    # the indicators read the same statistics
    ind = indicator(c, "deaths_per_100m_gdp")
    assert ind["value"] == pytest.approx(0.005) and ind["met"] is True and ind["light"] == "green"
    assert ind["detail"]["year"] == 2021 and ind["detail"]["deaths"] == 4
    assert {r["division_code"]: r["value"] for r in ind["detail"]["by_division"]} == pytest.approx(
        {"371581": 0.01, "371502": 0.002})
    loss = indicator(c, "disaster_loss_share_gdp")
    assert loss["value"] == pytest.approx(0.01875) and loss["light"] == "green"
    # mid-year, only the first half-year row had ended: 2 deaths; the other rows not yet
    mid = ok(c.get(f"{API}/statistics/rates", params={"year": 2021, "as_of": "2021-06-30"}))
    assert mid["total"]["work_safety"]["deaths"] == 2
    # a city total entered as such replaces the sum of the counties' figures
    ok(c.post(GDP, json={"division_code": "371500", "year": 2021, "gdp_100m_yuan": 1000}), 201)
    assert indicator(c, "deaths_per_100m_gdp")["value"] == pytest.approx(4 / 1000)
    # nine more deaths: 13 / 1000 = 0.013 > 0.011, and the plan is over: red
    ok(_loss(c, "371502", "2021-12-01", "2021-12-31", deaths=9, notes="补录"), 409)  # overlaps the annual row
    sid = ok(c.get(LOSSES, params={"division": "371502", "kind": "work_safety"}))["items"][0]["id"]
    ok(c.patch(f"{LOSSES}/{sid}", json={"deaths": 10}))
    ind = indicator(c, "deaths_per_100m_gdp")
    assert ind["value"] == pytest.approx(0.013) and ind["met"] is False and ind["light"] == "red"
    # a later year with GDP and statistics becomes the current value; 2021 stays in the yearly trend
    ok(c.post(GDP, json={"division_code": "371500", "year": 2022, "gdp_100m_yuan": 1100}), 201)
    ok(_loss(c, "371500", "2022-01-01", "2022-12-31", deaths=11), 201)
    ind = indicator(c, "deaths_per_100m_gdp")
    assert ind["value"] == pytest.approx(0.01) and ind["detail"]["year"] == 2022
    assert [y["year"] for y in ind["detail"]["by_year"]] == [2021, 2022]
    assert indicator(c, "deaths_per_100m_gdp", as_of="2022-06-30")["detail"]["year"] == 2021


def test_bad_statistics_get_a_clear_4xx(clients: Any) -> None:
    c = clients["commander"]
    r = _loss(c, "371581", "2021-07-01", "2021-06-30")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "period_end"
    r = _loss(c, "371581", "2021-12-01", "2022-01-31")
    assert r.status_code == 422 and "one calendar year" in r.text
    r = _loss(c, "371581", "2021-01-01", "2021-12-31", deaths=-1)
    assert r.status_code == 422 and "deaths" in r.text
    r = _loss(c, "371581", "2021-01-01", "2021-12-31", kind="meteor")
    assert r.status_code == 422 and "kind" in r.text
    r = _loss(c, "371581", "2021-01-01", "2021-12-31", loss=-5)
    assert r.status_code == 422 and "direct_loss_10k_yuan" in r.text
    assert c.get(f"{LOSSES}/999999").status_code == 404
    assert c.get(f"{API}/statistics/rates").status_code == 422  # the year is required


def test_statistics_follow_division_scope_and_own_unit(clients: Any) -> None:
    linqing, health = clients["linqing"], clients["health"]
    mine = ok(_loss(linqing, "371581", "2021-01-01", "2021-12-31", deaths=1), 201)
    r = _loss(linqing, "371502", "2021-01-01", "2021-12-31", deaths=1)
    assert r.status_code == 403
    theirs = ok(_loss(clients["dongchangfu"], "371502", "2021-01-01", "2021-12-31", deaths=2), 201)
    listed = ok(linqing.get(LOSSES))
    assert [x["id"] for x in listed["items"]] == [mine["id"]]
    assert linqing.get(f"{LOSSES}/{theirs['id']}").status_code == 404
    assert linqing.patch(f"{LOSSES}/{theirs['id']}", json={"deaths": 0}).status_code == 404
    rates = ok(linqing.get(f"{API}/statistics/rates", params={"year": 2021, "division": "371500"}))
    assert [r["division_code"] for r in rates["by_division"]] == ["371581"] and rates["total"] is None
    # a department user writes rows of its own unit, and only those
    own = ok(_loss(health, "371500", "2020-01-01", "2020-12-31", deaths=3), 201)
    assert own["unit_id"] is not None and own["created_by"] == "health"
    assert health.patch(f"{LOSSES}/{mine['id']}", json={"deaths": 5}).status_code == 403
    ok(health.patch(f"{LOSSES}/{own['id']}", json={"deaths": 4}))
    assert clients["viewer"].post(GDP, json={"division_code": "371581", "year": 2020,
                                             "gdp_100m_yuan": 1}).status_code == 403
    assert clients["duty"].delete(f"{LOSSES}/{own['id']}").status_code == 403
    assert health.delete(f"{LOSSES}/{own['id']}").status_code == 204
    assert ok(clients["admin"].get(LOSSES, params={"year": 2021}))["total"] == 2
    assert clients["admin"].get(LOSSES, params={"format": "geojson"}).status_code == 422  # not located
