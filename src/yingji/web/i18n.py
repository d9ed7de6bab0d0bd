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
    # --- network analysis (路网分析) on the map; net.* also go to static/js/network.js ---------
    "net.title": ("路网分析", "Network analysis"),
    "net.toggle": ("路网分析", "Network analysis"),
    "net.collapse": ("收起路网分析面板", "Hide the network panel"),
    "net.tabs": ("分析工具", "Tools"),
    "net.unavailable": (
        "未加载路网：请先运行 yingji demo 或 yingji network import 导入路网，路网分析暂不可用。",
        "No road network is loaded: run `yingji demo` or `yingji network import` first; "
        "network analysis is unavailable.",
    ),
    "net.no_population": (
        "未加载人口网格（network/population.csv），覆盖分析和选址不可用。",
        "No population grid is loaded (network/population.csv): coverage and siting are unavailable.",
    ),
    "net.tab.iso": ("等时圈", "Isochrones"),
    "net.tab.nearest": ("最近资源", "Nearest"),
    "net.tab.coverage": ("覆盖分析", "Coverage"),
    "net.tab.closures": ("道路阻断", "Closures"),
    "net.tab.siting": ("消防站选址", "Siting"),
    "net.clear": ("清除", "Clear"),
    "net.run": ("计算", "Run"),
    "net.any": ("全部", "Any"),
    "net.loading": ("计算中…", "Working…"),
    "net.legend": ("图例", "Legend"),
    "net.closures_considered": ("已考虑 {n} 处阻断", "Closures taken into account: {n}"),
    "net.closures_hidden": ("（其中 {n} 处不在您的辖区）", " (outside your area: {n})"),
    "net.minutes": ("{m} 分钟", "{m} min"),
    "net.eta": ("约 {m} 分钟", "≈ {m} min"),
    "net.km": ("{km} 公里", "{km} km"),
    "net.iso.hint": (
        "在地图上点击一点，显示从该点出发在下列时间内可到达的范围。",
        "Click the map: the areas reachable from that point within the times below.",
    ),
    "net.iso.minutes": ("时间阈值（分钟，逗号分隔）", "Thresholds (minutes, comma-separated)"),
    "net.iso.bad_minutes": (
        "请输入 1–8 个 1–240 之间的分钟数，用逗号分隔",
        "Enter 1 to 8 numbers of minutes between 1 and 240, separated by commas",
    ),
    "net.iso.legend_title": ("等时圈（行车）", "Isochrones (driving)"),
    "net.iso.done": ("已绘制 {n} 个等时圈", "{n} isochrones drawn"),
    "net.iso.origin": ("等时圈起点", "Isochrone origin"),
    "net.near.hint": (
        "在地图上点击事发地点，列出最近的资源及预计到达时间；点击列表项显示路线。",
        "Click the incident location: the nearest resources with their ETA; click one for its route.",
    ),
    "net.near.resource": ("资源", "Resource"),
    "net.near.kind": ("类型", "Kind"),
    "net.near.capability": ("专长", "Capability"),
    "net.near.k": ("数量", "How many"),
    "net.near.available_only": ("仅可调用的（待命 / 在用）", "Only available ones (standing by / in service)"),
    "net.near.none": ("没有找到符合条件且可到达的资源", "No reachable resource matches"),
    "net.near.found": ("最近的 {n} 个（按预计到达时间）", "The nearest {n} (by ETA)"),
    "net.near.off_network": (
        "{n} 个资源距道路过远，未参与计算", "Left out, too far from any road: {n}"
    ),
    "net.near.unreachable": ("{n} 个资源无法到达该点", "Cannot reach the point: {n}"),
    "net.near.point": ("事发地点", "Incident location"),
    "net.near.route_hint": ("点击列表项查看路线", "Click an item for its route"),
    "net.route.summary": ("用时 {time} · 距离 {dist}", "{time} · {dist}"),
    "net.route.from": ("路线：{name} → 事发地点", "Route: {name} → incident"),
    "net.cov.kind": ("分析类型", "Analysis"),
    "net.cov.fire": ("消防（5 分钟：出动 1 分钟 + 行驶 4 分钟）", "Fire (5 min: 1 min turnout + 4 min drive)"),
    "net.cov.medical": ("医疗（2 小时）", "Medical (2 h)"),
    "net.cov.shelter": ("避难场所（30 分钟，按容量）", "Shelter (30 min, by capacity)"),
    "net.cov.built_up_only": ("地图只显示建成区的未覆盖网格", "Map: uncovered built-up cells only"),
    "net.cov.division": ("区划", "Division"),
    "net.cov.share": ("覆盖率", "Covered"),
    "net.cov.built_up_share": ("建成区覆盖率", "Built-up covered"),
    "net.cov.uncovered": ("未覆盖人口", "Not covered"),
    "net.cov.served_share": ("安置率", "Sheltered"),
    "net.cov.served": ("可安置人数", "Persons sheltered"),
    "net.cov.total": ("合计", "Total"),
    "net.cov.cells": (
        "地图上显示 {n} 个未覆盖网格（{size} 米见方）",
        "{n} uncovered cells on the map ({size} m squares)",
    ),
    "net.cov.no_cells": ("避难场所分析不生成未覆盖网格", "The shelter analysis has no uncovered cells"),
    "net.cov.legend_title": ("未覆盖网格人口", "Uncovered cells: population"),
    "net.cov.sources": ("{n} 处设施参与计算", "{n} facilities measured from"),
    "net.cov.stale": ("阻断已变化，请重新计算", "The closures have changed: run again"),
    "net.cov.cell_tip": ("人口 {pop} · {division}", "Population {pop} · {division}"),
    "net.cov.built_up": ("建成区", "built-up"),
    "net.cl.rect": ("画矩形", "Rectangle"),
    "net.cl.poly": ("画多边形", "Polygon"),
    "net.cl.finish": ("完成", "Finish"),
    "net.cl.cancel": ("取消", "Cancel"),
    "net.cl.hint_idle": (
        "选择“画矩形”或“画多边形”，在地图上画出阻断范围；范围内的道路在所有路网分析中视为不可通行。",
        "Choose Rectangle or Polygon and draw the closed area on the map; its roads are impassable "
        "in every network analysis.",
    ),
    "net.cl.hint_rect": ("在地图上依次点击矩形的两个对角（Esc 取消）", "Click two opposite corners (Esc cancels)"),
    "net.cl.hint_poly": (
        "依次点击多边形的顶点，点击第一个顶点或“完成”结束（Esc 取消）",
        "Click the corners one by one; click the first one or Finish to end (Esc cancels)",
    ),
    "net.cl.hint_form": ("填写原因并选择区划后保存", "Enter a reason, choose a division and save"),
    "net.cl.reason": ("阻断原因", "Reason"),
    "net.cl.reason_placeholder": ("如：道路积水、施工、交通事故", "e.g. flooding, road works, crash"),
    "net.cl.division": ("所属区划", "Division"),
    "net.cl.save": ("保存阻断", "Save the closure"),
    "net.cl.discard": ("放弃", "Discard"),
    "net.cl.active": ("生效中的阻断", "Active closures"),
    "net.cl.show": ("在地图上显示", "Show on the map"),
    "net.cl.readonly": ("您的角色只能查看阻断", "Your role may only view closures"),
    "net.cl.saved": (
        "已保存阻断“{reason}”，封闭 {n} 个路段（按行驶方向计）",
        "Closure “{reason}” saved: road segments closed (per direction): {n}",
    ),
    "net.cl.cleared": ("已解除阻断“{reason}”", "Closure “{reason}” cleared"),
    "net.cl.deleted": ("已删除阻断“{reason}”", "Closure “{reason}” deleted"),
    "net.cl.clear": ("解除", "Clear"),
    "net.cl.delete": ("删除", "Delete"),
    "net.cl.confirm_delete": ("确定删除阻断“{reason}”吗？", "Delete the closure “{reason}”?"),
    "net.cl.none": ("当前没有生效的阻断", "No active closures"),
    "net.cl.since": ("{time} 起", "since {time}"),
    "net.cl.by": ("登记人：{user}", "Entered by {user}"),
    "net.cl.segments": ("{n} 条路段", "{n} segments"),
    "net.cl.layer": ("道路阻断", "Road closure"),
    "net.cl.need_reason": ("请填写阻断原因", "Enter a reason"),
    "net.cl.need_division": ("请选择区划", "Choose a division"),
    "net.cl.too_few": ("多边形至少需要 3 个顶点", "A polygon needs at least 3 corners"),
    "net.site.hint": (
        "在现有消防站 5 分钟覆盖范围之外，寻找使新增覆盖人口最多的站址。",
        "Sites that add the most people to the 5-minute cover of the existing stations.",
    ),
    "net.site.k": ("新增站点数", "New stations"),
    "net.site.method": ("方法", "Method"),
    "net.site.mip": ("整数规划（最优）", "Integer programme (optimal)"),
    "net.site.greedy": ("贪心（快速）", "Greedy (fast)"),
    "net.site.done": ("建议 {n} 处新站址，新增覆盖 {pop} 人", "{n} suggested sites: {pop} more people covered"),
    "net.site.gained": ("新增覆盖 {pop} 人", "+{pop} people"),
    "net.site.none": ("现有消防站已覆盖可覆盖的全部人口", "The stations already cover everyone they can"),
    "net.site.site": ("建议站址 {rank}", "Suggested site {rank}"),
    "net.site.not_optimal": ("（时间上限内的近似解）", " (best found within the time limit)"),
    "net.err.off_road": (
        "该点距最近道路 {distance} 米（上限 {limit} 米），请在道路附近点击",
        "The point is {distance} m from the nearest road (limit {limit} m): click nearer a road",
    ),
    "net.err.no_network": (
        "未加载路网：请先运行 yingji demo 或 yingji network import",
        "No road network is loaded: run `yingji demo` or `yingji network import`",
    ),
    "net.err.no_population": (
        "未加载人口网格（network/population.csv）", "No population grid is loaded (network/population.csv)"
    ),
    "net.err.no_route": (
        "两点之间没有可通行的路线（道路阻断或单行道）",
        "No open route between the two points (closures or one-way roads)",
    ),
    "net.err.forbidden": ("无权执行此操作", "You are not allowed to do this"),
    "net.err.no_road": ("所画范围内没有道路，未保存", "The area closes no road: not saved"),
    "net.err.no_sources": ("没有在用的相关设施可供计算", "No facility in service to measure from"),
    "net.err.invalid_polygon": ("多边形无效（边不能相交）", "Invalid polygon (its edges must not cross)"),
    "net.err.generic": ("出错了（{status}）：{message}", "Error ({status}): {message}"),
    "net.err.offline": ("无法连接服务器", "The server cannot be reached"),
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


def js_messages(prefix: str, lang: str) -> dict[str, str]:
    """The catalogue's texts under ``prefix`` (e.g. ``sup.js.``) in ``lang``, keys without the
    prefix: what a page embeds for its scripts."""
    idx = 0 if lang.startswith("zh") else 1
    return {k[len(prefix):]: v[idx] for k, v in MESSAGES.items() if k.startswith(prefix)}
