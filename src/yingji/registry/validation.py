"""Cross-field rules: kind-specific facility capacities, geometry sanity."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from yingji.errors import InvalidField
from yingji.registry.enums import FacilityKind, FireStationClass, HospitalGrade, WarehouseLevel


class _Cap(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class WarehouseCapacity(_Cap):
    level: WarehouseLevel
    area_m2: float = Field(gt=0, description="Floor area, m²")


class ShelterCapacity(_Cap):
    persons: int = Field(ge=0, description="People it can hold")
    area_m2: float = Field(gt=0, description="Usable area, m²")


class IsolationSiteCapacity(_Cap):
    rooms: int = Field(ge=0, description="Isolation rooms")


class HospitalCapacity(_Cap):
    beds: int = Field(ge=0)
    infectious_beds: int = Field(default=0, ge=0, description="Infectious-disease beds")
    icu_beds: int = Field(default=0, ge=0)
    fever_clinic: bool = False
    grade: HospitalGrade = HospitalGrade.ungraded


class FireStationCapacity(_Cap):
    station_class: FireStationClass


class MedicalCentreCapacity(_Cap):
    beds: int = Field(default=0, ge=0)
    ambulances: int = Field(default=0, ge=0)


class SchoolCapacity(_Cap):
    students: int = Field(default=0, ge=0)


class ChemicalParkCapacity(_Cap):
    enterprises: int = Field(default=0, ge=0)
    area_km2: float = Field(default=0, ge=0)


class HelipadCapacity(_Cap):
    pads: int = Field(default=1, ge=1)
    night_capable: bool = False


CAPACITY_MODELS: dict[str, type[_Cap]] = {
    FacilityKind.warehouse: WarehouseCapacity,
    FacilityKind.shelter: ShelterCapacity,
    FacilityKind.isolation_site: IsolationSiteCapacity,
    FacilityKind.hospital: HospitalCapacity,
    FacilityKind.fire_station: FireStationCapacity,
    FacilityKind.medical_centre: MedicalCentreCapacity,
    FacilityKind.school: SchoolCapacity,
    FacilityKind.chemical_park: ChemicalParkCapacity,
    FacilityKind.helipad: HelipadCapacity,
}


def capacity_fields(kind: str) -> dict[str, Any]:
    """The capacity fields of a facility kind (for forms and templates)."""
    model = CAPACITY_MODELS.get(kind)
    return dict(model.model_fields) if model else {}


def validate_capacity(kind: str, capacity: dict[str, Any] | None) -> dict[str, Any]:
    """Validate ``capacity`` for ``kind``; return it normalised or raise InvalidField listing every error."""
    model = CAPACITY_MODELS.get(kind)
    if model is None:
        raise InvalidField("kind", f"unknown facility kind {kind!r}")
    try:
        return model.model_validate(capacity or {}).model_dump(mode="json")
    except ValidationError as exc:
        errors = [(["capacity", *err["loc"]], f"{err['msg']} (kind {kind})") for err in exc.errors()]
        raise InvalidField.many(errors) from None


def validate_facility(values: dict[str, Any]) -> dict[str, Any]:
    values["capacity"] = validate_capacity(values["kind"], values.get("capacity"))
    return values
