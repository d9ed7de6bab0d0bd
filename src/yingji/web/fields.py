"""Form fields, labels, value display and error mapping for the registry pages.

Everything here is derived from the registry declarations (:mod:`yingji.registry.specs`) and the
Pydantic input schemas, so a new registry or field needs no change to the web code:

* :func:`form_fields` — one :class:`FormField` per field of the registry's *Create* schema, with
  the widget chosen from the annotation (enum → select, list of enums → checkboxes, …) and the
  Chinese/English label from the spec's columns;
* :func:`capacity_fields` — the kind-specific facility capacity inputs (``capacity.<kind>.<name>``);
* :func:`build_values` / :func:`validate` — form data → values → schema and capacity validation,
  with errors keyed by field name (``lat``, ``capacity.beds``) for display beside the inputs;
* :func:`display_value` — a stored value as text in the page language.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Union, get_args, get_origin
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.common.choices import LabelledEnum
from yingji.registry.models import Division, Team, Unit
from yingji.registry.specs import RegistrySpec
from yingji.registry.validation import CAPACITY_MODELS
from yingji.web.i18n import MESSAGES, pick, translate

FormValues = dict[str, list[str]]
"""Submitted or prefilled form values by input name; always lists (checkbox groups have several)."""

_SKIP = {"boundary"}
_TEXTAREAS = {"notes", "duties"}
_LABEL_NOISE = re.compile(r"\s*[（(](JSON|逗号分隔|comma-separated)[)）]|\s*ID$")


@dataclass(frozen=True)
class FormField:
    """One input of a registry form."""

    name: str
    zh: str
    en: str
    widget: str  # text | email | textarea | number | select | checkboxes | checkbox | division | unit | team
    #            capacity | equipment
    required: bool = False
    enum: type[LabelledEnum] | None = None
    step: str = "any"
    choices: tuple[tuple[str, str, str], ...] = field(default=())  # (value, zh, en)

    def label(self, lang: str) -> str:
        return pick(self.zh, self.en, lang)

    def options(self, lang: str) -> list[tuple[str, str]]:
        """(value, label) pairs for enum selects and checkbox groups."""
        if self.enum is None:
            return []
        return [(c.value, pick(c.zh, c.en, lang)) for c in self.enum.choices()]


def _base_type(annotation: Any) -> tuple[Any, bool]:
    """The type inside ``Annotated``/``Optional``/``list``; and whether it was a list."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _base_type(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return _base_type(args[0]) if len(args) == 1 else (annotation, False)
    if origin is list:
        inner, _ = _base_type(get_args(annotation)[0])
        return inner, True
    return annotation, False


def _is_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, LabelledEnum)


def field_enum(spec: RegistrySpec, name: str | None) -> type[LabelledEnum] | None:
    """The enum of a registry field (also of list fields), if it has one."""
    if name is None:
        return None
    info = spec.create.model_fields.get(name)
    if info is None:
        return None
    tp, _ = _base_type(info.annotation)
    return tp if _is_enum(tp) else None


def _clean_label(text: str) -> str:
    return _LABEL_NOISE.sub("", text).strip()


def field_label(spec: RegistrySpec, name: str, lang: str) -> str:
    """The label of a registry field: the spec's column header, else the catalogue, else the name."""
    if name in ("division_code", "parent_code", "unit_id", "team_id"):
        return translate(f"field.{name}", lang)
    for col in spec.columns:
        if col.field == name:
            return _clean_label(pick(col.zh, col.en, lang))
    if f"field.{name}" in MESSAGES:
        return translate(f"field.{name}", lang)
    if name in ("created_at", "updated_at"):
        return translate(f"detail.{name}", lang)
    return name


def _widget(name: str, tp: Any, is_list: bool) -> tuple[str, str]:
    if name == "capacity":
        return "capacity", "any"
    if name == "equipment":
        return "equipment", "any"
    if name in ("division_code", "parent_code"):
        return "division", "any"
    if name == "unit_id":
        return "unit", "1"
    if name == "team_id":
        return "team", "1"
    if _is_enum(tp):
        return ("checkboxes" if is_list else "select"), "any"
    if tp is bool:
        return "checkbox", "any"
    if tp is int:
        return "number", "1"
    if tp is float:
        return "number", "any"
    if name in _TEXTAREAS:
        return "textarea", "any"
    if name == "email" or "email" in getattr(tp, "__name__", "").lower():
        return "email", "any"
    return "text", "any"


def form_fields(spec: RegistrySpec) -> list[FormField]:
    """The inputs of the create/edit form of a registry, in schema order."""
    out: list[FormField] = []
    for name, info in spec.create.model_fields.items():
        if name in _SKIP:
            continue
        tp, is_list = _base_type(info.annotation)
        widget, step = _widget(name, tp, is_list)
        out.append(
            FormField(
                name=name,
                zh=field_label(spec, name, "zh-CN"),
                en=field_label(spec, name, "en"),
                widget=widget,
                required=info.is_required(),
                enum=tp if _is_enum(tp) else None,
                step=step,
            )
        )
    return out


def capacity_fields(kind: str) -> list[FormField]:
    """The capacity inputs of one facility kind (named ``capacity.<kind>.<field>`` in forms)."""
    model = CAPACITY_MODELS.get(kind)
    if model is None:
        return []
    out = []
    for name, info in model.model_fields.items():
        tp, is_list = _base_type(info.annotation)
        widget, step = _widget(name, tp, is_list)
        zh, en = MESSAGES.get(f"cap.{name}", (name, name))
        out.append(
            FormField(
                name=name,
                zh=zh,
                en=en,
                widget=widget,
                required=info.is_required(),
                enum=tp if _is_enum(tp) else None,
                step=step,
            )
        )
    return out


def capacity_input_name(kind: str, name: str) -> str:
    return f"capacity.{kind}.{name}"


# --- values ---------------------------------------------------------------------------------


def _first(data: Mapping[str, Sequence[str]], name: str) -> str:
    values = data.get(name) or [""]
    return str(values[-1]).strip()


def _str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else str(value)
    return str(value)


def record_form_values(spec: RegistrySpec, obj: Any) -> FormValues:
    """Prefill an edit form from a stored record."""
    data: FormValues = {}
    for f in form_fields(spec):
        value = getattr(obj, f.name, None)
        if f.widget == "checkboxes":
            data[f.name] = [str(v) for v in (value or [])]
        elif f.widget == "equipment":
            data[f.name] = [
                "\n".join(f"{item.get('name', '')},{item.get('quantity', 1)}" for item in value or [])
            ]
        elif f.widget == "capacity":
            kind = getattr(obj, "kind", "")
            for cf in capacity_fields(kind):
                data[capacity_input_name(kind, cf.name)] = [_str((value or {}).get(cf.name))]
        else:
            data[f.name] = [_str(value)]
    if spec.pk != "id":
        data[spec.pk] = [_str(getattr(obj, spec.pk))]
    return data


def default_form_values(spec: RegistrySpec) -> FormValues:
    """Prefill a new form with the schema defaults (status in service, …)."""
    data: FormValues = {}
    for name, info in spec.create.model_fields.items():
        if info.is_required():
            continue
        default = info.get_default(call_default_factory=True)
        if default not in (None, [], {}) and not isinstance(default, (list, dict)):
            data[name] = [_str(default)]
    for kind in CAPACITY_MODELS:
        for cf in capacity_fields(kind):
            info = CAPACITY_MODELS[kind].model_fields[cf.name]
            if not info.is_required():
                data[capacity_input_name(kind, cf.name)] = [_str(info.get_default(call_default_factory=True))]
    return data


def _equipment(raw: str) -> list[dict[str, str]]:
    items = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        parts = re.split(r"[,，\t]", line, maxsplit=1)
        quantity = parts[1].strip() if len(parts) > 1 and parts[1].strip() else "1"
        items.append({"name": parts[0].strip(), "quantity": quantity})
    return items


def build_values(spec: RegistrySpec, data: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """Form data → a dict for the Create schema. Empty inputs are left out, so defaults apply."""
    values: dict[str, Any] = {}
    for f in form_fields(spec):
        if f.widget == "checkboxes":
            values[f.name] = [v for v in data.get(f.name, []) if v]
        elif f.widget == "equipment":
            values[f.name] = _equipment(_first(data, f.name))
        elif f.widget == "checkbox":
            values[f.name] = bool(_first(data, f.name))
        elif f.widget == "capacity":
            continue
        else:
            raw = _first(data, f.name)
            if raw != "":
                values[f.name] = raw
    if "capacity" in spec.create.model_fields:
        kind = str(values.get("kind", ""))
        capacity: dict[str, Any] = {}
        for cf in capacity_fields(kind):
            raw = _first(data, capacity_input_name(kind, cf.name))
            if cf.widget == "checkbox":
                capacity[cf.name] = bool(raw)
            elif raw != "":
                capacity[cf.name] = raw
        values["capacity"] = capacity
    return values


# --- errors ---------------------------------------------------------------------------------

Errors = dict[str, str]
"""Error messages by field key: ``lat``, ``capacity.beds``; ``__all__`` for the whole form."""

_TYPE_MESSAGES: dict[str, tuple[str, str | None]] = {
    "missing": ("v.missing", None),
    "greater_than_equal": ("v.ge", "ge"),
    "less_than_equal": ("v.le", "le"),
    "greater_than": ("v.gt", "gt"),
    "less_than": ("v.lt", "lt"),
    "int_parsing": ("v.int", None),
    "int_from_float": ("v.int", None),
    "int_type": ("v.int", None),
    "float_parsing": ("v.float", None),
    "float_type": ("v.float", None),
    "bool_parsing": ("v.bool", None),
    "bool_type": ("v.bool", None),
    "enum": ("v.enum", None),
    "literal_error": ("v.enum", None),
    "string_pattern_mismatch": ("v.pattern", None),
    "string_too_long": ("v.too_long", "max_length"),
    "string_too_short": ("v.empty", None),
    "too_short": ("v.list_too_short", "min_length"),
    "json_invalid": ("v.json", None),
}


def error_key(loc: Sequence[str | int]) -> str:
    """Where an error is shown: ``['capacity', 'beds']`` → ``capacity.beds``, ``['lat']`` → ``lat``."""
    if not loc:
        return "__all__"
    if loc[0] == "body":
        loc = loc[1:]
    if loc and loc[0] == "capacity" and len(loc) > 1:
        return f"capacity.{loc[1]}"
    return str(loc[0]) if loc else "__all__"


def _limit(value: Any) -> str:
    return _str(value)


def pydantic_message(err: Mapping[str, Any], lang: str) -> str:
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    msg = str(err.get("msg", ""))
    if kind == "value_error" and "email" in msg:
        return translate("v.email", lang)
    entry = _TYPE_MESSAGES.get(kind)
    if entry is None:
        return msg
    key, param = entry
    return translate(key, lang, limit=_limit(ctx.get(param))) if param else translate(key, lang)


def _add(errors: Errors, key: str, message: str) -> None:
    errors[key] = f"{errors[key]}；{message}" if key in errors and message not in errors[key] else message


def validation_errors(exc: ValidationError, lang: str, *, prefix: Sequence[str] = ()) -> Errors:
    errors: Errors = {}
    for err in exc.errors():
        loc = [*prefix, *err["loc"]]
        message = pydantic_message(err, lang)
        if loc and loc[0] == "equipment" and len(loc) > 1 and isinstance(loc[1], int):
            message = translate("v.line", lang, line=loc[1] + 1, message=message)
        _add(errors, error_key(loc), message)
    return errors


_SERVICE_MESSAGES = (
    (re.compile(r"^unknown division (?P<value>\S+)$"), "v.unknown_division"),
    (re.compile(r"^unknown unit (?P<value>\S+)$"), "v.unknown_unit"),
    (re.compile(r"^unknown team (?P<value>\S+)$"), "v.unknown_team"),
)


def service_message(message: str, lang: str) -> str:
    """Translate the few messages of :class:`~yingji.errors.InvalidField` raised by the service."""
    for pattern, key in _SERVICE_MESSAGES:
        m = pattern.match(message)
        if m:
            return translate(key, lang, **m.groupdict())
    return message


def invalid_field_errors(errors: Iterable[tuple[Sequence[str | int], str]], lang: str) -> Errors:
    out: Errors = {}
    for loc, message in errors:
        _add(out, error_key(loc), service_message(message, lang))
    return out


def validate(spec: RegistrySpec, values: dict[str, Any], lang: str) -> tuple[BaseModel | None, Errors]:
    """Check values with the Create schema and (facilities) the kind's capacity model; collect all errors."""
    errors: Errors = {}
    model: BaseModel | None = None
    try:
        model = spec.create.model_validate(values)
    except ValidationError as exc:
        errors.update(validation_errors(exc, lang))
    kind = values.get("kind")
    if "capacity" in spec.create.model_fields and isinstance(kind, str) and kind in CAPACITY_MODELS:
        try:
            CAPACITY_MODELS[kind].model_validate(values.get("capacity") or {})
        except ValidationError as exc:
            errors.update(validation_errors(exc, lang, prefix=["capacity"]))
    return (None if errors else model), errors


# --- display --------------------------------------------------------------------------------


@dataclass
class Refs:
    """Names of the divisions, units and teams that records refer to."""

    divisions: dict[str, str] = field(default_factory=dict)
    units: dict[int, str] = field(default_factory=dict)
    teams: dict[int, str] = field(default_factory=dict)


def load_refs(session: Session, rows: Iterable[Any]) -> Refs:
    codes: set[str] = set()
    unit_ids: set[int] = set()
    team_ids: set[int] = set()
    for row in rows:
        for attr in ("division_code", "parent_code"):
            value = getattr(row, attr, None)
            if isinstance(value, str):
                codes.add(value)
        unit_id = row.__dict__.get("unit_id") if isinstance(row, Unit) else getattr(row, "unit_id", None)
        if isinstance(unit_id, int):
            unit_ids.add(unit_id)
        team_id = getattr(row, "team_id", None)
        if isinstance(team_id, int):
            team_ids.add(team_id)
    refs = Refs()
    if codes:
        stmt = select(Division.code, Division.name).where(Division.code.in_(codes))
        refs.divisions = dict(session.execute(stmt).all())
    if unit_ids:
        refs.units = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all())
    if team_ids:
        refs.teams = dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids))).all())
    return refs


def enum_label(enum: type[LabelledEnum] | None, value: Any, lang: str) -> str:
    if enum is None:
        return _str(value)
    for c in enum.choices():
        if c.value == value:
            return pick(c.zh, c.en, lang)
    return _str(value)


def _capacity_text(kind: str, capacity: Mapping[str, Any], lang: str) -> str:
    parts = []
    fields_ = {cf.name: cf for cf in capacity_fields(kind)}
    for name, value in capacity.items():
        cf = fields_.get(name)
        label = cf.label(lang) if cf else name
        if isinstance(value, bool):
            text = translate("bool.true" if value else "bool.false", lang)
        else:
            text = enum_label(cf.enum if cf else None, value, lang)
        parts.append(f"{label} {text}")
    return "；".join(parts) if lang.startswith("zh") else "; ".join(parts)


def display_value(
    spec: RegistrySpec, name: str, obj: Any, refs: Refs, lang: str, tz: str = "Asia/Shanghai"
) -> str:
    """A record's field as text: enum labels, reference names, local times, capacities."""
    value = getattr(obj, name, None)
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if name in ("division_code", "parent_code"):
        label = refs.divisions.get(value)
        if label is None:
            return str(value)
        return f"{label}（{value}）" if lang.startswith("zh") else f"{label} ({value})"
    if name == "unit_id" and spec.name != "units":
        return refs.units.get(value, f"#{value}")
    if name == "team_id":
        return refs.teams.get(value, f"#{value}")
    if name == "capacity" and isinstance(value, Mapping):
        return _capacity_text(getattr(obj, "kind", ""), value, lang)
    if name == "equipment" and isinstance(value, list):
        return "、".join(f"{item.get('name')} × {item.get('quantity', 1)}" for item in value)
    if isinstance(value, datetime):
        try:
            return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
        except (KeyError, ValueError):
            return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, bool):
        return translate("bool.true" if value else "bool.false", lang)
    enum = field_enum(spec, name)
    if isinstance(value, list):
        sep = "、" if lang.startswith("zh") else ", "
        return sep.join(enum_label(enum, v, lang) for v in value)
    if enum is not None:
        return enum_label(enum, value, lang)
    return _str(value)


def list_columns(spec: RegistrySpec, limit: int = 8) -> list[str]:
    """The fields shown as columns of a registry's list page."""
    names = [c.field for c in spec.columns if c.kind != "json" and c.field not in ("lon", "lat")]
    return names[:limit]
