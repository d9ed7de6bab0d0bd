"""Road closures (阻断). A closure is held as geometry plus the edges it resolved to on the
network it was resolved against, so it survives a rebuilt network."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yingji.db.base import Base, JSONType, UTCDateTime
from yingji.registry.models import Timestamps


class RoadClosure(Timestamps, Base):
    __tablename__ = "road_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(300))
    division_code: Mapped[str] = mapped_column(ForeignKey("divisions.code"), index=True)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSONType)
    edges: Mapped[list[int]] = mapped_column(JSONType, default=list)
    network_key: Mapped[str] = mapped_column(String(80), default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    created_by: Mapped[str] = mapped_column(String(64), default="system")
    notes: Mapped[str | None] = mapped_column(Text)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
