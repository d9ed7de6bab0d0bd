"""Errors raised by the road-network engine.

All of them subclass :class:`NetworkError`, itself a :class:`ValueError`, so callers that
map ``ValueError`` to a 422 keep working; ``field`` names the offending input where there
is one.
"""

from __future__ import annotations


class NetworkError(ValueError):
    """Invalid input to, or an impossible request of, the road-network engine."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        self.detail = message
        super().__init__(f"{field}: {message}" if field else message)


class PointOffNetwork(NetworkError):
    """A point is farther from the nearest network node than the allowed snap distance."""

    def __init__(
        self,
        *,
        lon: float,
        lat: float,
        distance_m: float,
        max_distance_m: float,
        field: str | None = "lon/lat",
    ) -> None:
        self.lon = lon
        self.lat = lat
        self.distance_m = distance_m
        self.max_distance_m = max_distance_m
        super().__init__(
            f"point ({lon:.6f}, {lat:.6f}) is {distance_m:.0f} m from the nearest road node, "
            f"more than the allowed {max_distance_m:.0f} m",
            field=field,
        )


class NoRoute(NetworkError):
    """The destination cannot be reached from the origin (one-way streets, closures, islands)."""

    def __init__(self, *, origin: int, destination: int, reason: str = "") -> None:
        self.origin = origin
        self.destination = destination
        text = f"no route from node {origin} to node {destination}"
        super().__init__(f"{text}: {reason}" if reason else text)
