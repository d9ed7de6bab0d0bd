"""Roles."""

from __future__ import annotations

from yingji.common.choices import LabelledEnum, set_labels


class Role(LabelledEnum):
    admin = "admin"
    commander = "commander"
    duty_officer = "duty_officer"
    department = "department"
    county = "county"
    viewer = "viewer"


set_labels(
    Role,
    {
        "admin": ("系统管理员", "Administrator", ""),
        "commander": ("指挥长", "Commander", ""),
        "duty_officer": ("值班员", "Duty officer", ""),
        "department": ("部门用户", "Department", ""),
        "county": ("县级用户", "County", ""),
        "viewer": ("只读用户", "Viewer", ""),
    },
)
