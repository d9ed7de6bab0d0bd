"""Database: engine and sessions, the declarative base, migrations."""

from yingji.db.base import Base, JSONType, UTCDateTime, utcnow
from yingji.db.session import make_engine, make_sessionmaker

__all__ = ["Base", "JSONType", "UTCDateTime", "make_engine", "make_sessionmaker", "utcnow"]
