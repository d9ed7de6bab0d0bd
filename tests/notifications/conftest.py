"""The notification hook wired to the test's session factory; the real loopback servers (SMTP via
aiosmtpd, HTTP via http.server) come from tests/loopback.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from yingji.notifications import service


@pytest.fixture(autouse=True)
def _hook_factory(session_factory: sessionmaker[Session]) -> Iterator[None]:
    service.clear_backlog()  # changes other tests' warnings left while no factory was configured
    service.configure(session_factory)
    yield
    service.configure(None)
