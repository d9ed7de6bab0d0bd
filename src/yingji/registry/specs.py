"""One declaration per registry: its table, schemas, filters, natural key and spreadsheet columns.

The generic service, router, spreadsheet import/export, web pages and the contract test base all
read these declarations, so adding a registry means adding one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from yingji.db.base import Base
from yingji.registry import models as m
from yingji.registry import schemas as s
from yingji.registry.validation import validate_facility


@dataclass(frozen=True)
class Column:
    """A spreadsheet / form column: field name, Chinese and English headers, value kind."""

    field: str
    zh: str
    en: str
    kind: str = "str"  # str | int | float | bool | list | json | enum
    required: bool = False


@dataclass(frozen=True)
class RegistrySpec:
    name: str
    zh: str
    en: str
    model: type[Base]
    create: type[BaseModel]
    update: type[BaseModel]
    read: type[BaseModel]
    pk: str = "id"
    search: tuple[str, ...] = ("name",)
    kind_field: str | None = None
    status_field: str | None = None
    located: bool = False
    natural_key: tuple[str, ...] = ("name", "division_code")
    columns: tuple[Column, ...] = ()
    validate: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    map_properties: tuple[str, ...] = field(default=("name",))

    @property
    def division_attr(self) -> str:
        return "code" if self.name == "divisions" else "division_code"


_loc = (Column("lon", "经度", "Longitude", "float"), Column("lat", "纬度", "Latitude", "float"))

DIVISIONS = RegistrySpec(
    name="divisions", zh="行政区划", en="Divisions", model=m.Division,
    create=s.DivisionCreate, update=s.DivisionUpdate, read=s.DivisionRead,
    pk="code", search=("name", "code", "name_en"), kind_field="level", located=True,
    natural_key=("code",),
    columns=(
        Column("code", "区划代码", "Code", required=True), Column("name", "名称", "Name", required=True),
        Column("name_en", "英文名称", "English name"), Column("level", "级别", "Level", "enum", True),
        Column("parent_code", "上级代码", "Parent code"), Column("population", "人口", "Population", "int"),
        Column("area_km2", "面积(km²)", "Area (km²)", "float"),
        Column("gdp_100m_yuan", "GDP(亿元)", "GDP (100M yuan)", "float"), *_loc,
    ),
    map_properties=("name", "code", "level", "population"),
)

UNITS = RegistrySpec(
    name="units", zh="单位", en="Units", model=m.Unit,
    create=s.UnitCreate, update=s.UnitUpdate, read=s.UnitRead,
    search=("name", "short_name", "address"), kind_field="kind", located=True, natural_key=("name",),
    columns=(
        Column("name", "单位名称", "Name", required=True), Column("short_name", "简称", "Short name"),
        Column("kind", "类型", "Kind", "enum", True), Column("division_code", "区划代码", "Division", required=True),
        Column("phone", "电话", "Phone"), Column("address", "地址", "Address"), *_loc,
    ),
    map_properties=("name", "kind"),
)

CONTACTS = RegistrySpec(
    name="contacts", zh="通讯录", en="Contacts", model=m.Contact,
    create=s.ContactCreate, update=s.ContactUpdate, read=s.ContactRead,
    search=("name", "title", "duties", "phone_mobile"), natural_key=("name", "unit_id"),
    columns=(
        Column("name", "姓名", "Name", required=True), Column("unit_id", "单位ID", "Unit ID", "int"),
        Column("division_code", "区划代码", "Division", required=True), Column("title", "职务", "Title"),
        Column("duties", "职责", "Duties"), Column("phone_mobile", "手机", "Mobile"),
        Column("phone_office", "办公电话", "Office phone"), Column("email", "电子邮箱", "E-mail"),
    ),
)

FACILITIES = RegistrySpec(
    name="facilities", zh="设施场所", en="Facilities", model=m.Facility,
    create=s.FacilityCreate, update=s.FacilityUpdate, read=s.FacilityRead,
    search=("name", "address"), kind_field="kind", status_field="status", located=True,
    columns=(
        Column("name", "名称", "Name", required=True), Column("kind", "类型", "Kind", "enum", True),
        Column("status", "状态", "Status", "enum"), Column("division_code", "区划代码", "Division", required=True),
        Column("unit_id", "管理单位ID", "Unit ID", "int"), Column("address", "地址", "Address"),
        Column("phone", "电话", "Phone"), Column("lon", "经度", "Longitude", "float", True),
        Column("lat", "纬度", "Latitude", "float", True),
        Column("capacity", "容量(JSON)", "Capacity (JSON)", "json"), Column("notes", "备注", "Notes"),
    ),
    validate=validate_facility,
    map_properties=("name", "kind", "status", "capacity"),
)

TEAMS = RegistrySpec(
    name="teams", zh="救援队伍", en="Rescue teams", model=m.Team,
    create=s.TeamCreate, update=s.TeamUpdate, read=s.TeamRead,
    search=("name", "leader"), kind_field="kind", status_field="status", located=True,
    columns=(
        Column("name", "队伍名称", "Name", required=True), Column("kind", "类别", "Kind", "enum", True),
        Column("specialty", "专业", "Specialty", "enum", True), Column("level", "级别", "Level", "enum", True),
        Column("headcount", "人数", "Headcount", "int"),
        Column("capabilities", "能力(逗号分隔)", "Capabilities (comma-separated)", "list"),
        Column("equipment", "装备(JSON)", "Equipment (JSON)", "json"), Column("status", "状态", "Status", "enum"),
        Column("division_code", "区划代码", "Division", required=True),
        Column("unit_id", "所属单位ID", "Unit ID", "int"), Column("leader", "负责人", "Leader"),
        Column("phone", "电话", "Phone"), Column("lon", "经度", "Longitude", "float", True),
        Column("lat", "纬度", "Latitude", "float", True),
    ),
    map_properties=("name", "kind", "specialty", "status", "headcount"),
)

EXPERTS = RegistrySpec(
    name="experts", zh="专家", en="Experts", model=m.Expert,
    create=s.ExpertCreate, update=s.ExpertUpdate, read=s.ExpertRead,
    search=("name", "title"), status_field="availability", located=True, natural_key=("name", "unit_id"),
    columns=(
        Column("name", "姓名", "Name", required=True),
        Column("specialties", "专业(逗号分隔)", "Specialties (comma-separated)", "list", True),
        Column("title", "职称", "Title"), Column("unit_id", "单位ID", "Unit ID", "int"),
        Column("division_code", "区划代码", "Division", required=True),
        Column("phone_mobile", "手机", "Mobile"), Column("phone_office", "办公电话", "Office phone"),
        Column("availability", "状态", "Availability", "enum"), *_loc,
    ),
    map_properties=("name", "specialties", "availability"),
)

VEHICLES = RegistrySpec(
    name="vehicles", zh="车辆装备", en="Vehicles & equipment", model=m.Vehicle,
    create=s.VehicleCreate, update=s.VehicleUpdate, read=s.VehicleRead,
    search=("name", "plate"), kind_field="type", status_field="status", located=True,
    natural_key=("name", "division_code"),
    columns=(
        Column("name", "名称", "Name", required=True), Column("category", "类别", "Category", "enum"),
        Column("type", "类型", "Type", "enum", True), Column("plate", "车牌", "Plate"),
        Column("capacity_value", "容量", "Capacity", "float"), Column("capacity_unit", "容量单位", "Capacity unit"),
        Column("unit_id", "所属单位ID", "Unit ID", "int"), Column("team_id", "所属队伍ID", "Team ID", "int"),
        Column("division_code", "区划代码", "Division", required=True), Column("status", "状态", "Status", "enum"),
        *_loc,
    ),
    map_properties=("name", "type", "status", "plate"),
)

REGISTRIES: dict[str, RegistrySpec] = {
    spec.name: spec for spec in (DIVISIONS, UNITS, CONTACTS, FACILITIES, TEAMS, EXPERTS, VEHICLES)
}
