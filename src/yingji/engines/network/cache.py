"""Build a graph from a road file once and keep it as ``.npz`` until the file changes.

The cache file name carries the source's SHA-256 (first 16 hex digits) and a hash of
the build options; the file also stores the source's size and mtime. A changed source
(different content, size or mtime) misses the cache and is rebuilt; older cache files of
the same source name and options are removed after a successful build. Writes are atomic
(temporary file + ``os.replace``), so concurrent builders never read half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from .errors import NetworkError
from .graph import NPZ_FORMAT_VERSION, RoadGraph, largest_scc
from .readers import Progress, read_lines, read_osm_pbf

_OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm")


def file_sha256(path: str | Path, *, progress: Progress | None = None, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, reading it in 1 MiB chunks."""
    digest = hashlib.sha256()
    size = max(1, os.path.getsize(path))
    done = 0
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
            done += len(block)
            if progress:
                progress("hash", min(1.0, done / size))
    return digest.hexdigest()


def _is_osm(path: Path) -> bool:
    name = path.name.lower()
    return any(name.endswith(s) for s in _OSM_SUFFIXES)


def build_from_file(
    source_path: str | Path,
    *,
    simplify: bool = False,
    strongly_connected: bool = True,
    progress: Progress | None = None,
) -> RoadGraph:
    """Read a road file (OSM by suffix, otherwise any GDAL vector format) and build the graph.

    With ``strongly_connected`` only the largest strongly connected component is kept.
    """
    path = Path(source_path)
    if _is_osm(path):
        data = read_osm_pbf(path, simplify=simplify, progress=progress)
    else:
        data = read_lines(path, simplify=simplify, progress=progress)
    if progress:
        progress("build", 0.0)
    graph = data.build()
    if strongly_connected:
        graph, _ = largest_scc(graph)
    if progress:
        progress("build", 1.0)
    return graph


def load_or_build(
    source_path: str | Path,
    cache_dir: str | Path,
    *,
    simplify: bool = False,
    strongly_connected: bool = True,
    progress: Progress | None = None,
) -> RoadGraph:
    """The graph of ``source_path``, from ``cache_dir`` when the source is unchanged.

    ``progress(stage, fraction)`` is called during hashing, reading and building
    (stages ``"hash"``, ``"read"``, ``"ways"``/``"lines"``, ``"build"``, ``"cache"``).
    """
    src = Path(source_path)
    if not src.is_file():
        raise NetworkError(f"no such file: {src}", field="source_path")
    cache = Path(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    stat = src.stat()
    sha = file_sha256(src, progress=progress)
    options = json.dumps(
        {"simplify": simplify, "scc": strongly_connected, "format": NPZ_FORMAT_VERSION}, sort_keys=True
    )
    opt_hash = hashlib.sha256(options.encode()).hexdigest()[:8]
    stem = src.name.replace(".", "_")
    target = cache / f"{stem}-{sha[:16]}-{opt_hash}.npz"
    if target.is_file():
        try:
            graph, meta = RoadGraph.load_npz(target)
        except (OSError, ValueError, KeyError):
            graph, meta = None, {}
        if (
            graph is not None
            and meta.get("source_sha256") == sha
            and meta.get("source_size") == str(stat.st_size)
            and meta.get("source_mtime_ns") == str(stat.st_mtime_ns)
        ):
            if progress:
                progress("cache", 1.0)
            return graph
    graph = build_from_file(src, simplify=simplify, strongly_connected=strongly_connected, progress=progress)
    meta = {
        "source_name": src.name,
        "source_sha256": sha,
        "source_size": str(stat.st_size),
        "source_mtime_ns": str(stat.st_mtime_ns),
        "options": options,
    }
    fd, tmp = tempfile.mkstemp(dir=cache, prefix=f".{stem}-", suffix=".npz.tmp")
    os.close(fd)
    try:
        graph.save_npz(tmp, metadata=meta)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    for old in cache.glob(f"{stem}-*-{opt_hash}.npz"):
        if old != target:
            with contextlib.suppress(OSError):
                old.unlink()
    if progress:
        progress("cache", 1.0)
    return graph
