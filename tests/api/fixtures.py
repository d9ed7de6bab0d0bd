"""Fixtures shared by tests/api, tests/registry, tests/auth and tests/audit (each conftest re-exports them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from api.helpers import QueryCounter
from yingji.config import Settings


@pytest.fixture
def query_counter(connection: Connection) -> Iterator[QueryCounter]:
    """Counts the statements sent on the test connection's engine."""
    counter = QueryCounter(connection.engine)
    try:
        yield counter
    finally:
        counter.close()


@pytest.fixture
def raw_clients(clients: Any) -> Callable[[str], TestClient]:
    """``raw_clients("admin")``: a client that returns a 500 as a response instead of raising."""
    cache: dict[str, TestClient] = {}

    def get(username: str) -> TestClient:
        if username not in cache:
            client = TestClient(clients.app, raise_server_exceptions=False)
            client.headers.update(clients[username].headers)
            cache[username] = client
        return cache[username]

    return get


@pytest.fixture(scope="session")
def demo_network_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the demo road network and population grid (built once per worker)."""
    from yingji.demo.network import ensure_demo_network

    data_dir = tmp_path_factory.mktemp("network-data")
    ensure_demo_network(data_dir=data_dir)
    return data_dir


def settings_with_network(data_dir: Path) -> Settings:
    """The suite's test settings (tests/conftest.py), with a data directory that holds a road network."""
    return Settings(env="test", data_dir=data_dir, secret_key="test-secret-" + "x" * 32,
                    max_upload_bytes=2 * 1024 * 1024, login_max_failures=3)
