"""Find every domain's tables: import ``yingji.<domain>.models`` for each domain package."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

import yingji


def domain_modules(name: str) -> list[str]:
    """Dotted names of ``yingji.<package>.<name>`` modules that exist, sorted."""
    found = []
    for info in pkgutil.iter_modules(yingji.__path__):
        if not info.ispkg:
            continue
        spec = importlib.util.find_spec(f"yingji.{info.name}.{name}")
        if spec is not None:
            found.append(f"yingji.{info.name}.{name}")
    return sorted(found)


def import_all_models() -> None:
    for module in domain_modules("models"):
        importlib.import_module(module)
