"""The contract every registry keeps, written once (CONVENTIONS.md item 10).

A registry's test class subclasses :class:`RegistryContract` and declares only its data: a valid
create body (``body``), an update body (``update``), an invalid patch with the field the 422 must
name (``invalid``), and two values each of its kind and status fields. The base then proves,
through HTTP against the real database: create/read/update/delete, 404 on unknown keys, 422
naming the bad field, the permission matrix for viewers and duty officers, division scope for a
county user, audit rows with actor/before/after, list filters and pagination, GeoJSON for located
registries, and a pinned number of SQL queries for list endpoints (N+1 guard).
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from api.helpers import LINQING_BBOX, QueryCounter, audit_rows, names_field
from yingji.auth.permissions import MATRIX
from yingji.registry.specs import REGISTRIES, RegistrySpec

#: Statements one list request may run: the token's user, the count, the page of rows.
LIST_QUERIES = 3


class RegistryContract:
    """Base of the per-registry contract tests; see the module docstring."""

    registry: ClassVar[str]
    #: A PATCH body that changes the record.
    update: ClassVar[dict[str, Any]]
    #: A patch that makes a valid create body invalid, and the field the 422 must name.
    invalid: ClassVar[tuple[dict[str, Any], str]]
    #: Two distinct values of the registry's kind field and status field (when it has them).
    kinds: ClassVar[tuple[str, str] | None] = None
    statuses: ClassVar[tuple[str, str] | None] = None
    list_queries: ClassVar[int] = LIST_QUERIES

    # ---- data (subclasses) --------------------------------------------------------------

    def body(self, *, division: str, n: int) -> dict[str, Any]:
        """A valid create body for a record numbered ``n`` in ``division``."""
        raise NotImplementedError

    # ---- helpers ------------------------------------------------------------------------

    @property
    def spec(self) -> RegistrySpec:
        return REGISTRIES[self.registry]

    @property
    def base(self) -> str:
        return f"/api/v1/{self.registry}"

    def url(self, key: Any) -> str:
        return f"{self.base}/{key}"

    @property
    def unknown_key(self) -> str:
        return "999999" if self.spec.pk == "code" else "987654"

    def new_body(self, *, division: str, n: int, unit_id: int | None = None,
                 **overrides: Any) -> dict[str, Any]:
        body = self.body(division=division, n=n)
        if unit_id is not None and "unit_id" in self.spec.create.model_fields:
            body["unit_id"] = unit_id
        body.update(overrides)
        return body

    def create(self, clients: Any, *, division: str = "371581", n: int = 1, user: str = "admin",
               **overrides: Any) -> dict[str, Any]:
        r = clients[user].post(self.base, json=self.new_body(division=division, n=n, **overrides))
        assert r.status_code == 201, r.text
        record: dict[str, Any] = r.json()
        return record

    def key(self, record: dict[str, Any]) -> Any:
        return record[self.spec.pk]

    def division_of(self, record: dict[str, Any]) -> str:
        return str(record[self.spec.division_attr])

    # ---- create / read / update / delete -----------------------------------------------

    def test_create_read_update_delete(self, clients: Any) -> None:
        admin = clients["admin"]
        body = self.new_body(division="371581", n=1)
        r = admin.post(self.base, json=body)
        assert r.status_code == 201, r.text
        created = r.json()
        for field, value in body.items():
            if field in created and field != "capacity":
                assert created[field] == value, field
        key = self.key(created)

        r = admin.get(self.url(key))
        assert r.status_code == 200, r.text
        assert r.json() == created

        r = admin.patch(self.url(key), json=self.update)
        assert r.status_code == 200, r.text
        updated = r.json()
        for field, value in self.update.items():
            if field != "capacity":
                assert updated[field] == value, field
        assert admin.get(self.url(key)).json() == updated

        r = admin.delete(self.url(key))
        assert r.status_code == 204, r.text
        assert admin.get(self.url(key)).status_code == 404

    def test_unknown_key_is_404(self, clients: Any) -> None:
        admin = clients["admin"]
        assert admin.get(self.url(self.unknown_key)).status_code == 404
        assert admin.patch(self.url(self.unknown_key), json=self.update).status_code == 404
        assert admin.delete(self.url(self.unknown_key)).status_code == 404

    def test_invalid_body_is_422_naming_the_field(self, clients: Any) -> None:
        admin = clients["admin"]
        patch, field = self.invalid
        r = admin.post(self.base, json={**self.new_body(division="371581", n=1), **patch})
        assert r.status_code == 422, r.text
        assert names_field(r, field), r.text

        record = self.create(clients)
        r = admin.patch(self.url(self.key(record)), json=patch)
        assert r.status_code == 422, r.text
        assert names_field(r, field), r.text
        assert admin.get(self.url(self.key(record))).json() == record

        r = admin.post(self.base, json={**self.new_body(division="371581", n=2), "colour": "red"})
        assert r.status_code == 422 and names_field(r, "colour"), r.text
        r = admin.patch(self.url(self.key(record)), json={"colour": "red"})
        assert r.status_code == 422 and names_field(r, "colour"), r.text

    def test_required_fields_cannot_be_nulled(self, clients: Any) -> None:
        record = self.create(clients)
        required = [name for name, f in self.spec.create.model_fields.items() if f.is_required()
                    and name in self.spec.update.model_fields]
        assert required
        for field in required:
            r = clients["admin"].patch(self.url(self.key(record)), json={field: None})
            assert r.status_code == 422, (field, r.text)
            assert names_field(r, field), r.text

    # ---- permissions -------------------------------------------------------------------

    def test_viewer_reads_but_cannot_write(self, clients: Any) -> None:
        viewer = clients["viewer"]
        record = self.create(clients)
        assert viewer.get(self.url(self.key(record))).status_code == 200
        assert viewer.get(self.base).status_code == 200
        assert viewer.post(self.base, json=self.new_body(division="371581", n=2)).status_code == 403
        assert viewer.patch(self.url(self.key(record)), json=self.update).status_code == 403
        assert viewer.delete(self.url(self.key(record))).status_code == 403
        assert clients["admin"].get(self.url(self.key(record))).json() == record

    def test_duty_officer_follows_the_matrix(self, clients: Any) -> None:
        duty = clients["duty"]
        allowed = MATRIX["duty_officer"][self.registry]
        r = duty.post(self.base, json=self.new_body(division="371581", n=2))
        assert r.status_code == (201 if "create" in allowed else 403), r.text
        record = self.create(clients)
        r = duty.patch(self.url(self.key(record)), json=self.update)
        assert r.status_code == (200 if "update" in allowed else 403), r.text
        r = duty.delete(self.url(self.key(record)))
        assert r.status_code == (204 if "delete" in allowed else 403), r.text

    # ---- division scope ----------------------------------------------------------------

    def test_county_user_cannot_reach_another_county(self, clients: Any) -> None:
        admin, linqing = clients["admin"], clients["linqing"]
        other = self.create(clients, division="371502", n=1)
        key = self.key(other)
        assert linqing.get(self.url(key)).status_code == 404
        assert linqing.patch(self.url(key), json=self.update).status_code == 404
        assert linqing.delete(self.url(key)).status_code == 404
        assert admin.get(self.url(key)).json() == other
        listed = linqing.get(self.base, params={"size": 500}).json()["items"]
        assert key not in {self.key(x) for x in listed}
        assert all(self.division_of(x).startswith("371581") for x in listed)
        r = linqing.post(self.base, json=self.new_body(division="371502", n=2))
        assert r.status_code == 403, r.text

    def test_county_user_cannot_move_a_record_out_of_its_county(self, clients: Any) -> None:
        if "update" not in MATRIX["county"][self.registry] or self.spec.division_attr not in (
            self.spec.update.model_fields
        ):
            pytest.skip(f"a county user may not update {self.registry} or change their division")
        own = self.create(clients, division="371581", n=1, user="linqing")
        r = clients["linqing"].patch(self.url(self.key(own)), json={self.spec.division_attr: "371502"})
        assert r.status_code == 403, r.text
        assert clients["admin"].get(self.url(self.key(own))).json() == own

    # ---- audit -------------------------------------------------------------------------

    def test_every_write_is_audited_with_actor_before_and_after(self, clients: Any, world: Any) -> None:
        admin = clients["admin"]
        record = self.create(clients)
        key = self.key(record)
        admin.patch(self.url(key), json=self.update).raise_for_status()
        assert admin.delete(self.url(key)).status_code == 204
        rows = audit_rows(admin, self.registry, key)
        assert [r["action"] for r in rows] == ["create", "update", "delete"]
        for row in rows:
            assert row["actor_name"] == "admin" and row["actor_id"] == world.users["admin"]
        create, update, delete = rows
        assert create["before"] is None and create["after"]["name"] == record["name"]
        assert update["before"]["name"] == record["name"]
        for field, value in self.update.items():
            if field != "capacity":
                assert update["after"][field] == value, field
        assert any(update["before"][f] != update["after"][f] for f in self.update)
        assert delete["after"] is None and delete["before"][self.spec.pk] == key

    def test_refused_writes_leave_no_audit_row(self, clients: Any) -> None:
        record = self.create(clients)
        key = self.key(record)
        patch, _ = self.invalid
        assert clients["admin"].patch(self.url(key), json=patch).status_code == 422
        assert clients["viewer"].delete(self.url(key)).status_code == 403
        assert [r["action"] for r in audit_rows(clients["admin"], self.registry, key)] == ["create"]

    # ---- lists -------------------------------------------------------------------------

    def _seed(self, clients: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """Three records: a and b in 临清市, c in 东昌府区; b differs from a in kind and status."""
        extra: dict[str, Any] = {}
        if self.kinds:
            extra[self.spec.kind_field or ""] = self.kinds[1]
        if self.statuses:
            extra[self.spec.status_field or ""] = self.statuses[1]
        a = self.create(clients, division="371581", n=1)
        b = self.create(clients, division="371581", n=2, **extra)
        c = self.create(clients, division="371502", n=3)
        return a, b, c

    def _keys(self, clients: Any, **params: Any) -> set[Any]:
        r = clients["admin"].get(self.base, params={"size": 500, **params})
        assert r.status_code == 200, r.text
        return {self.key(x) for x in r.json()["items"]}

    def test_list_filters(self, clients: Any) -> None:
        a, b, c = self._seed(clients)
        ka, kb, kc = self.key(a), self.key(b), self.key(c)
        mine = {ka, kb, kc}
        assert mine <= self._keys(clients)
        assert self._keys(clients, division="371581") & mine == {ka, kb}
        assert self._keys(clients, division="371502") & mine == {kc}
        assert self._keys(clients, q=b["name"]) & mine == {kb}
        if self.kinds:
            assert self._keys(clients, kind=self.kinds[1]) & mine == {kb}
            assert self._keys(clients, kind=self.kinds[0]) & mine == {ka, kc}
        else:
            r = clients["admin"].get(self.base, params={"kind": "x"})
            assert r.status_code == 422 and names_field(r, "kind"), r.text
        if self.statuses:
            assert self._keys(clients, status=self.statuses[1]) & mine == {kb}
        else:
            r = clients["admin"].get(self.base, params={"status": "x"})
            assert r.status_code == 422 and names_field(r, "status"), r.text
        if self.spec.located:
            assert self._keys(clients, bbox=LINQING_BBOX) & mine == {ka, kb}
        else:
            r = clients["admin"].get(self.base, params={"bbox": LINQING_BBOX})
            assert r.status_code == 422 and names_field(r, "bbox"), r.text

    def test_pagination_shape(self, clients: Any) -> None:
        for n in range(1, 4):
            self.create(clients, division="371581", n=n)
        q = self.body(division="371581", n=1)["name"][:-1]  # the shared stem of the three names
        r = clients["admin"].get(self.base, params={"q": q, "size": 2, "page": 2})
        assert r.status_code == 200, r.text
        page = r.json()
        assert set(page) == {"items", "total", "page", "size"}
        assert (page["total"], page["page"], page["size"], len(page["items"])) == (3, 2, 2, 1)
        first = clients["admin"].get(self.base, params={"q": q, "size": 2, "page": 1}).json()
        keys = [self.key(x) for x in first["items"] + page["items"]]
        assert len(set(keys)) == 3 and keys == sorted(keys)
        assert clients["admin"].get(self.base, params={"page": 0}).status_code == 422
        assert clients["admin"].get(self.base, params={"size": 501}).status_code == 422

    def test_geojson(self, clients: Any) -> None:
        admin = clients["admin"]
        if not self.spec.located:
            r = admin.get(self.base, params={"format": "geojson"})
            assert r.status_code == 422 and names_field(r, "format"), r.text
            return
        a, _, c = self._seed(clients)
        r = admin.get(self.base, params={"format": "geojson", "division": "371581"})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/geo+json")
        fc = r.json()
        assert fc["type"] == "FeatureCollection" and isinstance(fc["features"], list)
        ids = set()
        for f in fc["features"]:  # RFC 7946 §3.2, §3.1.2
            assert f["type"] == "Feature" and isinstance(f["properties"], dict)
            assert set(f) <= {"type", "geometry", "properties", "id", "bbox"}
            if f["geometry"] is not None:
                assert f["geometry"]["type"] == "Point"
                lon, lat = f["geometry"]["coordinates"]
                assert -180 <= lon <= 180 and -90 <= lat <= 90
            assert "lon" not in f["properties"] and "lat" not in f["properties"]
            assert f["properties"]["registry"] == self.registry
            ids.add(f["id"])
        assert self.key(a) in ids and self.key(c) not in ids
        feature = next(f for f in fc["features"] if f["id"] == self.key(a))
        assert feature["geometry"]["coordinates"] == [a["lon"], a["lat"]]
        assert feature["properties"]["name"] == a["name"]

    def test_list_query_count_is_pinned(self, clients: Any, query_counter: QueryCounter) -> None:
        admin = clients["admin"]
        self.create(clients, n=1)
        with query_counter.count() as one:
            assert admin.get(self.base, params={"size": 500}).status_code == 200
        for n in range(2, 8):
            self.create(clients, n=n)
        with query_counter.count() as many:
            r = admin.get(self.base, params={"size": 500})
            assert r.status_code == 200 and r.json()["total"] >= 7
        assert len(one) == len(many) == self.list_queries, "\n".join(many)
        if self.spec.located:
            with query_counter.count() as geo:
                assert admin.get(self.base, params={"format": "geojson"}).status_code == 200
            assert len(geo) == self.list_queries - 1, "\n".join(geo)
