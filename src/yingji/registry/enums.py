"""Registry enumerations. Values are stable identifiers; labels and colours sit beside them."""

from __future__ import annotations

from yingji.common.choices import LabelledEnum, set_labels


class DivisionLevel(LabelledEnum):
    province = "province"
    city = "city"
    county = "county"
    township = "township"


set_labels(
    DivisionLevel,
    {
        "province": ("省", "Province", ""),
        "city": ("市", "City", ""),
        "county": ("县（市、区）", "County", ""),
        "township": ("乡镇（街道）", "Township", ""),
    },
)


class UnitKind(LabelledEnum):
    department = "department"
    county_government = "county_government"
    enterprise = "enterprise"
    hospital = "hospital"
    operator = "operator"
    team_organisation = "team_organisation"
    other = "other"


set_labels(
    UnitKind,
    {
        "department": ("政府部门", "Government department", ""),
        "county_government": ("县级政府", "County government", ""),
        "enterprise": ("企业", "Enterprise", ""),
        "hospital": ("医疗机构", "Hospital", ""),
        "operator": ("运营单位", "Operator", ""),
        "team_organisation": ("救援组织", "Rescue organisation", ""),
        "other": ("其他", "Other", ""),
    },
)


class FacilityKind(LabelledEnum):
    warehouse = "warehouse"
    shelter = "shelter"
    isolation_site = "isolation_site"
    hospital = "hospital"
    fire_station = "fire_station"
    medical_centre = "medical_centre"
    school = "school"
    chemical_park = "chemical_park"
    helipad = "helipad"


set_labels(
    FacilityKind,
    {
        "warehouse": ("应急物资储备库", "Reserve depot", "#8c564b"),
        "shelter": ("避难场所", "Shelter", "#2ca02c"),
        "isolation_site": ("集中隔离场所", "Isolation site", "#9467bd"),
        "hospital": ("医院", "Hospital", "#d62728"),
        "fire_station": ("消防站", "Fire station", "#ff7f0e"),
        "medical_centre": ("紧急医学救援中心", "Emergency medical centre", "#e377c2"),
        "school": ("学校", "School", "#17becf"),
        "chemical_park": ("化工园区", "Chemical park", "#7f7f7f"),
        "helipad": ("直升机起降点", "Helipad", "#1f77b4"),
    },
)


class FacilityStatus(LabelledEnum):
    in_service = "in_service"
    out_of_service = "out_of_service"
    under_construction = "under_construction"


set_labels(
    FacilityStatus,
    {
        "in_service": ("在用", "In service", "#2ca02c"),
        "out_of_service": ("停用", "Out of service", "#7f7f7f"),
        "under_construction": ("在建", "Under construction", "#ff7f0e"),
    },
)


class TeamKind(LabelledEnum):
    fire_rescue = "fire_rescue"
    professional = "professional"
    enterprise = "enterprise"
    volunteer = "volunteer"


set_labels(
    TeamKind,
    {
        "fire_rescue": ("综合性消防救援队伍", "Fire and rescue", "#d62728"),
        "professional": ("专业应急救援队伍", "Professional", "#1f77b4"),
        "enterprise": ("企业专职救援队伍", "Enterprise", "#7f7f7f"),
        "volunteer": ("社会救援力量", "Volunteer", "#2ca02c"),
    },
)


class Specialty(LabelledEnum):
    fire = "fire"
    hazmat = "hazmat"
    flood = "flood"
    mine = "mine"
    medical = "medical"
    road = "road"
    power = "power"
    telecom = "telecom"
    forest_fire = "forest_fire"
    earthquake = "earthquake"
    water_rescue = "water_rescue"
    epidemic = "epidemic"
    geological = "geological"
    general = "general"


set_labels(
    Specialty,
    {
        "fire": ("灭火救援", "Firefighting", ""),
        "hazmat": ("危化品", "Hazardous materials", ""),
        "flood": ("防汛抗洪", "Flood control", ""),
        "mine": ("矿山救援", "Mine rescue", ""),
        "medical": ("紧急医学救援", "Emergency medical", ""),
        "road": ("道路抢通", "Road repair", ""),
        "power": ("电力抢修", "Power repair", ""),
        "telecom": ("通信保障", "Telecommunications", ""),
        "forest_fire": ("森林灭火", "Forest fire", ""),
        "earthquake": ("地震救援", "Earthquake rescue", ""),
        "water_rescue": ("水域救援", "Water rescue", ""),
        "epidemic": ("传染病防控", "Epidemic control", ""),
        "geological": ("地质灾害", "Geological hazards", ""),
        "general": ("综合", "General", ""),
    },
)


class TeamLevel(LabelledEnum):
    city = "city"
    county = "county"
    township = "township"
    enterprise = "enterprise"
    community = "community"


set_labels(
    TeamLevel,
    {
        "city": ("市级", "City", ""),
        "county": ("县级", "County", ""),
        "township": ("乡镇级", "Township", ""),
        "enterprise": ("企业级", "Enterprise", ""),
        "community": ("社区级", "Community", ""),
    },
)


class ResourceStatus(LabelledEnum):
    available = "available"
    deployed = "deployed"
    off_duty = "off_duty"


set_labels(
    ResourceStatus,
    {
        "available": ("待命", "Available", "#2ca02c"),
        "deployed": ("出动中", "Deployed", "#d62728"),
        "off_duty": ("休整", "Off duty", "#7f7f7f"),
    },
)


class ExpertAvailability(LabelledEnum):
    available = "available"
    busy = "busy"
    unavailable = "unavailable"


set_labels(
    ExpertAvailability,
    {
        "available": ("可联系", "Available", "#2ca02c"),
        "busy": ("任务中", "Busy", "#ff7f0e"),
        "unavailable": ("不可用", "Unavailable", "#7f7f7f"),
    },
)


class VehicleCategory(LabelledEnum):
    vehicle = "vehicle"
    equipment = "equipment"


set_labels(
    VehicleCategory,
    {"vehicle": ("车辆", "Vehicle", ""), "equipment": ("装备", "Equipment", "")},
)


class VehicleType(LabelledEnum):
    fire_engine = "fire_engine"
    ladder_truck = "ladder_truck"
    hazmat_unit = "hazmat_unit"
    ambulance = "ambulance"
    rescue_truck = "rescue_truck"
    command_vehicle = "command_vehicle"
    comms_vehicle = "comms_vehicle"
    cargo_truck = "cargo_truck"
    bus = "bus"
    excavator = "excavator"
    pump = "pump"
    generator = "generator"
    boat = "boat"
    drone = "drone"
    other = "other"


set_labels(
    VehicleType,
    {
        "fire_engine": ("水罐/泡沫消防车", "Fire engine", ""),
        "ladder_truck": ("登高平台消防车", "Aerial ladder", ""),
        "hazmat_unit": ("危化品救援车", "Hazmat unit", ""),
        "ambulance": ("救护车", "Ambulance", ""),
        "rescue_truck": ("抢险救援车", "Rescue truck", ""),
        "command_vehicle": ("应急指挥车", "Command vehicle", ""),
        "comms_vehicle": ("通信保障车", "Communications vehicle", ""),
        "cargo_truck": ("物资运输车", "Cargo truck", ""),
        "bus": ("客车", "Bus", ""),
        "excavator": ("挖掘机", "Excavator", ""),
        "pump": ("排涝泵", "Pump", ""),
        "generator": ("发电机组", "Generator", ""),
        "boat": ("冲锋舟", "Boat", ""),
        "drone": ("无人机", "Drone", ""),
        "other": ("其他", "Other", ""),
    },
)


class WarehouseLevel(LabelledEnum):
    city = "city"
    county = "county"


set_labels(WarehouseLevel, {"city": ("市级", "City", ""), "county": ("县级", "County", "")})


class FireStationClass(LabelledEnum):
    standard_1 = "standard_1"
    standard_2 = "standard_2"
    small = "small"
    special = "special"
    combat_support = "combat_support"


set_labels(
    FireStationClass,
    {
        "standard_1": ("一级普通消防站", "Class 1 standard", ""),
        "standard_2": ("二级普通消防站", "Class 2 standard", ""),
        "small": ("小型普通消防站", "Small standard", ""),
        "special": ("特勤消防站", "Special service", ""),
        "combat_support": ("战勤保障消防站", "Combat support", ""),
    },
)


class HospitalGrade(LabelledEnum):
    grade_3a = "grade_3a"
    grade_3 = "grade_3"
    grade_2a = "grade_2a"
    grade_2 = "grade_2"
    grade_1 = "grade_1"
    ungraded = "ungraded"


set_labels(
    HospitalGrade,
    {
        "grade_3a": ("三级甲等", "Tertiary A", ""),
        "grade_3": ("三级", "Tertiary", ""),
        "grade_2a": ("二级甲等", "Secondary A", ""),
        "grade_2": ("二级", "Secondary", ""),
        "grade_1": ("一级", "Primary", ""),
        "ungraded": ("未定级", "Ungraded", ""),
    },
)
