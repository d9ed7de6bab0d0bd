"""The web UI's message catalogue: key → (zh-CN, en). Chinese is the default language.

No gettext toolchain: the catalogue is a dict, looked up by :func:`translate`. Placeholders use
``str.format`` names (``{total}``). Enum labels come from the enums themselves
(:class:`yingji.common.choices.LabelledEnum`) and registry column headers from
:mod:`yingji.registry.specs`; this catalogue holds the rest.
"""

from __future__ import annotations

from typing import Any, Final

LANG_COOKIE: Final = "yingji_lang"
LANGUAGES: Final = ("zh-CN", "en")
DEFAULT_LANGUAGE: Final = "zh-CN"

MESSAGES: dict[str, tuple[str, str]] = {
    # --- frame -----------------------------------------------------------------------------
    "app.name": ("应急保障一张图", "Yingji emergency support map"),
    "app.brand_sub": ("Yingji", "应急保障一张图"),
    "app.title_suffix": ("应急保障一张图", "Yingji"),
    "demo.note": ("演示数据为合成数据", "Demo data are synthetic"),
    "nav.map": ("一张图", "One map"),
    "nav.registries": ("基础台账", "Registries"),
    "nav.main": ("主导航", "Main navigation"),
    "user.logout": ("退出登录", "Log out"),
    "user.signed_in_as": ("当前用户", "Signed in as"),
    "lang.switch": ("English", "中文"),
    "lang.switch_title": ("Switch to English", "切换到中文"),
    # --- login -----------------------------------------------------------------------------
    "login.title": ("登录", "Sign in"),
    "login.username": ("用户名", "Username"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.failed": ("用户名或密码错误", "Incorrect username or password"),
    "login.locked": (
        "该账户因多次登录失败已被锁定，请于 {time}（UTC）之后再试",
        "This account is locked after repeated failed logins; try again after {time} UTC",
    ),
    "login.locked_generic": (
        "该账户因多次登录失败已被锁定，请稍后再试",
        "This account is locked after repeated failed logins; try again later",
    ),
    "login.csrf": (
        "页面已过期或缺少安全令牌，请重新提交",
        "The form has expired or lacks its security token; please submit it again",
    ),
    "login.demo": (
        "本系统中的演示数据（聊城市的设施、队伍、人员、电话和数字）均为合成数据，不代表真实情况。"
        "行政区划和部门名称为真实名称。",
        "The demo data in this system (Liaocheng's facilities, teams, people, phone numbers and figures) "
        "are synthetic and do not describe reality. Division and department names are real.",
    ),
    "login.logged_out": ("已退出登录", "You have logged out"),
    "csrf.refused": (
        "请求缺少有效的安全令牌（CSRF），已拒绝。请刷新页面后重试。",
        "Refused: the request lacks a valid security token (CSRF). Reload the page and try again.",
    ),
    # --- map -------------------------------------------------------------------------------
    "map.title": ("一张图", "One map"),
    "map.layers": ("图层", "Layers"),
    "map.search": ("搜索", "Search"),
    "map.search_label": ("搜索名称、地址、车牌等", "Search names, addresses, plates…"),
    "map.search_placeholder": ("名称、地址、车牌…", "Name, address, plate…"),
    "map.no_results": ("未找到匹配的记录", "No matching records"),
    "map.results": ("搜索结果", "Results"),
    "map.loading": ("加载中…", "Loading…"),
    "map.details": ("查看详情", "Details"),
    "map.divisions": ("行政区划", "Divisions"),
    "map.group.base": ("底图", "Base"),
    "map.group.facilities": ("设施场所", "Facilities"),
    "map.group.teams": ("救援队伍", "Rescue teams"),
    "map.group.other": ("其他资源", "Other resources"),
    "map.offline": (
        "离线底图：未配置瓦片服务（YINGJI_TILE_URL），仅显示行政区划",
        "Offline base map: no tile service configured (YINGJI_TILE_URL); divisions only",
    ),
    "map.error": ("图层加载失败", "The layer failed to load"),
    "map.show_on_map": ("在一张图中查看", "Show on the map"),
    "map.no_location": ("无坐标", "No location"),
    "map.count_title": ("已加载的点数", "Points loaded"),
    "map.toggle_panel": ("图层与搜索", "Layers and search"),
    # --- registries ------------------------------------------------------------------------
    "registry.index": ("基础台账", "Registries"),
    "registry.count": ("{total} 条记录", "{total} records"),
    "list.filter": ("筛选", "Filter"),
    "list.reset": ("重置", "Reset"),
    "list.all": ("全部", "All"),
    "list.division": ("行政区划", "Division"),
    "list.kind": ("类型", "Kind"),
    "list.status": ("状态", "Status"),
    "list.q": ("关键字", "Keyword"),
    "list.total": ("共 {total} 条", "{total} records"),
    "list.page": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "list.prev": ("上一页", "Previous"),
    "list.next": ("下一页", "Next"),
    "list.empty": ("没有符合条件的记录", "No matching records"),
    "list.export_xlsx": ("导出 Excel", "Export .xlsx"),
    "list.export_csv": ("导出 CSV", "Export .csv"),
    "list.actions": ("操作", "Actions"),
    "action.new": ("新建", "New"),
    "action.edit": ("编辑", "Edit"),
    "action.delete": ("删除", "Delete"),
    "action.save": ("保存", "Save"),
    "action.create": ("创建", "Create"),
    "action.cancel": ("取消", "Cancel"),
    "action.back": ("返回列表", "Back to the list"),
    "action.view": ("查看", "View"),
    "form.new_title": ("新建{registry}", "New: {registry}"),
    "form.edit_title": ("编辑{registry}：{name}", "Edit {registry}: {name}"),
    "form.required": ("必填", "required"),
    "form.has_errors": ("请更正标出的字段", "Please correct the marked fields"),
    "form.choose": ("请选择", "Choose…"),
    "form.none": ("（无）", "(none)"),
    "form.capacity": ("容量", "Capacity"),
    "form.capacity_hint": ("容量字段随设施类型变化", "The capacity fields follow the kind"),
    "form.equipment_hint": ("每行一项：名称,数量", "One item per line: name, quantity"),
    "form.readonly": ("不可修改", "cannot be changed"),
    "form.coords_hint": ("WGS 84 经纬度（度）", "WGS 84 degrees"),
    "delete.title": ("删除确认", "Confirm deletion"),
    "delete.question": (
        "确定要删除{registry}“{name}”吗？此操作不可撤销，并记入审计日志。",
        "Delete {registry} “{name}”? This cannot be undone and is recorded in the audit log.",
    ),
    "delete.confirm": ("确认删除", "Delete"),
    "done.created": ("已创建", "Created"),
    "done.updated": ("已保存", "Saved"),
    "done.deleted": ("已删除", "Deleted"),
    "detail.created_at": ("创建时间", "Created"),
    "detail.updated_at": ("更新时间", "Updated"),
    "detail.boundary": ("边界", "Boundary"),
    "detail.code": ("代码", "Code"),
    "bool.true": ("是", "Yes"),
    "bool.false": ("否", "No"),
    "error.title": ("出错了", "Something went wrong"),
    "error.400": ("请求无效", "Bad request"),
    "error.401": ("请先登录", "Please sign in"),
    "error.403": ("无权执行此操作", "You are not allowed to do this"),
    "error.404": ("未找到", "Not found"),
    "error.409": ("与现有数据冲突", "Conflicts with existing data"),
    "error.413": ("内容过大", "Too large"),
    "error.422": ("数据无效", "Invalid data"),
    "error.back": ("返回首页", "Back to the start page"),
    # --- validation messages (pydantic error types and service errors) ----------------------
    "v.missing": ("必填", "Required"),
    "v.ge": ("应大于或等于 {limit}", "Must be at least {limit}"),
    "v.le": ("应小于或等于 {limit}", "Must be at most {limit}"),
    "v.gt": ("应大于 {limit}", "Must be greater than {limit}"),
    "v.lt": ("应小于 {limit}", "Must be less than {limit}"),
    "v.int": ("应为整数", "Must be a whole number"),
    "v.float": ("应为数字", "Must be a number"),
    "v.bool": ("应为是或否", "Must be yes or no"),
    "v.enum": ("不是有效的选项", "Not a valid choice"),
    "v.pattern": ("格式不正确", "Invalid format"),
    "v.too_long": ("过长（最多 {limit} 个字符）", "Too long (at most {limit} characters)"),
    "v.empty": ("不能为空", "Must not be empty"),
    "v.list_too_short": ("至少选择 {limit} 项", "Choose at least {limit}"),
    "v.email": ("电子邮箱格式不正确", "Not a valid e-mail address"),
    "v.json": ("不是有效的 JSON", "Not valid JSON"),
    "v.unknown_division": ("未知的行政区划 {value}", "Unknown division {value}"),
    "v.unknown_unit": ("未知的单位 {value}", "Unknown unit {value}"),
    "v.unknown_team": ("未知的队伍 {value}", "Unknown team {value}"),
    "v.line": ("第 {line} 行：{message}", "Line {line}: {message}"),
    "v.invalid": ("值无效", "Invalid value"),
    # --- field labels not found in the registry specs --------------------------------------
    "field.division_code": ("行政区划", "Division"),
    "field.parent_code": ("上级区划", "Parent division"),
    "field.unit_id": ("单位", "Unit"),
    "field.team_id": ("所属队伍", "Team"),
    "field.boundary": ("边界", "Boundary"),
    # --- facility capacity fields ----------------------------------------------------------
    "cap.level": ("储备库级别", "Depot level"),
    "cap.area_m2": ("面积（m²）", "Area (m²)"),
    "cap.persons": ("可容纳人数", "Persons"),
    "cap.rooms": ("隔离房间数", "Isolation rooms"),
    "cap.beds": ("床位数", "Beds"),
    "cap.infectious_beds": ("传染病床位", "Infectious-disease beds"),
    "cap.icu_beds": ("重症监护床位", "ICU beds"),
    "cap.fever_clinic": ("发热门诊", "Fever clinic"),
    "cap.grade": ("医院等级", "Hospital grade"),
    "cap.station_class": ("消防站类别", "Station class"),
    "cap.ambulances": ("救护车（辆）", "Ambulances"),
    "cap.students": ("学生数", "Students"),
    "cap.enterprises": ("企业数", "Enterprises"),
    "cap.area_km2": ("面积（km²）", "Area (km²)"),
    "cap.pads": ("起降坪数", "Landing pads"),
    "cap.night_capable": ("可夜间起降", "Night operations"),
}


def normalise(lang: str | None) -> str | None:
    """``'en'``, ``'en-GB'`` → ``'en'``; ``'zh'``, ``'zh-CN'`` → ``'zh-CN'``; anything else → None."""
    if not lang:
        return None
    lang = lang.strip()
    if lang.lower().startswith("zh"):
        return "zh-CN"
    if lang.lower().startswith("en"):
        return "en"
    return None


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **params: Any) -> str:
    """The message for ``key`` in ``lang`` with ``params`` filled in; the key itself when unknown."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[0] if lang.startswith("zh") else pair[1]
    return text.format(**params) if params else text


def pick(zh: str, en: str, lang: str) -> str:
    """Choose between a Chinese and an English label."""
    return zh if lang.startswith("zh") else en


class Translator:
    """``t('key', name=…)`` bound to one language, handed to templates."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **params: Any) -> str:
        return translate(key, self.lang, **params)
