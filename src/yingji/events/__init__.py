"""Live events: an in-process publish/subscribe bus (a Redis backend for several processes is chosen
with ``configure("redis://…")``, others can be installed with ``set_bus``), a session hook that
publishes a transaction's events only after it commits, and the server-sent events stream at
``GET /api/v1/events`` filtered by each subscriber's permissions."""

from yingji.events.bus import (
    AsyncQueueSink,
    Backend,
    Event,
    InProcessBus,
    Subscription,
    ThreadQueueSink,
    configure,
    get_bus,
    publish,
    set_bus,
)
from yingji.events.scope import Viewer, visible
from yingji.events.session import collect, pending

__all__ = [
    "AsyncQueueSink",
    "Backend",
    "Event",
    "InProcessBus",
    "Subscription",
    "ThreadQueueSink",
    "Viewer",
    "collect",
    "configure",
    "get_bus",
    "pending",
    "publish",
    "set_bus",
    "visible",
]
