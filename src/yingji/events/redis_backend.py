"""Redis pub/sub backend: the events of several API processes reach the subscribers of every one.

Each process keeps an ``InProcessBus`` for its own subscribers (SSE clients) and two daemon threads:

* a **publisher** that sends what this process publishes to the Redis channel (``yingji:events``) as
  JSON ``{"origin": <process id>, "event": <Event.to_json()>}``. ``publish`` itself never touches the
  network: it delivers to the local subscribers at once and hands the event to the publisher through
  a bounded queue, so a request thread (the after-commit hook) is never held up by Redis;
* a **subscriber** that listens on the channel and re-publishes every event of *another* process to
  the local subscribers (its own echoes are skipped by ``origin``, since they were delivered locally).

Both reconnect with exponential backoff (0.1 s doubling to 5 s) when Redis goes away. While Redis is
unreachable, local subscribers still get local events; events waiting to go out are kept (up to
``outbox`` of them, oldest dropped first and counted in ``dropped``) and sent after reconnecting;
events other processes published meanwhile are lost (Redis pub/sub does not store them).

Event ids are local: each process numbers the events in the order its subscribers get them, so an
SSE stream's ids always increase. ``Last-Event-ID`` replays what *this* process holds — put sticky
sessions in front of several processes if a reconnecting client must resume exactly.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import uuid
from dataclasses import replace
from typing import Any

from yingji.events.bus import Event, InProcessBus, Sink, Subscription

log = logging.getLogger("yingji.events.redis")

CHANNEL = "yingji:events"
BACKOFF_MIN_S = 0.1
BACKOFF_MAX_S = 5.0


class RedisBus:
    """``Backend`` over Redis pub/sub; see the module docstring. ``close()`` stops both threads."""

    def __init__(
        self,
        url: str,
        channel: str = CHANNEL,
        history: int = 1000,
        outbox: int = 10000,
        socket_timeout: float = 5.0,
    ) -> None:
        import redis  # imported here: only processes configured for Redis need the package

        self.url, self.channel = url, channel
        self.origin = uuid.uuid4().hex
        self.local = InProcessBus(history=history)
        self.dropped = 0  # events that never went out: the outbox overflowed while Redis was away
        self.received = 0  # events of other processes delivered here
        self._redis: Any = redis
        self._kw: dict[str, Any] = {"socket_connect_timeout": socket_timeout, "socket_timeout": socket_timeout}
        self._outbox: queue.Queue[str | None] = queue.Queue(maxsize=outbox)
        self._stop = threading.Event()
        self._subscribed = threading.Event()
        self._publisher = threading.Thread(target=self._publish_loop, name="yingji-events-redis-pub", daemon=True)
        self._subscriber = threading.Thread(target=self._listen_loop, name="yingji-events-redis-sub", daemon=True)
        self._publisher.start()
        self._subscriber.start()

    # ---- Backend ------------------------------------------------------------------------------

    def publish(self, event: Event) -> Event:
        stamped = self.local.publish(event)
        message = json.dumps({"origin": self.origin, "event": replace(stamped, id=0).to_json()})
        while True:
            try:
                self._outbox.put_nowait(message)
                break
            except queue.Full:
                try:
                    self._outbox.get_nowait()
                    self.dropped += 1
                except queue.Empty:
                    pass
        return stamped

    def subscribe(self, sink: Sink) -> Subscription:
        return self.local.subscribe(sink)

    def unsubscribe(self, subscription: Subscription) -> None:
        self.local.unsubscribe(subscription)

    def replay(self, after_id: int) -> list[Event]:
        return self.local.replay(after_id)

    # ---- state --------------------------------------------------------------------------------

    @property
    def subscriber_count(self) -> int:
        return self.local.subscriber_count

    @property
    def connected(self) -> bool:
        """Whether the subscriber thread is currently listening on the channel."""
        return self._subscribed.is_set()

    def wait_connected(self, timeout: float = 5.0) -> bool:
        return self._subscribed.wait(timeout)

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(queue.Full):
            self._outbox.put_nowait(None)  # wake the publisher
        self._publisher.join(timeout=5)
        self._subscriber.join(timeout=5)

    # ---- threads ------------------------------------------------------------------------------

    def _client(self) -> Any:
        return self._redis.Redis.from_url(self.url, **self._kw)

    def _backoff(self, delay: float) -> float:
        self._stop.wait(delay)
        return min(delay * 2, BACKOFF_MAX_S)

    def _publish_loop(self) -> None:
        delay = BACKOFF_MIN_S
        client: Any = None
        message: str | None = None
        while not self._stop.is_set():
            if message is None:
                try:
                    message = self._outbox.get(timeout=1.0)
                except queue.Empty:
                    continue
                if message is None:
                    continue
            try:
                if client is None:
                    client = self._client()
                client.publish(self.channel, message)
                message, delay = None, BACKOFF_MIN_S
            except Exception as exc:  # noqa: BLE001 - Redis down or restarting: keep the message, retry
                log.warning("events: publishing to Redis failed (%s); retrying in %.1f s", exc, delay)
                if client is not None:
                    _quietly(client.close)
                client = None
                delay = self._backoff(delay)
        if client is not None:
            _quietly(client.close)

    def _listen_loop(self) -> None:
        delay = BACKOFF_MIN_S
        while not self._stop.is_set():
            client: Any = None
            pubsub: Any = None
            try:
                client = self._client()
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                self._subscribed.set()
                delay = BACKOFF_MIN_S
                while not self._stop.is_set():
                    msg = pubsub.get_message(timeout=0.25)
                    if msg is not None and msg.get("type") == "message":
                        self._deliver(msg["data"])
            except Exception as exc:  # noqa: BLE001 - connection lost: reconnect with backoff
                if not self._stop.is_set():
                    log.warning("events: Redis subscription lost (%s); reconnecting in %.1f s", exc, delay)
            finally:
                self._subscribed.clear()
                if pubsub is not None:
                    _quietly(pubsub.close)
                if client is not None:
                    _quietly(client.close)
            if not self._stop.is_set():
                delay = self._backoff(delay)

    def _deliver(self, data: bytes | str) -> None:
        try:
            envelope = json.loads(data)
            if envelope.get("origin") == self.origin:
                return  # our own event: already delivered locally
            event = Event.from_json(envelope["event"])
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("events: ignoring a malformed message on %s: %s", self.channel, exc)
            return
        self.received += 1
        self.local.publish(event)


def _quietly(fn: Any) -> None:
    with contextlib.suppress(Exception):  # closing a broken connection
        fn()
