"""The simulator's words: what gets reported how often, by whom, and how it is described."""

from __future__ import annotations

import numpy as np

# Relative frequency of each category in reports (exposed garbage, parking,
# stalls and flyers lead in every published city statistic).
NORMAL_CATEGORIES: dict[str, float] = {
    "06010": 14, "09009": 12, "09006": 10, "07001": 10, "06012": 6, "06042": 6, "09001": 5,
    "09011": 5, "06011": 3, "06014": 3, "03005": 3, "01037": 3, "08002": 3, "06001": 2,
    "06029": 2, "08004": 2, "08011": 2, "04002": 2, "02014": 1, "02017": 1, "01001": 1,
    "01002": 1, "01003": 1, "01004": 1, "01011": 0.5, "10002": 0.5, "10003": 0.5, "01067": 0.3,
}  # fmt: skip
RAINSTORM_CATEGORIES: dict[str, float] = {
    **NORMAL_CATEGORIES,
    "10003": 40, "01004": 10, "01003": 6, "04002": 5, "10002": 3, "02014": 3, "01067": 2,
    "06029": 0, "08004": 0, "09006": 4, "09001": 2,
}  # fmt: skip
SNOW_CATEGORIES: dict[str, float] = {
    **NORMAL_CATEGORIES,
    "10001": 30, "04002": 4, "01037": 3, "02014": 2, "09006": 4, "09001": 2, "09011": 2,
    "06029": 0, "08004": 0,
}  # fmt: skip
#: What gets reported in each scenario (a gas leak brings its own calls on top of an ordinary day).
CATEGORIES = {
    "normal": NORMAL_CATEGORIES,
    "rainstorm": RAINSTORM_CATEGORIES,
    "snow": SNOW_CATEGORIES,
    "gas-leak": NORMAL_CATEGORIES,
}
REPORTS_PER_S = {"normal": 0.5, "rainstorm": 1.5, "snow": 1.0, "gas-leak": 0.5}  # demo-accelerated
#: Categories a storm report places at a waterlogging point, most of the time.
FLOOD_CATEGORIES = ("10003", "01003", "01004")
FLOOD_AT_POINT = 0.8
#: Categories reported on a street (at a crossing or by house number), never in an area at large.
STREET_CATEGORIES = frozenset({"10001"})
#: Citizens who smell a gas leak call about it: how many, when after it starts (s), how far off (m).
GAS_SMELL_CATEGORY, GAS_SMELL_CALLS, GAS_SMELL_AFTER_S, GAS_SMELL_M = "01011", 4, (20.0, 180.0), (15.0, 120.0)
GAS_SMELL_WORDS = (
    "附近闻到燃气异味", "附近有刺鼻的燃气味，行人掩鼻绕行", "一带燃气味很重，怀疑燃气管道泄漏",
    "附近井盖缝隙有燃气味冒出",
)  # fmt: skip

# Who reports: inspectors most; AI cameras only what they recognise; sensors only what they measure.
SOURCE_WEIGHTS = {"inspector": 70.0, "hotline": 16.0, "app": 10.0}
VIDEO_CATEGORIES = frozenset({"06010", "09006", "09001", "07001", "09009", "06042"})
SENSOR_CATEGORIES = frozenset({"10003", "01067", "01011", "02014"})
REPORTERS = {"hotline": "12319热线", "app": "市民APP", "video": "视频AI识别", "sensor": "物联感知平台"}
INSPECTORS = 120

DETAILS: dict[str, tuple[str, ...]] = {
    "06010": ("暴露垃圾", "绿化带内暴露垃圾", "路边生活垃圾未清运"),
    "09009": ("机动车乱停放", "机动车占用人行道停放", "车辆占用盲道停放"),
    "09006": ("占道经营", "水果摊占道经营", "早餐摊点占道经营"),
    "07001": ("非法小广告", "电线杆上张贴小广告", "墙面喷涂小广告"),
    "06042": ("垃圾满溢", "垃圾桶满溢未清运"),
    "09011": ("共享单车乱停放", "共享单车堆积占用人行道"),
    "01003": ("雨水井盖缺失", "雨水井盖移位", "雨水井冒水"),
    "01004": ("雨水箅子堵塞", "雨水箅子被杂物覆盖，排水不畅"),
    "04002": ("行道树倾倒", "行道树断枝压占道路"),
    "10001": (
        "路面积雪结冰",
        "路面结冰，车辆打滑",
        "人行道积雪未清扫",
        "桥面结冰，车辆缓行",
        "坡道结冰，行人滑倒",
    ),
    "10003": ("道路积水约{cm}厘米", "道路积水，车辆涉水通行", "积水没过路沿，行人无法通行"),
    "01037": ("路灯不亮", "路灯白天常亮"),
    "02014": ("信号灯故障", "信号灯黑灯"),
    "01001": ("供水井盖破损", "供水井盖缺失"),
    "01002": ("污水井盖破损", "污水井冒溢"),
    "01011": ("燃气井盖松动", "燃气井盖破损"),
    "02017": ("交通护栏损坏", "交通护栏倒伏"),
    "03005": ("垃圾箱破损", "垃圾箱缺失"),
}
CORNERS = {(1, 1): "东北角", (1, -1): "东南角", (-1, -1): "西南角", (-1, 1): "西北角"}
LANDMARKS = ("小区门口", "农贸市场旁", "公交站台旁", "学校门口", "背街小巷")
FRONTAGES = ("门前", "附近", "对面")


def source_weights(category: str) -> dict[str, float]:
    weights = dict(SOURCE_WEIGHTS)
    if category in VIDEO_CATEGORIES:
        weights["video"] = 8.0
    if category in SENSOR_CATEGORIES:
        weights["sensor"] = 25.0
    return weights


def describe(rng: np.random.Generator, category: str, name: str) -> str:
    """What is wrong; a component class (majors 01-05) without words of its own is "abnormal"."""
    options = DETAILS.get(category, (f"{name}异常" if category[:2] <= "05" else name,))
    return str(options[rng.integers(len(options))]).format(cm=rng.integers(5, 40))


# What the simulated people write when a step asks for words (a reason or a text), by action.
WORDS: dict[str, tuple[str, ...]] = {
    "confirm": ("现场核实属实", "现场确认，情况属实", "到场核实，与上报一致"),
    "not_found": ("到达现场，未发现所报问题", "现场问题已不存在", "地址不详，现场未找到"),
    "self_fix": ("监督员已当场处置", "已现场清理完毕", "已当场劝离"),
    "reject": ("不属于城市管理受理范围", "重复上报", "信息不全，无法立案"),
    "reject_not_found": ("核实不属实，不予立案", "现场未发现问题，不予立案"),
    "transfer": ("不属城管职责，转相关部门办理", "属公安交管职责，转办"),
    "return": ("不属我单位职责，请重新派遣", "非我单位管辖范围", "权属不清，退回派遣"),
    "feedback": ("已处理完毕", "已清理完毕，附现场照片", "已整改到位", "已修复，恢复正常"),
    "request_extension": ("需协调相关单位，申请延期", "材料采购中，申请延期", "需大型机械作业，申请延期"),
    "deny_extension": ("理由不充分，请按期处置", "申请的期限已过，请尽快处置"),
    "request_hang": ("需专项资金，暂无法处置", "涉及工程立项，申请挂账", "涉及历史遗留问题，申请挂账"),
    "deny_hang": ("可先行处置，不予挂账", "挂账理由不足，请继续处置"),
    "fail": ("现场仍有残留", "整改不到位", "问题复现，需返工"),
    "appeal": ("暴雨期间无法施工，申请免责", "需协调产权单位，非我单位原因超时", "派遣时已临近时限"),
    "deny_appeal": ("超时理由不成立", "未提供相关证明材料"),
}
