from __future__ import annotations

from typing import Any


def test_healthz_needs_no_login(anon: Any) -> None:
    r = anon.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_api_needs_login(anon: Any) -> None:
    r = anon.get("/api/v1/facilities")
    assert r.status_code == 401


def test_token_flow(anon: Any) -> None:
    r = anon.post("/api/v1/auth/token", data={"username": "admin", "password": "correct-horse-1"})
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    me = anon.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == "admin"


def test_create_and_list_facility(clients: Any) -> None:
    c = clients["admin"]
    body = {"name": "测试医院", "kind": "hospital", "division_code": "371581", "lon": 115.7, "lat": 36.8,
            "capacity": {"beds": 300, "infectious_beds": 40, "fever_clinic": True}}
    r = c.post("/api/v1/facilities", json=body)
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    r = c.get("/api/v1/facilities", params={"kind": "hospital"})
    assert r.json()["total"] == 1
    r = c.get("/api/v1/facilities", params={"format": "geojson"})
    fc = r.json()
    assert fc["type"] == "FeatureCollection" and fc["features"][0]["geometry"]["coordinates"] == [115.7, 36.8]
    r = clients["dongchangfu"].get(f"/api/v1/facilities/{fid}")
    assert r.status_code == 404
    r = clients["linqing"].get(f"/api/v1/facilities/{fid}")
    assert r.status_code == 200
