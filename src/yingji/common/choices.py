"""Enums with stable lowercase values and their labels (zh, en) and colours beside them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Choice:
    value: str
    zh: str
    en: str
    colour: str = ""


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry labels via the class-level ``LABELS`` table."""

    @classmethod
    def choices(cls) -> list[Choice]:
        labels: dict[str, tuple[str, str, str]] = getattr(cls, "_labels", {})
        return [Choice(m.value, *labels.get(m.value, (m.value, m.value, ""))) for m in cls]

    def label(self, lang: str = "zh-CN") -> str:
        labels: dict[str, tuple[str, str, str]] = getattr(type(self), "_labels", {})
        zh, en, _ = labels.get(self.value, (self.value, self.value, ""))
        return zh if lang.startswith("zh") else en


def set_labels(enum: type[LabelledEnum], table: dict[str, tuple[str, str, str]]) -> None:
    missing = {m.value for m in enum} - set(table)
    if missing:
        raise ValueError(f"labels missing for {enum.__name__}: {sorted(missing)}")
    enum._labels = table  # type: ignore[attr-defined]
