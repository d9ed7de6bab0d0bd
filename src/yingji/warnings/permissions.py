"""Grants for the warning resource (added to the platform matrix at import).

``create`` = issue by hand; ``update`` = change level or text, acknowledge, lift;
``import`` = CAP upload and feed polling; ``export`` = CAP XML and the Atom feed.
"""

from __future__ import annotations

from yingji.auth.permissions import register

register("warnings", {
    "commander": {"read", "create", "update", "delete", "import", "export"},
    "duty_officer": {"read", "create", "update", "import", "export"},
    "department": {"read", "create", "update", "export"},  # own unit's warnings only (row rule)
    "county": {"read", "create", "update", "export"},  # inside the county only (row rule)
    "viewer": {"read", "export"},
})
