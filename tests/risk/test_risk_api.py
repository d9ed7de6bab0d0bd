"""Hazard sources, risk assessments, the four-colour map layer and the chemicals table via HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from yingji.risk import chemicals
from yingji.risk.service import colour_for_score, critical_ratio

POLY = {"type": "Polygon", "coordinates": [[[115.70, 36.83], [115.72, 36.83], [115.72, 36.85], [115.70, 36.85],
                                            [115.70, 36.83]]]}


def hazard(**over: Any) -> dict[str, Any]:
    body = {"name": "临清液氯储罐区", "kind": "hazmat_enterprise", "division_code": "371581", "lon": 115.71,
            "lat": 36.84, "geometry": POLY, "substances": [{"name": "氯", "cas": "7782-50-5", "quantity_t": 30}],
            "major_hazard_grade": 2, "contact_name": "张工", "contact_phone": "0635-1234567", "code": "LQ-HZ-001"}
    return body | over


def test_create_read_list_update_delete(clients: Any) -> None:
    c = clients["linqing"]
    r = c.post("/api/v1/hazard_sources", json=hazard())
    assert r.status_code == 201, r.text
    h = r.json()
    assert h["critical_ratio"] == pytest.approx(6.0)  # 30 t chlorine / 5 t critical quantity
    assert h["risk_colour"] is None and h["geometry"]["type"] == "Polygon"
    r = c.patch(f"/api/v1/hazard_sources/{h['id']}", json={"major_hazard_grade": 1, "risk_colour": "orange"})
    assert r.status_code == 200 and r.json()["major_hazard_grade"] == 1
    r = c.get("/api/v1/hazard_sources", params={"kind": "hazmat_enterprise", "grade": 1})
    assert r.json()["total"] == 1
    assert c.get("/api/v1/hazard_sources", params={"colour": "red"}).json()["total"] == 0
    assert clients["dongchangfu"].get(f"/api/v1/hazard_sources/{h['id']}").status_code == 404
    assert clients["dongchangfu"].get("/api/v1/hazard_sources").json()["total"] == 0
    assert clients["viewer"].post("/api/v1/hazard_sources", json=hazard(code="X2")).status_code == 403
    r = clients["admin"].get("/api/v1/audit", params={"entity_type": "hazard_sources"})
    assert [e["action"] for e in r.json()["items"]][:2] == ["update", "create"]
    assert c.delete(f"/api/v1/hazard_sources/{h['id']}").status_code == 204
    assert c.get(f"/api/v1/hazard_sources/{h['id']}").status_code == 404


def test_county_cannot_create_outside_its_county(clients: Any) -> None:
    r = clients["linqing"].post("/api/v1/hazard_sources", json=hazard(division_code="371502"))
    assert r.status_code == 403


def test_bad_input_names_the_field(clients: Any) -> None:
    c = clients["admin"]
    cases = [
        (hazard(kind="volcano"), "kind"),
        (hazard(substances=[{"name": "氯", "cas": "7782-50-4", "quantity_t": 1}]), "cas"),
        (hazard(geometry={"type": "Point", "coordinates": [115, 36]}), "geometry"),
        (hazard(geometry={"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}),
         "geometry"),
        (hazard(major_hazard_grade=5), "major_hazard_grade"),
        (hazard(division_code="371599"), "division_code"),
        (hazard(lon=200), "lon"),
    ]
    for body, field in cases:
        r = c.post("/api/v1/hazard_sources", json=body)
        assert r.status_code == 422, (field, r.text)
        assert field in str(r.json()["detail"]), (field, r.text)
    assert c.post("/api/v1/hazard_sources", json=hazard()).status_code == 201
    assert c.post("/api/v1/hazard_sources", json=hazard()).status_code == 409  # same code


def test_assessments_history_sets_the_colour(clients: Any) -> None:
    c = clients["commander"]
    hid = c.post("/api/v1/hazard_sources", json=hazard(code=None)).json()["id"]
    r = c.post(f"/api/v1/hazard_sources/{hid}/assessments",
               json={"assessed_on": "2026-03-01", "likelihood": 3, "consequence": 4, "assessor": "市应急局 李"})
    assert r.status_code == 201, r.text
    assert r.json()["score"] == 12 and r.json()["colour"] == "yellow"
    c.post(f"/api/v1/hazard_sources/{hid}/assessments",
           json={"assessed_on": "2026-09-01", "likelihood": 4, "consequence": 5, "assessor": "专家组"})
    # an older assessment entered later does not override the newest
    c.post(f"/api/v1/hazard_sources/{hid}/assessments",
           json={"assessed_on": "2025-01-01", "likelihood": 1, "consequence": 1, "assessor": "旧档案"})
    assert c.get(f"/api/v1/hazard_sources/{hid}").json()["risk_colour"] == "red"
    hist = c.get(f"/api/v1/hazard_sources/{hid}/assessments").json()
    assert [a["assessed_on"] for a in hist] == ["2026-09-01", "2026-03-01", "2025-01-01"]
    bad = c.post(f"/api/v1/hazard_sources/{hid}/assessments",
                 json={"assessed_on": "2026-03-01", "likelihood": 6, "consequence": 4, "assessor": "x"})
    assert bad.status_code == 422 and "likelihood" in bad.text
    assert clients["duty"].post(f"/api/v1/hazard_sources/{hid}/assessments",
                                json={"assessed_on": "2026-03-01", "likelihood": 1, "consequence": 1,
                                      "assessor": "x"}).status_code == 403


def test_geojson_layer_carries_the_four_colour_style(clients: Any) -> None:
    c = clients["admin"]
    hid = c.post("/api/v1/hazard_sources", json=hazard(code=None)).json()["id"]
    c.post("/api/v1/hazard_sources", json=hazard(code=None, name="加油站", kind="crowded_place", geometry=None,
                                                 substances=[], lon=115.99, lat=36.45, division_code="371502"))
    c.post(f"/api/v1/hazard_sources/{hid}/assessments",
           json={"assessed_on": "2026-03-01", "likelihood": 5, "consequence": 5, "assessor": "x"})
    r = c.get("/api/v1/hazard_sources", params={"format": "geojson"})
    assert r.headers["content-type"].startswith("application/geo+json")
    feats = {f["properties"]["name"]: f for f in r.json()["features"]}
    red = feats["临清液氯储罐区"]
    assert red["geometry"]["type"] == "Polygon"
    assert red["properties"]["risk_colour"] == "red" and red["properties"]["marker-color"] == "#e60000"
    assert red["properties"]["style"]["fillColor"] == "#e60000" and red["properties"]["kind_zh"] == "危险化学品企业"
    grey = feats["加油站"]
    assert grey["geometry"] == {"type": "Point", "coordinates": [115.99, 36.45]}
    assert grey["properties"]["risk_colour_zh"] == "未评估"
    only = clients["linqing"].get("/api/v1/hazard_sources", params={"format": "geojson"}).json()
    assert [f["properties"]["name"] for f in only["features"]] == ["临清液氯储罐区"]


def test_chemicals_table(clients: Any) -> None:
    c = clients["viewer"]
    rows = c.get("/api/v1/chemicals").json()
    assert len(rows) >= 20
    names = {r["en"] for r in rows}
    for needed in ("Chlorine", "Ammonia, anhydrous", "Hydrogen sulfide", "Benzene", "Methanol",
                   "Liquefied petroleum gas", "Sulfuric acid", "Hydrogen, compressed"):
        assert needed in names
    cl = c.get("/api/v1/chemicals/UN1017").json()
    assert cl["cas"] == "7782-50-5" and cl["idlh_ppm"] == 10 and cl["erpg"]["erpg3"] == 20
    assert cl["critical_t"] == 5 and any("GB 18218" in s for s in cl["sources"])
    assert c.get("/api/v1/chemicals/氨").json()["un"] == "UN1005"
    assert c.get("/api/v1/chemicals", params={"q": "硫"}).json()
    assert c.get("/api/v1/chemicals/0000-00-0").status_code == 404


def test_chemicals_data_is_consistent() -> None:
    rows = chemicals.chemicals()
    assert len({c.cas for c in rows}) == len(rows)
    fields = {"mw", "bp_c", "flash_c", "lel_pct", "uel_pct", "idlh_ppm", "erpg", "critical_t"}
    for c in rows:
        assert chemicals.cas_valid(c.cas), c.cas
        assert chemicals.UN_RE.match(c.un), c.un
        assert set(c.uncertain) <= fields, c.uncertain
        if c.lel_pct is not None and c.uel_pct is not None:
            assert c.lel_pct < c.uel_pct
        if c.erpg:
            vals = [v for v in c.erpg.values() if v is not None]
            assert vals == sorted(vals)
        assert c.sources and all(s in chemicals.sources() for s in c.sources)


def test_risk_matrix_and_critical_ratio() -> None:
    assert [colour_for_score(s) for s in (25, 20, 16, 15, 12, 9, 8, 1)] == \
        ["red", "red", "orange", "orange", "yellow", "yellow", "blue", "blue"]
    assert critical_ratio([{"name": "氨", "quantity_t": 5}, {"name": "x", "cas": "7782-50-5", "quantity_t": 2.5}]) \
        == pytest.approx(1.0)
    assert critical_ratio([{"name": "unknown", "quantity_t": 5}]) is None
