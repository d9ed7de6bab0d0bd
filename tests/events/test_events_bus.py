"""The event bus: in-process fan-out, replay, publish-after-commit, and who may see what.

(The server-sent events endpoint end to end, on a real server, is in
tests/incidents/test_incidents_live.py.)
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from yingji.events import (
    AsyncQueueSink,
    Event,
    InProcessBus,
    ThreadQueueSink,
    Viewer,
    collect,
    get_bus,
    pending,
    set_bus,
    visible,
)
from yingji.events.views import format_sse


def ev(division: str | None = "371581", **kw: object) -> Event:
    base: dict[str, object] = {"topic": "incident", "action": "created", "resource": "incidents",
                               "division_code": division, "data": {"id": 1}, "incident_id": 1}
    base.update(kw)
    return Event(**base)  # type: ignore[arg-type]


@pytest.fixture
def bus() -> Iterator[InProcessBus]:
    fresh = InProcessBus(history=5)
    previous = set_bus(fresh)
    try:
        yield fresh
    finally:
        set_bus(previous)


def test_fan_out_ids_replay_and_unsubscribe(bus: InProcessBus) -> None:
    a, b = ThreadQueueSink(), ThreadQueueSink()
    sa, sb = bus.subscribe(a), bus.subscribe(b)
    first = bus.publish(ev())
    second = bus.publish(ev(action="status"))
    assert (first.id, second.id) == (1, 2)
    assert [e.id for e in a.drain()] == [1, 2] and [e.id for e in b.drain()] == [1, 2]
    sb.close()
    bus.publish(ev())
    assert [e.id for e in a.drain()] == [3] and list(b.drain()) == []
    for _ in range(5):
        bus.publish(ev())
    assert [e.id for e in bus.replay(0)] == [4, 5, 6, 7, 8]  # bounded history
    assert [e.id for e in bus.replay(6)] == [7, 8]
    sa.close()
    assert bus.subscriber_count == 0


def test_a_broken_subscriber_does_not_break_the_publisher(bus: InProcessBus) -> None:
    def broken(_: Event) -> None:
        raise RuntimeError("gone")

    good = ThreadQueueSink()
    bus.subscribe(broken)
    bus.subscribe(good)
    bus.publish(ev())
    assert len(list(good.drain())) == 1 and bus.subscriber_count == 1


def test_async_sink_delivers_across_threads_and_drops_oldest_when_full(bus: InProcessBus) -> None:
    async def main() -> list[int]:
        sink = AsyncQueueSink(asyncio.get_running_loop(), maxsize=2)
        bus.subscribe(sink)
        await asyncio.to_thread(lambda: [bus.publish(ev()) for _ in range(3)])
        await asyncio.sleep(0.05)
        got = []
        while not sink.queue.empty():
            got.append(sink.queue.get_nowait().id)
        assert sink.dropped == 1
        return got

    assert asyncio.run(main()) == [2, 3]


def test_json_round_trip_for_other_backends() -> None:
    e = ev(unit_ids=(3, 4), departments=True)
    assert Event.from_json(e.to_json()) == e


def test_events_go_out_only_after_commit(bus: InProcessBus) -> None:
    sink = ThreadQueueSink()
    bus.subscribe(sink)
    engine = create_engine("sqlite://")
    with Session(engine) as s:
        s.execute(text("SELECT 1"))
        collect(s, ev(action="kept"))
        assert pending(s) and list(sink.drain()) == []
        s.commit()
        assert [e.action for e in sink.drain()] == ["kept"]
        assert pending(s) == []
        s.execute(text("SELECT 1"))
        collect(s, ev(action="dropped"))
        s.rollback()
        s.commit()
        assert list(sink.drain()) == []
        # a savepoint rolling back keeps what was collected outside it
        s.execute(text("SELECT 1"))
        collect(s, ev(action="outer"))
        nested = s.begin_nested()
        nested.rollback()
        s.commit()
        assert [e.action for e in sink.drain()] == ["outer"]
    engine.dispose()


def test_the_default_bus_is_in_process() -> None:
    assert isinstance(get_bus(), InProcessBus)


ADMIN = Viewer(1, "admin", "admin", None, None)
CITY = Viewer(2, "commander", "commander", "371500", None)
LINQING = Viewer(3, "linqing", "county", "371581", 30)
DCF = Viewer(4, "dcf", "county", "371502", 40)
HEALTH = Viewer(5, "health", "department", "371500", 7)
NOBODY = Viewer(6, "x", "no_such_role", None, None)


@pytest.mark.parametrize(
    ("viewer", "event", "seen"),
    [
        (ADMIN, ev(), True),
        (ADMIN, ev(division=None), True),
        (CITY, ev(), True),
        (CITY, ev(division=None), False),
        (LINQING, ev(), True),
        (DCF, ev(), False),
        (HEALTH, ev(), False),  # a county incident with nothing of the unit's
        (HEALTH, ev(unit_ids=(7,)), True),  # its unit has a task there
        (HEALTH, ev(departments=True), True),  # 较大 or above
        (HEALTH, ev(division="371500"), True),  # at the city itself
        (HEALTH, ev(division="371502", resource="dispatches", unit_ids=(8,)), False),
        (NOBODY, ev(), False),  # no read grant
    ],
)
def test_visibility(viewer: Viewer, event: Event, seen: bool) -> None:
    import yingji.incidents.permissions  # noqa: F401 - registers the incidents resources

    assert visible(viewer, event) is seen


def test_sse_wire_format() -> None:
    e = Event(topic="task", action="created", resource="incident_tasks", division_code="371581",
              data={"title": "医疗救治"}, incident_id=9, id=42)
    text_ = format_sse(e)
    lines = text_.split("\n")
    assert lines[0] == "id: 42" and lines[1] == "event: task" and lines[2].startswith("data: ")
    assert text_.endswith("\n\n")
    payload = json.loads(lines[2][6:])
    assert payload == {"id": 42, "topic": "task", "action": "created", "incident_id": 9, "at": e.at,
                       "data": {"title": "医疗救治"}}
    assert "unit_ids" not in payload  # audience bookkeeping stays on the server


def test_the_stream_needs_a_login(anon: Any) -> None:
    r = anon.get("/api/v1/events")
    assert r.status_code == 401
