"""Population on a regular grid of cells, the demand side of coverage and siting."""

from __future__ import annotations

import contextlib
import csv
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from .errors import NetworkError
from .geo import EARTH_RADIUS_M
from .graph import FloatArray, RoadGraph

if TYPE_CHECKING:
    from .routing import Snapped

StrArray = npt.NDArray[np.str_]

# GeoTIFF tags and keys (OGC GeoTIFF 1.1)
_TAG_PIXEL_SCALE = 33550
_TAG_TIEPOINT = 33922
_TAG_TRANSFORM = 34264
_TAG_GEOKEYS = 34735
_TAG_GDAL_NODATA = 42113
_KEY_MODEL_TYPE = 1024  # 1 projected, 2 geographic, 3 geocentric
_KEY_RASTER_TYPE = 1025  # 1 PixelIsArea, 2 PixelIsPoint
_KEY_GEOGRAPHIC_TYPE = 2048
_GEOGRAPHIC_CODES = {4326, 4490, 4610, 4214, 32767}  # WGS 84, CGCS2000, Xian 80, Beijing 54, user-defined


@dataclass(frozen=True)
class AreaPopulation:
    """Persons inside an area, and where they live (the population-weighted centre)."""

    people: float
    lon: float
    lat: float
    cells: int  # populated cells that overlap the area


@dataclass(frozen=True, eq=False, repr=False)
class PopulationGrid:
    """Square cells: centre lon/lat (degrees), population (persons), division code, size (m).

    ``cell_size_m`` is the side of a cell, so each cell covers ``cell_size_m² / 1e6`` km².
    """

    lon: FloatArray
    lat: FloatArray
    population: FloatArray
    division: StrArray
    cell_size_m: float
    _snaps: weakref.WeakKeyDictionary[RoadGraph, dict[float, Snapped]] = field(
        init=False, default_factory=weakref.WeakKeyDictionary
    )

    def __post_init__(self) -> None:
        put = object.__setattr__
        lon = np.asarray(self.lon, dtype=np.float64).ravel()
        n = lon.size
        lat = np.asarray(self.lat, dtype=np.float64).ravel()
        pop = np.asarray(self.population, dtype=np.float64).ravel()
        div = np.asarray(self.division).astype(str).ravel()
        for name, arr in (("lat", lat), ("population", pop), ("division", div)):
            if arr.size != n:
                raise NetworkError(f"has {arr.size} values for {n} cells", field=name)
        if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))):
            raise NetworkError("cell centres must be finite degrees", field="lon/lat")
        if not np.all(np.isfinite(pop)) or np.any(pop < 0):
            raise NetworkError("must be finite and >= 0", field="population")
        size = float(self.cell_size_m)
        if not np.isfinite(size) or size <= 0:
            raise NetworkError("must be > 0 m", field="cell_size_m")
        for arr in (lon, lat, pop, div):
            arr.flags.writeable = False
        put(self, "lon", lon)
        put(self, "lat", lat)
        put(self, "population", pop)
        put(self, "division", div)
        put(self, "cell_size_m", size)

    def __len__(self) -> int:
        return int(self.lon.size)

    def __repr__(self) -> str:
        return (
            f"PopulationGrid(cells={len(self)}, population={self.total_population:.0f}, "
            f"cell_size_m={self.cell_size_m})"
        )

    @property
    def cell_area_km2(self) -> float:
        """Area of one cell in km²."""
        return self.cell_size_m**2 / 1e6

    @property
    def total_population(self) -> float:
        """Sum of all cells."""
        return float(self.population.sum())

    @cached_property
    def division_index(self) -> tuple[StrArray, npt.NDArray[np.int64]]:
        """``(codes, inverse)``: the sorted distinct division codes and each cell's position."""
        codes, inverse = np.unique(self.division, return_inverse=True)
        inv = inverse.ravel().astype(np.int64)
        inv.flags.writeable = False
        return codes, inv

    @cached_property
    def division_totals(self) -> tuple[FloatArray, npt.NDArray[np.int64]]:
        """Population and number of cells of each division, in ``division_index`` order."""
        codes, inverse = self.division_index
        pop = np.bincount(inverse, weights=self.population, minlength=codes.size).astype(np.float64)
        count = np.bincount(inverse, minlength=codes.size).astype(np.int64)
        return pop, count

    @cached_property
    def populated(self) -> npt.NDArray[np.bool_]:
        """Cells with population > 0."""
        mask = self.population > 0
        mask.flags.writeable = False
        return mask

    def population_by_division(self) -> dict[str, float]:
        """Total population of each division code."""
        codes, inverse = self.division_index
        sums = np.bincount(inverse, weights=self.population, minlength=codes.size)
        return {str(c): float(s) for c, s in zip(codes, sums, strict=True)}

    def in_area(self, area: BaseGeometry) -> AreaPopulation:
        """Persons living inside ``area`` (a lon/lat polygon): each cell counts with the share of
        its square that the area covers (cells are squares of ``cell_size_m`` about their centre,
        their sides in degrees at the cell's latitude), so an area smaller than a cell still holds
        its share of people. The centre is the population-weighted mean of the covered parts'
        centroids, or the area's centroid when it holds nobody."""
        if area.is_empty or area.area <= 0:
            raise NetworkError("the area is empty")
        minx, miny, maxx, maxy = area.bounds
        half_lat = self.cell_size_m / 2 / (EARTH_RADIUS_M * np.pi / 180)
        half_lon = half_lat / np.maximum(np.cos(np.radians(self.lat)), 1e-6)
        near = np.flatnonzero(
            (self.lon + half_lon >= minx) & (self.lon - half_lon <= maxx)
            & (self.lat + half_lat >= miny) & (self.lat - half_lat <= maxy) & self.populated
        )
        centre = area.centroid
        if near.size == 0:
            return AreaPopulation(people=0.0, lon=float(centre.x), lat=float(centre.y), cells=0)
        boxes = shapely.box(self.lon[near] - half_lon[near], self.lat[near] - half_lat,
                            self.lon[near] + half_lon[near], self.lat[near] + half_lat)
        parts = shapely.intersection(boxes, area)
        share = shapely.area(parts) / shapely.area(boxes)
        persons = self.population[near] * share
        total = float(persons.sum())
        if total <= 0:
            return AreaPopulation(people=0.0, lon=float(centre.x), lat=float(centre.y), cells=0)
        cx = shapely.get_x(shapely.centroid(parts[persons > 0]))
        cy = shapely.get_y(shapely.centroid(parts[persons > 0]))
        w = persons[persons > 0]
        return AreaPopulation(people=total, lon=float(np.dot(cx, w) / total), lat=float(np.dot(cy, w) / total),
                              cells=int((persons > 0).sum()))

    # ----------------------------------------------------------------- CSV
    @classmethod
    def from_csv(cls, path: str | Path, *, cell_size_m: float = 1000.0) -> PopulationGrid:
        """Read ``lon,lat,population,division`` columns (header required; ``division`` optional).

        ``cell_size_m`` is the side of a cell in metres (the CSV does not carry it).
        """
        lon: list[float] = []
        lat: list[float] = []
        pop: list[float] = []
        div: list[str] = []
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            fields = {f.strip().lower(): f for f in (reader.fieldnames or [])}
            for col in ("lon", "lat", "population"):
                if col not in fields:
                    raise NetworkError(f"CSV has no {col!r} column (found {sorted(fields)})", field=col)
            dcol = fields.get("division")
            for line, row in enumerate(reader, start=2):
                try:
                    lon.append(float(row[fields["lon"]]))
                    lat.append(float(row[fields["lat"]]))
                    pop.append(float(row[fields["population"]]))
                except (TypeError, ValueError) as exc:
                    raise NetworkError(f"line {line}: {exc}", field="csv") from exc
                div.append((row.get(dcol) or "").strip() if dcol else "")
        return cls(
            lon=np.array(lon),
            lat=np.array(lat),
            population=np.array(pop),
            division=np.array(div, dtype=str),
            cell_size_m=cell_size_m,
        )

    def to_csv(self, path: str | Path) -> None:
        """Write ``lon,lat,population,division`` (population as an integer when it is one)."""
        integral = bool(np.all(self.population == np.round(self.population)))
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["lon", "lat", "population", "division"])
            for x, y, p, d in zip(
                self.lon.tolist(),
                self.lat.tolist(),
                self.population.tolist(),
                self.division.tolist(),
                strict=True,
            ):
                writer.writerow([f"{x:.6f}", f"{y:.6f}", int(p) if integral else p, d])

    # ------------------------------------------------------------- GeoTIFF
    @classmethod
    def from_geotiff(
        cls,
        path: str | Path,
        *,
        divisions: Mapping[str, BaseGeometry] | None = None,
        default_division: str = "",
        band: int = 0,
    ) -> PopulationGrid:
        """Read a population raster (persons per pixel) in geographic coordinates.

        Needs the ``tifffile`` package (imported here only). Supports north-up rasters in
        a geographic CRS (WGS 84 / CGCS2000 degrees) via the ModelPixelScale + ModelTiepoint
        tags or an axis-aligned ModelTransformation; projected rasters are refused (no
        pyproj). Pixels that are nodata, non-finite or <= 0 are dropped. With ``divisions``
        (lon/lat polygons keyed by code) each cell takes the code of the polygon containing
        its centre and cells outside every polygon are dropped; otherwise cells get
        ``default_division``. ``cell_size_m`` is the geometric mean of the pixel's east and
        north extents at the raster's mid-latitude.
        """
        try:
            import tifffile
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise NetworkError("reading GeoTIFF needs the 'tifffile' package", field="path") from exc
        with tifffile.TiffFile(str(path)) as tif:
            page = tif.pages[0]
            data = np.asarray(page.asarray())
            tags: dict[int, Any] = {int(t.code): t.value for t in page.tags.values()}  # type: ignore[union-attr]
        if data.ndim == 3:
            axis = int(np.argmin(data.shape))
            data = np.take(data, band, axis=axis)
        if data.ndim != 2:
            raise NetworkError(f"expected a 2-D raster, got shape {data.shape}", field="path")
        geokeys = _geokeys(tags.get(_TAG_GEOKEYS))
        if geokeys.get(_KEY_MODEL_TYPE, 2) != 2:
            raise NetworkError("only rasters in a geographic (lon/lat) CRS are supported", field="path")
        if geokeys.get(_KEY_GEOGRAPHIC_TYPE, 4326) not in _GEOGRAPHIC_CODES:
            raise NetworkError(
                f"unsupported geographic CRS code {geokeys[_KEY_GEOGRAPHIC_TYPE]}", field="path"
            )
        if _TAG_TRANSFORM in tags:
            t = np.asarray(tags[_TAG_TRANSFORM], dtype=np.float64).reshape(4, 4)
            if abs(t[0, 1]) > 0 or abs(t[1, 0]) > 0:
                raise NetworkError("rotated rasters are not supported", field="path")
            sx, sy, x0, y0 = t[0, 0], -t[1, 1], t[0, 3], t[1, 3]
        elif _TAG_PIXEL_SCALE in tags and _TAG_TIEPOINT in tags:
            scale = np.asarray(tags[_TAG_PIXEL_SCALE], dtype=np.float64)
            tie = np.asarray(tags[_TAG_TIEPOINT], dtype=np.float64)
            sx, sy = scale[0], scale[1]
            x0, y0 = tie[3] - tie[0] * sx, tie[4] + tie[1] * sy
        else:
            raise NetworkError("the TIFF carries no georeferencing tags", field="path")
        if sx <= 0 or sy <= 0:
            raise NetworkError("pixel sizes must be positive (north-up raster)", field="path")
        point = geokeys.get(_KEY_RASTER_TYPE, 1) == 2  # PixelIsPoint: tiepoint at the pixel centre
        offset = 0.0 if point else 0.5
        values = data.astype(np.float64)
        valid = np.isfinite(values) & (values > 0)
        nodata = tags.get(_TAG_GDAL_NODATA)
        if nodata is not None:
            with contextlib.suppress(ValueError):
                valid &= values != float(str(nodata).strip().strip("\x00"))
        rows, cols = np.nonzero(valid)
        lon = x0 + (cols + offset) * sx
        lat = y0 - (rows + offset) * sy
        pop = values[rows, cols]
        mid_lat = y0 - data.shape[0] * sy / 2
        k = np.deg2rad(1.0) * EARTH_RADIUS_M
        size = float(np.sqrt(sx * k * np.cos(np.deg2rad(mid_lat)) * sy * k))
        if divisions:
            div = np.full(lon.size, "", dtype=object)
            taken = np.zeros(lon.size, dtype=bool)
            for code, geom in divisions.items():
                inside = shapely.contains_xy(geom, lon, lat) & ~taken
                div[inside] = str(code)
                taken |= inside
            lon, lat, pop, div = lon[taken], lat[taken], pop[taken], div[taken]
            division = div.astype(str)
        else:
            division = np.full(lon.size, default_division, dtype=object).astype(str)
        return cls(lon=lon, lat=lat, population=pop, division=division, cell_size_m=size)


def _geokeys(raw: Any) -> dict[int, int]:
    """Short (SHORT-valued) GeoKeys of a GeoKeyDirectoryTag."""
    if raw is None:
        return {}
    vals = [int(v) for v in np.asarray(raw).ravel().tolist()]
    if len(vals) < 4:
        return {}
    out: dict[int, int] = {}
    for i in range(vals[3]):
        key, loc, _count, value = vals[4 + 4 * i : 8 + 4 * i]
        if loc == 0:
            out[key] = value
    return out
