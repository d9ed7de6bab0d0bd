"""``GET /api/v1/events``: a server-sent events stream of the changes the user may see."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from yingji.deps import CurrentUser
from yingji.events.bus import AsyncQueueSink, Event, get_bus
from yingji.events.scope import Viewer, visible

router = APIRouter(prefix="/api/v1/events", tags=["events"])

KEEPALIVE_S = 15.0
RETRY_MS = 3000


def format_sse(event: Event) -> str:
    payload = {
        "id": event.id,
        "topic": event.topic,
        "action": event.action,
        "incident_id": event.incident_id,
        "at": event.at,
        "data": event.data,
    }
    body = json.dumps(payload, ensure_ascii=False, default=str)
    return f"id: {event.id}\nevent: {event.topic}\ndata: {body}\n\n"


async def _stream(
    viewer: Viewer, topics: set[str] | None, incident_id: int | None, last_id: int
) -> AsyncIterator[str]:
    bus = get_bus()
    sink = AsyncQueueSink(asyncio.get_running_loop())
    sub = bus.subscribe(sink)  # subscribe before the replay so that nothing falls in between

    def wanted(e: Event) -> bool:
        return (
            (topics is None or e.topic in topics)
            and (incident_id is None or e.incident_id == incident_id)
            and visible(viewer, e)
        )

    try:
        yield f"retry: {RETRY_MS}\n: connected as {viewer.username}\n\n"
        sent = last_id
        for e in bus.replay(last_id) if last_id else []:
            if wanted(e):
                yield format_sse(e)
            sent = max(sent, e.id)
        while True:
            try:
                e = await asyncio.wait_for(sink.queue.get(), timeout=KEEPALIVE_S)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if e.id <= sent:
                continue
            sent = e.id
            if wanted(e):
                yield format_sse(e)
    finally:
        sub.close()


@router.get(
    "",
    summary="Live changes (server-sent events): incidents, tasks, dispatches, reports in your scope",
    response_class=StreamingResponse,
)
async def events(
    user: CurrentUser,
    topics: Annotated[
        str | None, Query(max_length=200, description="comma-separated: incident,task,dispatch,report,...")
    ] = None,
    incident_id: Annotated[int | None, Query(ge=1)] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
) -> StreamingResponse:
    wanted = {t.strip() for t in topics.split(",") if t.strip()} if topics else None
    try:
        last = int(last_event_id) if last_event_id else 0
    except ValueError:
        last = 0
    return StreamingResponse(
        _stream(Viewer.of(user), wanted, incident_id, last),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
