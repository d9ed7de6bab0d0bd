"""Event bus: publish domain events, subscribe to them (live boards, SSE).

The default backend is in-process: one process, subscribers are queues owned by asyncio loops (the
SSE endpoint) or plain threads (tests, workers). Several API processes need a shared backend; the
``Backend`` protocol is what a Redis pub/sub or NATS backend implements (publish serialised JSON on
one subject, fan out to the local subscribers of each process) — install one with ``set_bus``, or
choose one from a URL with ``configure`` (``redis://…``: ``yingji.events.redis_backend.RedisBus``).

Events are JSON-friendly: a backend may serialise them with ``Event.to_json`` / ``Event.from_json``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Event:
    """One change, with what a subscriber needs to decide whether it may see it.

    ``resource`` is the permission resource (``incidents``, ``incident_tasks`` …) whose ``read``
    grant a subscriber needs; ``division_code`` the division the change belongs to (division scope);
    ``unit_ids`` the units concerned (department users see the event when their unit is among
    them); ``departments`` true when every department user in scope may see it.
    """

    topic: str
    action: str
    resource: str
    division_code: str | None
    data: dict[str, Any]
    incident_id: int | None = None
    unit_ids: tuple[int, ...] = ()
    departments: bool = False
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    id: int = 0

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, default=str)

    @classmethod
    def from_json(cls, text: str) -> Event:
        raw = json.loads(text)
        raw["unit_ids"] = tuple(raw.get("unit_ids") or ())
        return cls(**raw)


Sink = Callable[[Event], None]


class Subscription:
    """A subscriber's handle; ``close()`` (or the context manager) unsubscribes."""

    def __init__(self, bus: Backend, sink: Sink) -> None:
        self._bus, self.sink = bus, sink

    def close(self) -> None:
        self._bus.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Backend(Protocol):
    def publish(self, event: Event) -> Event: ...

    def subscribe(self, sink: Sink) -> Subscription: ...

    def unsubscribe(self, subscription: Subscription) -> None: ...

    def replay(self, after_id: int) -> list[Event]: ...


class InProcessBus:
    """Fan-out to the subscribers of this process; keeps the last ``history`` events for replay
    (``Last-Event-ID``). Thread-safe: publishers may be request threads, subscribers asyncio loops."""

    def __init__(self, history: int = 1000) -> None:
        self._lock = threading.Lock()
        self._subs: list[Subscription] = []
        self._ids = itertools.count(1)
        self._history: deque[Event] = deque(maxlen=history)

    def publish(self, event: Event) -> Event:
        with self._lock:
            stamped = replace(event, id=next(self._ids))
            self._history.append(stamped)
            subs = list(self._subs)
        for sub in subs:
            try:
                sub.sink(stamped)
            except Exception:  # a broken subscriber must not break the publisher
                self.unsubscribe(sub)
        return stamped

    def subscribe(self, sink: Sink) -> Subscription:
        sub = Subscription(self, sink)
        with self._lock:
            self._subs.append(sub)
        return sub

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            if subscription in self._subs:
                self._subs.remove(subscription)

    def replay(self, after_id: int) -> list[Event]:
        with self._lock:
            return [e for e in self._history if e.id > after_id]

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subs)


_bus: Backend = InProcessBus()


def get_bus() -> Backend:
    return _bus


def set_bus(bus: Backend) -> Backend:
    """Install another backend (e.g. Redis/NATS for several processes); returns the previous one."""
    global _bus
    previous, _bus = _bus, bus
    return previous


def publish(event: Event) -> Event:
    return _bus.publish(event)


def configure(url: str | None) -> Backend:
    """Choose the backend from a URL (the ``events_url`` setting) and install it; returns it.

    Empty: in-process (the bus already installed is kept when it is in-process, so calling this from
    every ``create_app`` is harmless). ``redis://``, ``rediss://`` or ``unix://``: a
    ``yingji.events.redis_backend.RedisBus`` — kept when one for the same URL is installed, otherwise
    it replaces the current bus (a replaced ``RedisBus`` is closed). Anything else is a ``ValueError``.
    """
    url = (url or "").strip()
    current = get_bus()
    if not url:
        if isinstance(current, InProcessBus):
            return current
        backend: Backend = InProcessBus()
    elif url.split("://", 1)[0] in ("redis", "rediss", "unix"):
        from yingji.events.redis_backend import RedisBus

        if isinstance(current, RedisBus) and current.url == url:
            return current
        backend = RedisBus(url)
    else:
        raise ValueError(f"events_url: unsupported event backend {url.split('://', 1)[0]!r} (use redis://…)")
    previous = set_bus(backend)
    close = getattr(previous, "close", None)
    if callable(close):
        close()
    return backend


# ---- subscriber helpers -------------------------------------------------------------------------


class AsyncQueueSink:
    """Deliver events into an asyncio queue owned by ``loop`` (safe to call from any thread).

    When the consumer is too slow the queue drops the oldest event and counts it in ``dropped``.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, maxsize: int = 1000) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=maxsize)
        self.dropped = 0

    def _put(self, event: Event) -> None:
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(event)

    def __call__(self, event: Event) -> None:
        if self.loop.is_closed():
            raise RuntimeError("subscriber loop closed")
        self.loop.call_soon_threadsafe(self._put, event)


class ThreadQueueSink:
    """Deliver events into a ``queue.Queue`` (for threads and tests)."""

    def __init__(self) -> None:
        self.queue: queue.Queue[Event] = queue.Queue()

    def __call__(self, event: Event) -> None:
        self.queue.put(event)

    def drain(self) -> Iterator[Event]:
        while True:
            try:
                yield self.queue.get_nowait()
            except queue.Empty:
                return
