"""Local planar coordinates for city-scale work, without pyproj.

An equirectangular projection around a reference point: ``x = R·Δλ·cos φ0``,
``y = R·Δφ`` (radians, metres), with R the IUGG mean Earth radius. Over a city of
~1° of latitude the east–west scale error grows to about ±0.8 % at the edges
(cos φ varies), which is acceptable for snapping, buffering and areas; edge lengths
computed from coordinates use the haversine formula instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_371_008.8
"""IUGG mean Earth radius R1, metres."""

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LocalProjection:
    """Equirectangular projection centred on ``(lon0, lat0)`` degrees; output in metres."""

    lon0: float
    lat0: float

    @property
    def _kx(self) -> float:
        return float(np.deg2rad(1.0) * EARTH_RADIUS_M * np.cos(np.deg2rad(self.lat0)))

    @property
    def _ky(self) -> float:
        return float(np.deg2rad(1.0) * EARTH_RADIUS_M)

    def to_xy(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Degrees → metres east/north of the reference point."""
        x = (np.asarray(lon, dtype=np.float64) - self.lon0) * self._kx
        y = (np.asarray(lat, dtype=np.float64) - self.lat0) * self._ky
        return x, y

    def to_lonlat(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Metres → degrees."""
        lon = np.asarray(x, dtype=np.float64) / self._kx + self.lon0
        lat = np.asarray(y, dtype=np.float64) / self._ky + self.lat0
        return lon, lat

    def geometry_to_xy(self, geom: BaseGeometry) -> BaseGeometry:
        """Project a lon/lat shapely geometry to metres."""
        return shapely.transform(geom, lambda c: np.column_stack(self.to_xy(c[:, 0], c[:, 1])))

    def geometry_to_lonlat(self, geom: BaseGeometry) -> BaseGeometry:
        """Unproject a metre shapely geometry to lon/lat."""
        return shapely.transform(geom, lambda c: np.column_stack(self.to_lonlat(c[:, 0], c[:, 1])))


def haversine_m(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> FloatArray:
    """Great-circle distance in metres on the mean-radius sphere (vectorised)."""
    p1 = np.deg2rad(np.asarray(lat1, dtype=np.float64))
    p2 = np.deg2rad(np.asarray(lat2, dtype=np.float64))
    dp = p2 - p1
    dl = np.deg2rad(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin(dp / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
    return np.asarray(2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=np.float64)
