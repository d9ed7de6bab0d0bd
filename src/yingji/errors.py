"""Domain errors: raised once in services, mapped once to HTTP (api) and to CLI messages."""

from __future__ import annotations

from collections.abc import Sequence


class YingjiError(Exception):
    """Base of all domain errors."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def extra(self) -> dict[str, object]:
        """Fields the HTTP error body carries beside ``detail`` (none by default)."""
        return {}


class NotFound(YingjiError):
    status_code = 404


class Conflict(YingjiError):
    status_code = 409


class Forbidden(YingjiError):
    status_code = 403


class Unauthorized(YingjiError):
    status_code = 401


class TooLarge(YingjiError):
    status_code = 413


Loc = list[str | int]


class InvalidField(YingjiError):
    """Values that fail rules the schema alone cannot express; each error names its field."""

    status_code = 422

    def __init__(self, field: str | Sequence[str | int], message: str) -> None:
        loc: Loc = [field] if isinstance(field, str) else list(field)
        self.errors: list[tuple[Loc, str]] = [(loc, message)]
        super().__init__(self._text())

    @classmethod
    def many(cls, errors: Sequence[tuple[Sequence[str | int], str]]) -> InvalidField:
        first_loc, first_msg = errors[0]
        exc = cls(list(first_loc), first_msg)
        exc.errors = [(list(loc), msg) for loc, msg in errors]
        exc.message = exc._text()
        exc.args = (exc.message,)
        return exc

    def _text(self) -> str:
        return "; ".join(f"{'.'.join(str(p) for p in loc)}: {msg}" for loc, msg in self.errors)
