"""Top-level navigation areas. Each UI area module (``yingji.web.pages_<area>``) appends its entry
at import, so areas are added without editing a shared list."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavArea:
    key: str  # compared with the page's ``active``
    href: str
    zh: str
    en: str
    resource: str  # shown to users who may read this resource
    order: int = 50


NAV_AREAS: list[NavArea] = []


def register(area: NavArea) -> None:
    if all(a.key != area.key for a in NAV_AREAS):
        NAV_AREAS.append(area)
        NAV_AREAS.sort(key=lambda a: (a.order, a.key))
