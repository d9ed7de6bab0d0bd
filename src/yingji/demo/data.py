"""The deterministic synthetic demo city: 聊城市 (Liaocheng, Shandong) and its eight county-level divisions.

``demo_city()`` returns plain dicts, one list per registry, ready to be loaded in order:
divisions → units → contacts → facilities → teams → experts → vehicles → users.

Each dict validates against the registry's ``*Create`` schema except that references are by
natural key, because ids do not exist yet:

* ``unit`` (the unit's exact name, or ``None``) instead of ``unit_id`` — contacts, facilities,
  teams, experts, vehicles, users;
* ``team`` (the team's exact name, or ``None``) instead of ``team_id`` — vehicles.

Team names are unique city-wide, so a name resolves a team; natural keys for uniqueness are units
by name, facilities/teams/vehicles by ``(name, division_code)``, contacts/experts by ``(name, unit)``.

Provenance. Division codes (GB/T 2260), names and seat coordinates are real; populations, areas
and GDP are rounded approximations of 2020 figures (counties sum exactly to the city).
The municipal units are those the 2021 action plan (the seed) names as 牵头单位/负责单位.
Everything else — people, phone numbers, plates, capacities, positions, the infectious-disease
hospital, the chemical-park names — is synthetic: label it so wherever it is shown.
Positions are jittered around county seats and kept nearer their own seat than any other, inside
a rough per-county box; there are no boundaries here (``boundary`` is left ``None``).

Randomness comes only from ``random.Random`` seeded with ``SEED + k`` (one stream per section),
so a change in one section does not reshuffle the others, and there is no time dependence.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, fields
from typing import Any

Record = dict[str, Any]

SEED = 20201
CITY_CODE = "371500"
CITY_NAME = "聊城市"
SYNTHETIC_NOTE = "合成演示数据：名称、位置与容量为虚构或近似值，非真实台账。"


# ---- divisions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class County:
    code: str
    name: str
    name_en: str
    population: int
    area_km2: float
    gdp_100m_yuan: float
    lon: float
    lat: float
    # Rough (min_lon, min_lat, max_lon, max_lat) used only to keep jittered points plausible,
    # e.g. east of the Wei River border at Linqing.
    bbox: tuple[float, float, float, float]


COUNTIES: tuple[County, ...] = (
    County("371502", "东昌府区", "Dongchangfu District", 1_298_000, 1255.0, 556.0, 115.985, 36.457,
           (115.75, 36.25, 116.20, 36.62)),
    County("371503", "茌平区", "Chiping District", 555_000, 1116.0, 330.0, 116.255, 36.580,
           (116.05, 36.45, 116.50, 36.75)),
    County("371521", "阳谷县", "Yanggu County", 763_000, 1064.0, 260.0, 115.791, 36.114,
           (115.60, 35.95, 116.05, 36.25)),
    County("371522", "莘县", "Shen County", 962_000, 1416.0, 250.0, 115.671, 36.234,
           (115.35, 35.95, 115.85, 36.40)),
    County("371524", "东阿县", "Dong'e County", 389_000, 799.0, 180.0, 116.248, 36.335,
           (116.05, 36.10, 116.40, 36.45)),
    County("371525", "冠县", "Guan County", 768_000, 1161.0, 200.0, 115.442, 36.484,
           (115.25, 36.30, 115.70, 36.65)),
    County("371526", "高唐县", "Gaotang County", 482_000, 949.0, 230.0, 116.231, 36.866,
           (116.05, 36.75, 116.45, 37.00)),
    County("371581", "临清市", "Linqing City", 735_000, 955.0, 310.0, 115.705, 36.838,
           (115.69, 36.65, 116.00, 36.95)),
)
COUNTY_BY_CODE: dict[str, County] = {c.code: c for c in COUNTIES}
COUNTY_BY_NAME: dict[str, County] = {c.name: c for c in COUNTIES}
CITY_SEAT: tuple[float, float] = (COUNTIES[0].lon, COUNTIES[0].lat)  # 东昌府区

# The county (371525 冠县) whose isolation rooms fall short of the 400-room target on purpose.
SHORT_ISOLATION_COUNTY = "371525"


# ---- units -------------------------------------------------------------------------------

# Every municipal body the seed names as 牵头单位 or 负责单位, in order of first mention.
# (The seed's "各基础电信运营企业" is represented by the telecom operators below.)
SEED_UNITS: tuple[str, ...] = (
    "市委编办", "市委网信办", "市发展改革委", "市卫生健康委", "市应急局", "市公安局", "市水利局",
    "市自然资源和规划局", "市财政局", "市大数据局", "市消防救援支队", "市工业和信息化局",
    "市农业农村局", "市气象局", "市生态环境局", "聊城黄河河务局", "市住房城乡建设局", "市城管局",
    "市交通运输局", "济南铁路局集团有限公司聊城工务段", "济南铁路局集团有限公司聊城车务段",
    "市教育体育局", "市文化和旅游局", "市化工产业安全生产转型升级专项行动领导小组办公室",
    "市邮政管理局", "市地震监测中心", "市商务投资促进局", "市市场监管局", "市科技局", "市医保局",
    "市司法局", "市中级人民法院", "市检察院", "市委宣传部", "市民政局", "市广播电视台",
)
_SHORT_NAMES: dict[str, str] = {
    "市发展改革委": "市发改委",
    "市卫生健康委": "市卫健委",
    "市自然资源和规划局": "市自然资源局",
    "市消防救援支队": "消防支队",
    "市工业和信息化局": "市工信局",
    "聊城黄河河务局": "黄河河务局",
    "市住房城乡建设局": "市住建局",
    "济南铁路局集团有限公司聊城工务段": "聊城工务段",
    "济南铁路局集团有限公司聊城车务段": "聊城车务段",
    "市化工产业安全生产转型升级专项行动领导小组办公室": "市化工专项办",
    "市商务投资促进局": "市商务局",
}
OPERATORS: tuple[str, ...] = (
    "国网聊城供电公司", "中国移动聊城分公司", "中国联通聊城分公司", "中国电信聊城分公司",
)
TELECOM_OPERATORS: tuple[str, ...] = OPERATORS[1:]
VOLUNTEER_ORG = "聊城市水城公益救援协会"
UNIVERSITY = "聊城大学"


def county_government(code: str) -> str:
    return f"{COUNTY_BY_CODE[code].name}人民政府"


def county_bureau(code: str) -> str:
    return f"{COUNTY_BY_CODE[code].name}应急管理局"


@dataclass(frozen=True)
class _Hospital:
    name: str
    county: str  # where it stands
    city_level: bool  # a municipal hospital (unit division 371500)
    grade: str
    beds: int
    icu_beds: int
    infectious_beds: int
    fever_clinic: bool
    ambulances: int
    note: str | None = None


HOSPITALS: tuple[_Hospital, ...] = (
    _Hospital("聊城市人民医院", "371502", True, "grade_3a", 3600, 180, 60, True, 2),
    _Hospital("聊城市中医医院", "371502", True, "grade_3a", 1500, 40, 0, True, 1),
    _Hospital("聊城市传染病医院", "371502", True, "grade_3", 500, 30, 320, True, 2,
              "合成演示数据：市级传染病医院为虚构设定，床位数用于演示“全市传染病床位≥600张”指标。"),
    _Hospital("东昌府区人民医院", "371502", False, "grade_2a", 800, 20, 20, True, 1),
    _Hospital("茌平区人民医院", "371503", False, "grade_2a", 900, 22, 30, True, 1),
    _Hospital("茌平区中医医院", "371503", False, "grade_2a", 420, 6, 0, True, 0),
    _Hospital("阳谷县人民医院", "371521", False, "grade_3", 1100, 30, 36, True, 1),
    _Hospital("阳谷县中医医院", "371521", False, "grade_2a", 500, 8, 0, False, 0),
    _Hospital("莘县人民医院", "371522", False, "grade_3", 1200, 30, 40, True, 1),
    _Hospital("莘县中医医院", "371522", False, "grade_2a", 560, 8, 0, True, 0),
    _Hospital("东阿县人民医院", "371524", False, "grade_2a", 700, 16, 24, True, 1),
    _Hospital("东阿县中医医院", "371524", False, "grade_2a", 320, 4, 0, False, 0),
    _Hospital("冠县人民医院", "371525", False, "grade_2a", 900, 20, 30, True, 1),
    _Hospital("冠县中医医院", "371525", False, "grade_2a", 450, 6, 0, True, 0),
    _Hospital("高唐县人民医院", "371526", False, "grade_2a", 800, 18, 28, True, 1),
    _Hospital("高唐县中医医院", "371526", False, "grade_2a", 380, 4, 0, True, 0),
    _Hospital("聊城市第二人民医院", "371581", True, "grade_3a", 1600, 60, 40, True, 1),
    _Hospital("临清市人民医院", "371581", False, "grade_2a", 700, 16, 20, True, 1),
)
COUNTY_HOSPITAL: dict[str, str] = {
    c.code: ("东昌府区人民医院" if c.code == "371502" else f"{c.name}人民医院") for c in COUNTIES
}


@dataclass(frozen=True)
class _ChemicalPark:
    name: str
    unit: str
    short: str
    county: str
    enterprises: int
    area_km2: float


CHEMICAL_PARKS: tuple[_ChemicalPark, ...] = (
    _ChemicalPark("聊城化工产业园区", "聊城化工产业园区管理委员会", "聊城化工园区管委会", "371503", 38, 12.5),
    _ChemicalPark("阳谷祥光生态工业园", "阳谷祥光生态工业园管理委员会", "祥光园区管委会", "371521", 24, 9.8),
    _ChemicalPark("莘县化工产业园", "莘县化工产业园管理委员会", "莘县化工园区管委会", "371522", 31, 8.2),
)

# ---- name, phone and plate pools ------------------------------------------------------------

_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶贺顾毛郝龚邵万钱严武戴孔"
)
_GIVEN_1 = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚鹏辉玲健斌波宁峰亮浩凯琳晶欣莉婷雪华东梅红"
_GIVEN_2 = (
    "建国", "建华", "志强", "海燕", "红梅", "立新", "文静", "晓东", "春雷", "宏伟", "振华", "玉兰", "国庆",
    "学军", "俊杰", "雪梅", "海涛", "永强", "秀云", "丽娟", "卫东", "庆华", "新民", "书文",
    "德胜", "爱民", "保国", "金凤", "树林", "继承", "光明", "晓燕", "志刚", "文博", "思远", "梦琪", "子轩",
    "雨桐", "浩然", "欣怡", "一鸣", "天宇", "佳琪", "明轩", "嘉怡", "立伟", "广田", "长青", "运河", "东升",
)
_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "156", "157", "158", "159", "177", "180", "182", "183", "185", "186", "187", "188", "189",
)
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O
_CITY_STREETS = (
    "东昌东路", "东昌西路", "柳园南路", "柳园北路", "花园南路", "花园北路", "兴华东路", "兴华西路",
    "振兴东路", "振兴西路", "湖南东路", "建设东路", "光岳南路", "昌润北路", "黄河路", "长江路",
)
_COUNTY_STREETS = (
    "人民路", "振兴路", "建设路", "文化路", "新华路", "迎宾路", "府前街", "工业路", "育才路", "光明路",
    "胜利路", "和平路",
)


def _dist_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Equirectangular distance, km (good to well under 1 % at city scale)."""
    k = math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot((lon2 - lon1) * 111.320 * k, (lat2 - lat1) * 110.574)


def nearest_county(lon: float, lat: float) -> County:
    """The county whose seat is nearest (lon, lat)."""
    return min(COUNTIES, key=lambda c: _dist_km(lon, lat, c.lon, c.lat))


_SEAT_SPACING: dict[str, float] = {
    c.code: min(_dist_km(c.lon, c.lat, o.lon, o.lat) for o in COUNTIES if o is not c) for c in COUNTIES
}


class _Pools:
    """Values that must be unique across the whole city: names of people, phones, plates."""

    def __init__(self) -> None:
        self.people: set[str] = set()
        self.mobiles: set[str] = set()
        self.offices: set[str] = set()
        self.plates: set[str] = set()


class _Gen:
    """A seeded random stream plus the shared uniqueness pools."""

    def __init__(self, seed: int, pools: _Pools) -> None:
        self.rng = random.Random(seed)
        self.pools = pools

    def person(self) -> str:
        rng = self.rng
        while True:
            given = rng.choice(_GIVEN_1) if rng.random() < 0.35 else rng.choice(_GIVEN_2)
            name = rng.choice(_SURNAMES) + given
            if name not in self.pools.people:
                self.pools.people.add(name)
                return name

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.pools.mobiles:
                self.pools.mobiles.add(number)
                return number

    def office(self) -> str:
        """An office line in Liaocheng (area code 0635)."""
        while True:
            number = f"0635-{self.rng.choice('2568')}{self.rng.randrange(10**6):06d}"
            if number not in self.pools.offices:
                self.pools.offices.add(number)
                return number

    def plate(self) -> str:
        """A 鲁P (Liaocheng) plate: one letter or digit then four digits, unique city-wide."""
        while True:
            first = self.rng.choice(_PLATE_LETTERS + "0123456789")
            plate = f"鲁P·{first}{self.rng.randrange(10**4):04d}"
            if plate not in self.pools.plates:
                self.pools.plates.add(plate)
                return plate

    def address(self, county: County, *, city: bool = False) -> str:
        if city:
            return f"聊城市东昌府区{self.rng.choice(_CITY_STREETS)}{self.rng.randint(1, 260)}号"
        return f"{county.name}{self.rng.choice(_COUNTY_STREETS)}{self.rng.randint(1, 180)}号"

    def point(self, county: County, max_km: float = 12.0, min_km: float = 0.3) -> tuple[float, float]:
        """A point within ``max_km`` of the county seat, inside its rough box and nearer its own seat."""
        limit = min(max_km, 0.45 * _SEAT_SPACING[county.code])
        low = min(min_km, 0.5 * limit)
        kx = 111.320 * math.cos(math.radians(county.lat))
        x0, y0, x1, y1 = county.bbox
        for _ in range(500):
            r = low + (limit - low) * math.sqrt(self.rng.random())
            theta = self.rng.uniform(0.0, 2.0 * math.pi)
            lon = round(county.lon + r * math.cos(theta) / kx, 5)
            lat = round(county.lat + r * math.sin(theta) / 110.574, 5)
            if x0 <= lon <= x1 and y0 <= lat <= y1 and nearest_county(lon, lat) is county:
                return lon, lat
        return county.lon, county.lat  # pragma: no cover - the loop always finds a point

    def near(self, lon: float, lat: float, max_m: float = 300.0) -> tuple[float, float]:
        """A point a few hundred metres from (lon, lat)."""
        r = self.rng.uniform(0.3, 1.0) * max_m / 1000.0
        theta = self.rng.uniform(0.0, 2.0 * math.pi)
        kx = 111.320 * math.cos(math.radians(lat))
        return round(lon + r * math.cos(theta) / kx, 5), round(lat + r * math.sin(theta) / 110.574, 5)


# ---- the result ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCity:
    """The demo city's registry records, in load order (lists of plain dicts)."""

    divisions: list[Record]
    units: list[Record]
    contacts: list[Record]
    facilities: list[Record]
    teams: list[Record]
    experts: list[Record]
    vehicles: list[Record]
    users: list[Record]

    def counts(self) -> dict[str, int]:
        return {f.name: len(getattr(self, f.name)) for f in fields(self)}


# ---- builders -----------------------------------------------------------------------------


def _divisions() -> list[Record]:
    city: Record = {
        "code": CITY_CODE,
        "name": CITY_NAME,
        "name_en": "Liaocheng",
        "level": "city",
        "parent_code": None,
        "population": sum(c.population for c in COUNTIES),
        "area_km2": round(sum(c.area_km2 for c in COUNTIES), 1),
        "gdp_100m_yuan": round(sum(c.gdp_100m_yuan for c in COUNTIES), 1),
        "lon": CITY_SEAT[0],
        "lat": CITY_SEAT[1],
        "boundary": None,
    }
    counties = [
        {
            "code": c.code,
            "name": c.name,
            "name_en": c.name_en,
            "level": "county",
            "parent_code": CITY_CODE,
            "population": c.population,
            "area_km2": c.area_km2,
            "gdp_100m_yuan": c.gdp_100m_yuan,
            "lon": c.lon,
            "lat": c.lat,
            "boundary": None,
        }
        for c in COUNTIES
    ]
    return [city, *counties]


def _unit(name: str, kind: str, division: str, *, short: str | None, phone: str, address: str,
          lon: float, lat: float) -> Record:
    return {"name": name, "short_name": short, "kind": kind, "division_code": division, "phone": phone,
            "address": address, "lon": lon, "lat": lat}


def _anchors(g: _Gen) -> dict[str, tuple[float, float]]:
    """Fixed places others refer to: hospitals and chemical parks."""
    out: dict[str, tuple[float, float]] = {}
    for h in HOSPITALS:
        out[h.name] = g.point(COUNTY_BY_CODE[h.county], max_km=5.0)
    for p in CHEMICAL_PARKS:
        out[p.name] = g.point(COUNTY_BY_CODE[p.county], max_km=11.0, min_km=5.0)
    return out


def _units(g: _Gen, anchors: dict[str, tuple[float, float]]) -> list[Record]:
    seat = COUNTY_BY_CODE["371502"]
    units: list[Record] = []
    for name in SEED_UNITS:
        lon, lat = g.point(seat, max_km=5.0)
        units.append(_unit(name, "department", CITY_CODE, short=_SHORT_NAMES.get(name), phone=g.office(),
                           address=g.address(seat, city=True), lon=lon, lat=lat))
    for c in COUNTIES:
        lon, lat = g.point(c, max_km=2.0, min_km=0.1)
        units.append(_unit(county_government(c.code), "county_government", c.code, short=f"{c.name}政府",
                           phone=g.office(), address=g.address(c), lon=lon, lat=lat))
    for c in COUNTIES:
        lon, lat = g.point(c, max_km=3.0)
        units.append(_unit(county_bureau(c.code), "department", c.code, short=f"{c.name}应急局",
                           phone=g.office(), address=g.address(c), lon=lon, lat=lat))
    for h in HOSPITALS:
        c = COUNTY_BY_CODE[h.county]
        lon, lat = anchors[h.name]
        units.append(_unit(h.name, "hospital", CITY_CODE if h.city_level else c.code, short=None,
                           phone=g.office(), address=g.address(c, city=c.code == "371502"), lon=lon, lat=lat))
    for p in CHEMICAL_PARKS:
        c = COUNTY_BY_CODE[p.county]
        lon, lat = g.near(*anchors[p.name], max_m=600.0)
        units.append(_unit(p.unit, "enterprise", c.code, short=p.short, phone=g.office(),
                           address=f"{c.name}{p.name}", lon=lon, lat=lat))
    for name in OPERATORS:
        lon, lat = g.point(seat, max_km=5.0)
        units.append(_unit(name, "operator", CITY_CODE, short=None, phone=g.office(),
                           address=g.address(seat, city=True), lon=lon, lat=lat))
    lon, lat = g.point(seat, max_km=5.0)
    units.append(_unit(VOLUNTEER_ORG, "team_organisation", CITY_CODE, short="水城救援", phone=g.office(),
                       address=g.address(seat, city=True), lon=lon, lat=lat))
    lon, lat = g.point(seat, max_km=5.0)
    units.append(_unit(UNIVERSITY, "other", CITY_CODE, short=None, phone=g.office(),
                       address="聊城市东昌府区湖南路1号", lon=lon, lat=lat))
    return units


_LEAD_TITLE_BY_SUFFIX: tuple[tuple[str, str], ...] = (
    ("支队", "副支队长"), ("检察院", "副检察长"), ("法院", "副院长"), ("务段", "副段长"),
    ("宣传部", "副部长"), ("电视台", "副台长"), ("中心", "副主任"), ("办公室", "副主任"), ("办", "副主任"),
    ("委", "副主任"), ("局", "副局长"),
)


def _lead_title(unit: str) -> str:
    for suffix, title in _LEAD_TITLE_BY_SUFFIX:
        if unit.endswith(suffix):
            return title
    return "负责人"


def _contacts(g: _Gen, units: list[Record]) -> list[Record]:
    out: list[Record] = []
    for u in units:
        if u["kind"] != "department":
            continue
        lead = {
            "name": g.person(), "unit": u["name"], "division_code": u["division_code"],
            "title": _lead_title(u["name"]), "duties": "分管应急管理和突发事件应对工作",
            "phone_mobile": g.mobile(), "phone_office": g.office(), "email": None,
        }
        liaison = {
            "name": g.person(), "unit": u["name"], "division_code": u["division_code"],
            "title": g.rng.choice(("应急联络员", "值班室主任", "办公室主任")),
            "duties": "应急值守、信息报送和日常联络",
            "phone_mobile": g.mobile(), "phone_office": u["phone"], "email": None,
        }
        out += [lead, liaison]
    return out


# Fire stations: (label, station class, county). 东昌府区 has six; 莘县 and 临清市 four; others three.
_TOWN_STATION: dict[str, str] = {
    "371503": "博平镇", "371521": "张秋镇", "371522": "张鲁回族镇", "371524": "刘集镇",
    "371525": "东古城镇", "371526": "梁村镇", "371581": "烟店镇",
}


def _fire_station_plan() -> list[tuple[str, str, str]]:
    plan = [
        ("东昌府区特勤消防救援站", "special", "371502"),
        ("东昌府区战勤保障消防救援站", "combat_support", "371502"),
        ("东昌府区古城消防救援站", "standard_1", "371502"),
        ("东昌府区高新区消防救援站", "standard_1", "371502"),
        ("东昌府区经开区消防救援站", "standard_2", "371502"),
        ("东昌府区湖西消防救援站", "standard_2", "371502"),
    ]
    for c in COUNTIES[1:]:
        plan.append((f"{c.name}城区消防救援站", "standard_1", c.code))
        plan.append((f"{c.name}开发区消防救援站", "standard_2", c.code))
        if c.code in ("371522", "371581"):
            plan.append((f"{c.name}城北消防救援站", "standard_2", c.code))
        plan.append((f"{c.name}{_TOWN_STATION[c.code]}消防救援站", "small", c.code))
    return plan


_SHELTERS: tuple[tuple[str, str], ...] = (
    ("371502", "聊城市人民广场应急避难场所"), ("371502", "东昌湖公园应急避难场所"),
    ("371502", "聊城市体育公园应急避难场所"),
)
# Isolation sites: (county, suffix, rooms, unit or None for the county bureau). 冠县 falls short.
_ISOLATION: tuple[tuple[str, str, int, str | None], ...] = (
    ("371502", "聊城市集中隔离备用场所（一号）", 320, "市卫生健康委"),
    ("371502", "东昌府区集中隔离备用场所", 180, None),
    ("371503", "茌平区集中隔离备用场所", 420, None),
    ("371521", "阳谷县集中隔离备用场所（一号）", 260, None),
    ("371521", "阳谷县集中隔离备用场所（二号）", 180, None),
    ("371522", "莘县集中隔离备用场所（一号）", 300, None),
    ("371522", "莘县集中隔离备用场所（二号）", 150, None),
    ("371524", "东阿县集中隔离备用场所", 400, None),
    ("371525", "冠县集中隔离备用场所", 300, None),
    ("371526", "高唐县集中隔离备用场所", 410, None),
    ("371581", "临清市集中隔离备用场所（一号）", 240, None),
    ("371581", "临清市集中隔离备用场所（二号）", 200, None),
)
# Schools: (county, name, students, unit or None).
_SCHOOLS: tuple[tuple[str, str, int, str | None], ...] = (
    ("371502", "聊城大学", 36000, UNIVERSITY),
    ("371502", "聊城职业技术学院", 15000, "市教育体育局"),
    ("371581", "临清市第一中学", 4500, None),
    ("371522", "莘县第一中学", 5200, None),
    ("371526", "高唐县第一中学", 4200, None),
)
CITY_DEPOT = "聊城市救灾物资储备库"
FLOOD_DEPOT = "聊城市防汛物资储备库"
MEDICAL_CENTRE = "聊城市紧急医学救援中心"
AVIATION_HELIPAD = "聊城应急救援（航空）基地起降点"
HOSPITAL_HELIPAD = "聊城市第二人民医院直升机停机坪"


def county_depot(code: str) -> str:
    return f"{COUNTY_BY_CODE[code].name}救灾物资储备库"


def _facility(g: _Gen, name: str, kind: str, county: County, unit: str | None, lon: float, lat: float,
              capacity: Record, *, phone: bool = False, status: str = "in_service",
              notes: str = SYNTHETIC_NOTE) -> Record:
    return {
        "name": name, "kind": kind, "status": status, "division_code": county.code, "unit": unit,
        "address": g.address(county, city=county.code == "371502"),
        "phone": g.office() if phone else None, "lon": lon, "lat": lat, "capacity": capacity, "notes": notes,
    }


def _facilities(g: _Gen, anchors: dict[str, tuple[float, float]]) -> list[Record]:
    rng = g.rng
    out: list[Record] = []
    for name, station_class, code in _fire_station_plan():
        c = COUNTY_BY_CODE[code]
        max_km = 14.0 if station_class == "small" else 6.0
        lon, lat = g.point(c, max_km=max_km, min_km=4.0 if station_class == "small" else 0.3)
        out.append(_facility(g, name, "fire_station", c, "市消防救援支队", lon, lat,
                             {"station_class": station_class}, phone=True))
    for h in HOSPITALS:
        c = COUNTY_BY_CODE[h.county]
        cap = {"beds": h.beds, "infectious_beds": h.infectious_beds, "icu_beds": h.icu_beds,
               "fever_clinic": h.fever_clinic, "grade": h.grade}
        out.append(_facility(g, h.name, "hospital", c, h.name, *anchors[h.name], cap, phone=True,
                             notes=h.note or SYNTHETIC_NOTE))
    dcf = COUNTY_BY_CODE["371502"]
    out.append(_facility(g, MEDICAL_CENTRE, "medical_centre", dcf, "市卫生健康委", *g.point(dcf, max_km=4.0),
                         {"beds": 100, "ambulances": 4}, phone=True))
    shelters = list(_SHELTERS) + [
        (c.code, f"{c.name}{suffix}")
        for c in COUNTIES[1:]
        for suffix in ("人民广场应急避难场所", "体育公园应急避难场所")
    ]
    for code, name in shelters:
        c = COUNTY_BY_CODE[code]
        persons = rng.randrange(8000, 30001, 500) if code == "371502" else rng.randrange(3000, 15001, 500)
        area = float(round(persons * rng.uniform(2.0, 3.0), -2))
        owner = "市住房城乡建设局" if code == "371502" else county_bureau(code)
        status = "under_construction" if name == "高唐县体育公园应急避难场所" else "in_service"
        out.append(_facility(g, name, "shelter", c, owner, *g.point(c, max_km=6.0),
                             {"persons": persons, "area_m2": area}, status=status))
    out.append(_facility(g, CITY_DEPOT, "warehouse", dcf, "市应急局", *g.point(dcf, max_km=10.0, min_km=3.0),
                         {"level": "city", "area_m2": 4100.0}, phone=True))
    out.append(_facility(g, FLOOD_DEPOT, "warehouse", dcf, "市水利局", *g.point(dcf, max_km=10.0, min_km=3.0),
                         {"level": "city", "area_m2": 2400.0}, phone=True))
    for c in COUNTIES:
        area = float(rng.randrange(630, 1201, 10))
        out.append(_facility(g, county_depot(c.code), "warehouse", c, county_bureau(c.code),
                             *g.point(c, max_km=8.0, min_km=1.0), {"level": "county", "area_m2": area},
                             phone=True))
    for code, name, rooms, unit in _ISOLATION:
        c = COUNTY_BY_CODE[code]
        out.append(_facility(g, name, "isolation_site", c, unit or county_bureau(code),
                             *g.point(c, max_km=12.0, min_km=2.0), {"rooms": rooms}))
    for code, name, students, unit in _SCHOOLS:
        c = COUNTY_BY_CODE[code]
        out.append(_facility(g, name, "school", c, unit, *g.point(c, max_km=5.0), {"students": students}))
    for p in CHEMICAL_PARKS:
        c = COUNTY_BY_CODE[p.county]
        out.append(_facility(g, p.name, "chemical_park", c, p.unit, *anchors[p.name],
                             {"enterprises": p.enterprises, "area_km2": p.area_km2}, phone=True,
                             notes="合成演示数据：化工园区名称、位置、面积与企业数为虚构/近似设定。"))
    out.append(_facility(g, AVIATION_HELIPAD, "helipad", dcf, "市应急局",
                         *g.point(dcf, max_km=10.0, min_km=4.0), {"pads": 2, "night_capable": True}))
    lcq = COUNTY_BY_CODE["371581"]
    out.append(_facility(g, HOSPITAL_HELIPAD, "helipad", lcq, "聊城市第二人民医院",
                         *g.near(*anchors["聊城市第二人民医院"], max_m=150.0),
                         {"pads": 1, "night_capable": False}))
    return out


# ---- teams --------------------------------------------------------------------------------

Equipment = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class _TeamSpec:
    name: str
    kind: str
    specialty: str
    level: str
    county: str
    unit: str | None
    headcount: int
    capabilities: tuple[str, ...]
    equipment: Equipment
    base: str | None = None  # a facility name; otherwise a point near the county seat


_FIRE_KIT: Equipment = (("正压式空气呼吸器", 0), ("液压破拆工具组", 2), ("救生气垫", 1), ("移动照明灯组", 2))
_SPECIAL_KIT: Equipment = (
    ("重型防化服", 12), ("有毒气体检测仪", 4), ("生命探测仪", 2), ("消防救援机器人", 1),
)
_FLOOD_KIT: Equipment = (("救生衣", 100), ("编织袋", 20000), ("抢险照明灯", 10), ("便携式排涝泵", 6))
_MEDICAL_KIT: Equipment = (("移动急救单元", 2), ("便携式呼吸机", 4), ("除颤监护仪", 4), ("帐篷式医疗站", 1))
_HAZMAT_KIT: Equipment = (("重型防化服", 16), ("有毒气体检测仪", 6), ("堵漏工具组", 4), ("洗消帐篷", 2))

_PRO_TEAMS: tuple[_TeamSpec, ...] = (
    _TeamSpec("聊城市危险化学品应急救援队", "professional", "hazmat", "city", "371503", "市应急局", 45,
              ("hazmat", "fire"), _HAZMAT_KIT),
    _TeamSpec("聊城市防汛抢险救援队", "professional", "flood", "city", "371502", "市水利局", 80,
              ("flood", "water_rescue"), _FLOOD_KIT, FLOOD_DEPOT),
    _TeamSpec("聊城黄河防汛抢险队", "professional", "flood", "city", "371524", "聊城黄河河务局", 60,
              ("flood", "geological"), (("抛石机械", 2), ("救生衣", 80), ("铅丝笼", 500), ("编织袋", 30000))),
    _TeamSpec("聊城市非煤矿山应急救援队", "professional", "mine", "city", "371503", "市应急局", 30,
              ("mine", "general"), (("正压氧气呼吸器", 20), ("矿用气体检测仪", 6), ("生命探测仪", 2))),
    _TeamSpec("聊城市人民医院紧急医学救援队", "professional", "medical", "city", "371502",
              "聊城市人民医院", 40, ("medical",), _MEDICAL_KIT, "聊城市人民医院"),
    _TeamSpec("聊城市第二人民医院紧急医学救援队", "professional", "medical", "city", "371581",
              "聊城市第二人民医院", 30, ("medical",), _MEDICAL_KIT, "聊城市第二人民医院"),
    _TeamSpec("聊城市公路工程抢险救援队", "professional", "road", "city", "371502", "市交通运输局", 50,
              ("road", "flood"), (("装载机", 2), ("应急钢便桥", 1), ("路面破碎机", 2))),
    _TeamSpec("聊城市综合性应急保障车队", "professional", "general", "city", "371502", "市交通运输局", 40,
              ("general", "road"), (("车载卫星定位终端", 12), ("篷布", 40))),
    _TeamSpec("国网聊城供电公司电力应急抢修队", "professional", "power", "city", "371502",
              "国网聊城供电公司", 60, ("power", "general"),
              (("应急照明灯塔", 4), ("绝缘斗臂工具", 3), ("电缆故障测试仪", 2))),
    _TeamSpec("中国移动聊城分公司应急通信保障队", "professional", "telecom", "city", "371502",
              "中国移动聊城分公司", 20, ("telecom",), (("便携式卫星站", 2), ("应急基站", 2))),
    _TeamSpec("中国联通聊城分公司应急通信保障队", "professional", "telecom", "city", "371502",
              "中国联通聊城分公司", 15, ("telecom",), (("便携式卫星站", 1), ("应急基站", 1))),
    _TeamSpec("中国电信聊城分公司应急通信保障队", "professional", "telecom", "city", "371502",
              "中国电信聊城分公司", 15, ("telecom",), (("卫星电话", 10), ("应急基站", 1))),
    _TeamSpec("聊城市地质灾害应急救援队", "professional", "geological", "city", "371502",
              "市自然资源和规划局", 25, ("geological", "earthquake"),
              (("地质雷达", 1), ("GNSS监测仪", 4), ("裂缝计", 10))),
    _TeamSpec("聊城市传染病防控应急队", "professional", "epidemic", "city", "371502", "市卫生健康委", 35,
              ("epidemic", "medical"), (("移动核酸检测实验室", 1), ("防护服", 2000), ("消杀喷雾器", 20)),
              "聊城市传染病医院"),
    _TeamSpec("聊城市水上应急救援队", "professional", "water_rescue", "city", "371502", "市交通运输局", 25,
              ("water_rescue", "flood"), (("救生衣", 60), ("抛投器", 6), ("潜水装具", 6))),
    _TeamSpec("聊城市地震灾害紧急救援队", "professional", "earthquake", "city", "371502", "市应急局", 40,
              ("earthquake", "general", "geological"),
              (("生命探测仪", 3), ("破拆顶撑工具组", 4), ("搜救犬", 2))),
    _TeamSpec("聊城工务段铁路抢修队", "professional", "road", "city", "371502",
              "济南铁路局集团有限公司聊城工务段", 30, ("road",), (("轨道抢修机具", 4), ("应急照明", 8))),
    # Task 11 of the seed: 探索建立森林消防救援队伍.
    _TeamSpec("聊城市森林消防应急救援队", "professional", "forest_fire", "city", "371525", "市应急局", 30,
              ("forest_fire", "fire"), (("风力灭火机", 20), ("二号工具", 30), ("背负式水枪", 20))),
    _TeamSpec("莘县兼职森林火灾应急救援队", "professional", "forest_fire", "county", "371522",
              county_bureau("371522"), 20, ("forest_fire",), (("风力灭火机", 10), ("二号工具", 20))),
)
_VOLUNTEER_TEAMS: tuple[_TeamSpec, ...] = (
    _TeamSpec("聊城水城公益救援队", "volunteer", "general", "community", "371502", VOLUNTEER_ORG, 60,
              ("general", "water_rescue", "earthquake"), (("冲锋舟", 2), ("生命探测仪", 1), ("急救包", 30))),
    _TeamSpec("临清运河志愿救援队", "volunteer", "water_rescue", "community", "371581", None, 35,
              ("water_rescue", "flood"), (("橡皮艇", 2), ("救生衣", 40))),
    _TeamSpec("东阿黄河志愿救援队", "volunteer", "flood", "community", "371524", None, 30,
              ("flood", "water_rescue"), (("救生衣", 30), ("抛绳器", 4))),
    _TeamSpec("冠县红星应急救援志愿队", "volunteer", "general", "community", "371525", None, 25,
              ("general", "medical"), (("急救包", 20), ("应急照明灯", 10))),
    _TeamSpec("高唐县义工应急救援队", "volunteer", "general", "community", "371526", None, 28,
              ("general",), (("急救包", 20), ("对讲机", 12))),
)


def fire_team_name(station: str) -> str:
    return f"{station}执勤队"


def park_team_name(park: str) -> str:
    return f"{park}专职应急救援队"


def _kit(items: Equipment, headcount: int) -> list[Record]:
    return [{"name": n, "quantity": q or headcount} for n, q in items]


def _team(g: _Gen, spec: _TeamSpec, lon: float, lat: float) -> Record:
    return {
        "name": spec.name, "kind": spec.kind, "specialty": spec.specialty, "level": spec.level,
        "headcount": spec.headcount, "capabilities": list(spec.capabilities),
        "equipment": _kit(spec.equipment, spec.headcount), "status": "available",
        "division_code": spec.county, "unit": spec.unit, "leader": g.person(), "phone": g.mobile(),
        "lon": lon, "lat": lat,
    }


def _team_specs(facilities: list[Record]) -> list[_TeamSpec]:
    specs: list[_TeamSpec] = []
    extra_caps = ("water_rescue", "earthquake", "flood", "hazmat")
    for i, f in enumerate(x for x in facilities if x["kind"] == "fire_station"):
        station_class = f["capacity"]["station_class"]
        special = station_class == "special"
        caps = ("fire", "hazmat", "earthquake", "water_rescue") if special else ("fire", extra_caps[i % 4])
        headcount = {"special": 40, "combat_support": 20, "standard_1": 32, "standard_2": 24, "small": 15}
        kit = _FIRE_KIT + _SPECIAL_KIT if special else _FIRE_KIT
        level = "city" if f["division_code"] == "371502" else "county"
        specs.append(_TeamSpec(fire_team_name(f["name"]), "fire_rescue", "fire", level, f["division_code"],
                               "市消防救援支队", headcount[station_class], caps, kit, f["name"]))
    specs += _PRO_TEAMS
    for c in COUNTIES:
        specs.append(_TeamSpec(f"{c.name}防汛抢险队", "professional", "flood", "county", c.code,
                               county_bureau(c.code), 30 + 5 * (int(c.code) % 7), ("flood", "water_rescue"),
                               (("救生衣", 50), ("编织袋", 8000), ("便携式排涝泵", 2)), county_depot(c.code)))
    for c in COUNTIES:
        hospital = COUNTY_HOSPITAL[c.code]
        specs.append(_TeamSpec(f"{hospital}医疗救援队", "professional", "medical", "county", c.code, hospital,
                               15 + int(c.code) % 11, ("medical", "epidemic"), _MEDICAL_KIT[:3], hospital))
    for p in CHEMICAL_PARKS:
        specs.append(_TeamSpec(park_team_name(p.name), "enterprise", "hazmat", "enterprise", p.county, p.unit,
                               30 + p.enterprises % 10, ("hazmat", "fire"), _HAZMAT_KIT, p.name))
    specs += _VOLUNTEER_TEAMS
    return specs


def _teams(g: _Gen, facilities: list[Record]) -> list[Record]:
    where = {f["name"]: (f["lon"], f["lat"]) for f in facilities}
    out: list[Record] = []
    for spec in _team_specs(facilities):
        if spec.base is not None:
            lon, lat = where[spec.base]
        else:
            lon, lat = g.point(COUNTY_BY_CODE[spec.county], max_km=8.0)
        out.append(_team(g, spec, lon, lat))
    # A few teams are out on a job or resting.
    picks = g.rng.sample(range(len(out)), 6)
    for i in picks[:3]:
        out[i]["status"] = "deployed"
    for i in picks[3:]:
        out[i]["status"] = "off_duty"
    return out


# ---- experts ------------------------------------------------------------------------------

_EXPERT_PLAN: tuple[tuple[str, int], ...] = (
    ("hazmat", 5), ("medical", 6), ("epidemic", 4), ("flood", 4), ("fire", 3), ("geological", 3),
    ("earthquake", 2), ("road", 2), ("power", 2), ("telecom", 2), ("mine", 2), ("forest_fire", 2),
    ("water_rescue", 1), ("general", 2),
)
_EXPERT_UNITS: dict[str, tuple[str, ...]] = {
    "hazmat": ("市应急局", "市生态环境局", "市消防救援支队", "聊城化工产业园区管理委员会", UNIVERSITY),
    "medical": ("聊城市人民医院", "聊城市第二人民医院", "聊城市中医医院", "莘县人民医院", "阳谷县人民医院"),
    "epidemic": ("市卫生健康委", "聊城市传染病医院", "聊城市人民医院"),
    "flood": ("市水利局", "聊城黄河河务局", "市气象局"),
    "fire": ("市消防救援支队",),
    "geological": ("市自然资源和规划局", UNIVERSITY),
    "earthquake": ("市地震监测中心", "市住房城乡建设局"),
    "road": ("市交通运输局", "济南铁路局集团有限公司聊城工务段"),
    "power": ("国网聊城供电公司",),
    "telecom": ("中国移动聊城分公司", "中国联通聊城分公司", "中国电信聊城分公司", "市大数据局"),
    "mine": ("市应急局",),
    "forest_fire": ("市自然资源和规划局", "市应急局"),
    "water_rescue": ("市消防救援支队", "市交通运输局"),
    "general": ("市应急局", UNIVERSITY),
}
_RELATED: dict[str, tuple[str, ...]] = {
    "hazmat": ("fire", "general", "mine"),
    "medical": ("epidemic", "general"),
    "epidemic": ("medical",),
    "flood": ("water_rescue", "geological", "general"),
    "fire": ("hazmat", "earthquake", "water_rescue"),
    "geological": ("earthquake", "flood"),
    "earthquake": ("geological", "general"),
    "road": ("general", "flood"),
    "power": ("telecom", "general"),
    "telecom": ("power", "general"),
    "mine": ("hazmat", "geological"),
    "forest_fire": ("fire", "general"),
    "water_rescue": ("flood", "fire"),
    "general": ("hazmat", "flood", "medical"),
}


def _expert_title(rng: random.Random, unit: Record, specialty: str) -> str:
    if unit["kind"] == "hospital":
        return rng.choice(("主任医师", "副主任医师", "主任医师（教授）"))
    if specialty == "epidemic":
        return rng.choice(("主任医师", "研究员", "副研究员"))
    if unit["name"] == UNIVERSITY:
        return rng.choice(("教授", "副教授"))
    return rng.choice(("教授级高工", "高级工程师", "正高级工程师"))


def _experts(g: _Gen, units: list[Record]) -> list[Record]:
    rng = g.rng
    by_name = {u["name"]: u for u in units}
    out: list[Record] = []
    for specialty, n in _EXPERT_PLAN:
        for _ in range(n):
            unit = by_name[rng.choice(_EXPERT_UNITS[specialty])]
            extra = rng.sample(_RELATED[specialty], min(rng.choice((0, 1, 1, 2)), len(_RELATED[specialty])))
            out.append({
                "name": g.person(), "specialties": [specialty, *extra],
                "title": _expert_title(rng, unit, specialty), "unit": unit["name"],
                "division_code": unit["division_code"], "phone_mobile": g.mobile(),
                "phone_office": unit["phone"], "availability": "available",
                "lon": unit["lon"], "lat": unit["lat"],
            })
    picks = rng.sample(range(len(out)), 6)
    for i in picks[:4]:
        out[i]["availability"] = "busy"
    for i in picks[4:]:
        out[i]["availability"] = "unavailable"
    return out


# ---- vehicles and equipment ----------------------------------------------------------------

_TYPE_LABEL: dict[str, str] = {
    "fire_engine": "水罐泡沫消防车", "ladder_truck": "登高平台消防车", "hazmat_unit": "危化品救援车",
    "ambulance": "救护车", "rescue_truck": "抢险救援车", "command_vehicle": "应急指挥车",
    "comms_vehicle": "通信保障车", "cargo_truck": "物资运输车", "bus": "客车", "excavator": "挖掘机",
    "pump": "排涝泵", "generator": "发电机组", "boat": "冲锋舟", "drone": "无人机", "other": "其他装备",
}
_EQUIPMENT_TYPES = frozenset({"pump", "generator", "boat", "drone"})
# Capacity per type: (value, unit).
_TYPE_CAPACITY: dict[str, tuple[float, str]] = {
    "fire_engine": (8.0, "t"), "ladder_truck": (32.0, "m"), "ambulance": (1.0, "担架"),
    "cargo_truck": (10.0, "t"), "bus": (45.0, "座"), "pump": (1000.0, "m³/h"), "generator": (500.0, "kW"),
    "boat": (10.0, "人"), "drone": (40.0, "min"), "excavator": (1.0, "m³"),
}
# Vehicles per fire-station class.
_STATION_FLEET: dict[str, tuple[tuple[str, int], ...]] = {
    "special": (("fire_engine", 3), ("ladder_truck", 1), ("hazmat_unit", 1), ("rescue_truck", 1),
                ("command_vehicle", 1)),
    "combat_support": (("cargo_truck", 2), ("rescue_truck", 1)),
    "standard_1": (("fire_engine", 2), ("ladder_truck", 1), ("rescue_truck", 1)),
    "standard_2": (("fire_engine", 1), ("rescue_truck", 1)),
    "small": (("fire_engine", 1),),
}
# Aerial ladders outside the special station: the larger urban areas only.
_LADDER_COUNTIES = frozenset({"371502", "371521", "371522", "371581"})
# Other teams' fleets by team name.
_TEAM_FLEET: dict[str, tuple[tuple[str, int], ...]] = {
    "聊城市危险化学品应急救援队": (("hazmat_unit", 1), ("rescue_truck", 1)),
    "聊城市防汛抢险救援队": (("pump", 3), ("boat", 2), ("rescue_truck", 1)),
    "聊城黄河防汛抢险队": (("pump", 2), ("boat", 1), ("rescue_truck", 1)),
    "聊城市非煤矿山应急救援队": (("rescue_truck", 1),),
    "聊城市人民医院紧急医学救援队": (("ambulance", 1),),
    "聊城市第二人民医院紧急医学救援队": (("ambulance", 1),),
    "聊城市公路工程抢险救援队": (("excavator", 2), ("rescue_truck", 1)),
    "聊城市综合性应急保障车队": (("cargo_truck", 3), ("bus", 2)),
    "国网聊城供电公司电力应急抢修队": (("rescue_truck", 1), ("generator", 2)),
    "中国移动聊城分公司应急通信保障队": (("comms_vehicle", 1),),
    "中国联通聊城分公司应急通信保障队": (("comms_vehicle", 1),),
    "中国电信聊城分公司应急通信保障队": (("comms_vehicle", 1),),
    "聊城市地质灾害应急救援队": (("drone", 1), ("rescue_truck", 1)),
    "聊城市传染病防控应急队": (("ambulance", 1),),
    "聊城市水上应急救援队": (("boat", 3), ("rescue_truck", 1)),
    "聊城市地震灾害紧急救援队": (("rescue_truck", 1), ("drone", 1)),
    "聊城市森林消防应急救援队": (("rescue_truck", 1), ("drone", 1)),
    "聊城水城公益救援队": (("boat", 1), ("rescue_truck", 1)),
    "临清运河志愿救援队": (("boat", 1),),
}


class _Fleet:
    def __init__(self, g: _Gen) -> None:
        self.g = g
        self.items: list[Record] = []
        self._seq: dict[tuple[str, str], int] = {}

    def add(self, owner: str, vtype: str, n: int, *, division: str, unit: str | None, team: str | None,
            lon: float | None, lat: float | None, label: str | None = None) -> None:
        label = label or _TYPE_LABEL[vtype]
        equipment = vtype in _EQUIPMENT_TYPES
        value, cap_unit = _TYPE_CAPACITY.get(vtype, (None, None))
        for _ in range(n):
            seq = self._seq.get((owner, label), 0) + 1
            self._seq[(owner, label)] = seq
            self.items.append({
                "name": f"{owner}{label}{seq}号", "category": "equipment" if equipment else "vehicle",
                "type": vtype, "plate": None if equipment else self.g.plate(),
                "capacity_value": value, "capacity_unit": cap_unit, "unit": unit, "team": team,
                "division_code": division, "status": "available", "lon": lon, "lat": lat,
            })


def _vehicles(g: _Gen, units: list[Record], facilities: list[Record], teams: list[Record]) -> list[Record]:
    fleet = _Fleet(g)
    fac = {f["name"]: f for f in facilities}
    unit_by_name = {u["name"]: u for u in units}
    for t in teams:
        if t["kind"] == "fire_rescue":
            station = fac[t["name"].removesuffix("执勤队")]
            station_class = station["capacity"]["station_class"]
            plan = _STATION_FLEET[station_class]
            if station_class == "standard_1" and station["division_code"] not in _LADDER_COUNTIES:
                plan = tuple(p for p in plan if p[0] != "ladder_truck")
        elif t["kind"] == "enterprise":
            plan = (("hazmat_unit", 1), ("fire_engine", 1))
        elif t["name"].endswith("防汛抢险队") and t["level"] == "county":
            plan = (("pump", 1),)
        else:
            plan = _TEAM_FLEET.get(t["name"], ())
        for vtype, n in plan:
            fleet.add(t["name"], vtype, n, division=t["division_code"], unit=t["unit"], team=t["name"],
                      lon=t["lon"], lat=t["lat"])
    # Hospital ambulances not attached to a team (negative-pressure ones at the infectious hospital).
    for h in HOSPITALS:
        f = fac[h.name]
        label = "负压救护车" if h.name == "聊城市传染病医院" else None
        fleet.add(h.name, "ambulance", h.ambulances, division=f["division_code"], unit=h.name, team=None,
                  lon=f["lon"], lat=f["lat"], label=label)
    mc = fac[MEDICAL_CENTRE]
    fleet.add(MEDICAL_CENTRE, "ambulance", mc["capacity"]["ambulances"], division=mc["division_code"],
              unit="市卫生健康委", team=None, lon=mc["lon"], lat=mc["lat"])
    # Supplies trucks at the depots.
    for name, n in [(CITY_DEPOT, 2), (FLOOD_DEPOT, 1), *((county_depot(c.code), 1) for c in COUNTIES)]:
        f = fac[name]
        fleet.add(name, "cargo_truck", n, division=f["division_code"], unit=f["unit"], team=None,
                  lon=f["lon"], lat=f["lat"])
    # The emergency bureau's own command and communications kit.
    yjj = unit_by_name["市应急局"]
    for vtype, n in (("command_vehicle", 1), ("comms_vehicle", 1), ("drone", 1), ("generator", 1)):
        fleet.add("市应急局", vtype, n, division=CITY_CODE, unit="市应急局", team=None,
                  lon=yjj["lon"], lat=yjj["lat"])
    out = fleet.items
    # Vehicles follow their team's status; a few others are in the workshop.
    team_status = {t["name"]: t["status"] for t in teams}
    for v in out:
        if v["team"] is not None and team_status[v["team"]] != "available":
            v["status"] = team_status[v["team"]]
    idle = [i for i, v in enumerate(out) if v["status"] == "available"]
    for i in g.rng.sample(idle, 5):
        out[i]["status"] = "off_duty"
    return out


# ---- users --------------------------------------------------------------------------------


def demo_password(username: str) -> str:
    return f"Yingji-{username}-2026"


def _users() -> list[Record]:
    rows: tuple[tuple[str, str, str, str | None, str | None], ...] = (
        ("admin", "admin", "系统管理员（演示）", None, None),
        ("commander", "commander", "市应急指挥长（演示）", CITY_CODE, "市应急局"),
        ("duty", "duty_officer", "市应急局值班员（演示）", CITY_CODE, "市应急局"),
        ("health", "department", "市卫生健康委用户（演示）", CITY_CODE, "市卫生健康委"),
        ("linqing", "county", "临清市应急管理局用户（演示）", "371581", county_bureau("371581")),
        ("viewer", "viewer", "只读用户（演示）", CITY_CODE, None),
    )
    return [
        {"username": u, "role": role, "password": demo_password(u), "display_name": display,
         "division_code": division, "unit": unit}
        for u, role, display, division, unit in rows
    ]


# ---- entry point --------------------------------------------------------------------------


def demo_city() -> DemoCity:
    """Build the demo city. Deterministic: every call returns equal, freshly built records."""
    pools = _Pools()
    anchors = _anchors(_Gen(SEED + 1, pools))
    units = _units(_Gen(SEED + 2, pools), anchors)
    contacts = _contacts(_Gen(SEED + 3, pools), units)
    facilities = _facilities(_Gen(SEED + 4, pools), anchors)
    teams = _teams(_Gen(SEED + 5, pools), facilities)
    experts = _experts(_Gen(SEED + 6, pools), units)
    vehicles = _vehicles(_Gen(SEED + 7, pools), units, facilities, teams)
    return DemoCity(
        divisions=_divisions(), units=units, contacts=contacts, facilities=facilities, teams=teams,
        experts=experts, vehicles=vehicles, users=_users(),
    )
