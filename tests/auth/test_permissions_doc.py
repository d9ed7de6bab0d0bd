"""docs/permissions.md prints the permission matrix; it must say exactly what ``MATRIX`` says."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from yingji.auth.enums import Role
from yingji.auth.permissions import ACTIONS, MATRIX, RESOURCES

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
_HEADING = re.compile(r"^###\s+`?([a-z_]+)`?\s*$")
_MARKS = {"✓": True, "—": False}


def _cells(line: str) -> list[str]:
    return [c.strip().strip("`") for c in line.strip().strip("|").split("|")]


def parse_matrix(text: str) -> dict[str, dict[str, set[str]]]:
    """Read the per-resource tables under '## Matrix': {role: {resource: {action, ...}}}."""
    section = text.split("\n## Matrix", 1)[1].split("\n## ", 1)[0]
    matrix: dict[str, dict[str, set[str]]] = {}
    resource: str | None = None
    header: list[str] | None = None
    for line in section.splitlines():
        if m := _HEADING.match(line):
            resource, header = m.group(1), None
            continue
        if not line.startswith("|") or resource is None:
            continue
        cells = _cells(line)
        if header is None:
            header = cells
            assert header[0] == "role" and set(ACTIONS) <= set(header[1:]), line
            continue
        if set(cells[1:]) <= {"---", ":-:", ":--", "--:"}:
            continue
        role, marks = cells[0], cells[1:]
        assert len(marks) == len(header) - 1 and set(marks) <= set(_MARKS), f"bad row: {line}"
        matrix.setdefault(role, {})[resource] = {a for a, mark in zip(header[1:], marks, strict=True)
                                                 if _MARKS[mark]}
    return matrix


def _load_every_domain() -> None:
    """Domains add their resources to ``MATRIX`` when imported (``permissions.register``)."""
    from yingji.api.app import domain_routers
    from yingji.db.models import domain_modules

    for name in domain_modules("permissions"):
        importlib.import_module(name)
    domain_routers()


def render_matrix() -> str:
    """The '## Matrix' tables as they should read for the current ``MATRIX`` (every domain loaded)."""
    _load_every_domain()
    out = []
    for res in MATRIX[Role.admin]:
        actions = [*ACTIONS, *sorted(set().union(*(MATRIX[r][res] for r in Role)) - set(ACTIONS))]
        out += [f"### `{res}`", "", "| role | " + " | ".join(actions) + " |",
                "| --- | " + " | ".join(":-:" for _ in actions) + " |"]
        for role in Role:
            marks = ["✓" if a in MATRIX[role][res] else "—" for a in actions]
            out.append(f"| `{role.value}` | " + " | ".join(marks) + " |")
        out.append("")
    return "\n".join(out)


def test_doc_matrix_equals_code_matrix() -> None:
    _load_every_domain()
    documented = parse_matrix(DOC.read_text(encoding="utf-8"))
    in_code = {str(role): {res: set(actions) for res, actions in by_res.items()} for role, by_res in MATRIX.items()}
    assert documented == in_code, (
        "docs/permissions.md and MATRIX differ; the tables for the current MATRIX are printed by "
        "`.venv/bin/python tests/auth/test_permissions_doc.py`"
    )


def test_matrix_covers_every_role_and_resource() -> None:
    _load_every_domain()
    assert set(MATRIX) == set(Role)
    resources = set(MATRIX[Role.admin])
    assert set(RESOURCES) <= resources
    for by_res in MATRIX.values():
        assert set(by_res) == resources


def test_doc_states_the_row_rules() -> None:
    text = DOC.read_text(encoding="utf-8")
    rules = text.split("\n## Row rules", 1)[1]
    for phrase in ("Division scope", "404", "403", "Own unit", "unit_id", "GB/T 2260", "admin"):
        assert phrase in rules, phrase


if __name__ == "__main__":
    print(render_matrix())
