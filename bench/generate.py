"""Synthetic Tianjin credit-ledger records in the exchange format (design.md, issue 5 item 1).

Deterministic from a seed, streamed one enterprise at a time (constant memory in the number of
enterprises), and shaped like the domain:

- valid USCCs (GB 32100-2015 check character via `stdnum.cn.uscc`; positions 3-8 a Tianjin
  registering-authority code, including the retired codes of ID-11 for old enterprises;
  positions 9-17 an organisation code passing the GB 11714 check of ID-03), unique per run;
- current Tianjin district codes (ID-10), Chinese names and addresses;
- the three key sectors (food_production, special_food, special_equipment) and a majority of
  ordinary enterprises without permits;
- permits with 5-year validity (4 years for special equipment, KEY-06) and renewals, revocations
  and cancellations; penalties of every kind (most enterprises have none); inspections;
  commitments and their verification; abnormal listings and removals; serious listings decided
  together with a heavier penalty (SDL-10); repairs that respect PEN-11/PEN-12 and SDL-31;
  corrections (full replacement data, same department) and retractions; and records that
  arrive late.

Records of one enterprise are emitted in an order the intake accepts (domain.consistency);
a bounded window of enterprises is interleaved so that the stream is not sorted by enterprise.

    python bench/generate.py --scale small --seed 1 > small.jsonl
    python bench/generate.py --enterprises 300 --seed 7 --out few.jsonl --stats
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, TextIO

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stdnum.cn.uscc import calc_check_digit  # noqa: E402

from domain.identifiers import TIANJIN_DISTRICTS  # noqa: E402
from domain.records import PenaltyKind  # noqa: E402
from domain.rules.penalty import NEVER_REPAIRABLE_KINDS  # noqa: E402

__all__ = ["SCALES", "Profile", "generate", "write_jsonl", "main"]

# --- time ---------------------------------------------------------------------------------

FIRST_DAY = date(2019, 1, 1).toordinal()
"""The ledger's records start here; older enterprises are registered into it on this date."""
LAST_DAY = date(2026, 11, 20).toordinal()
"""No effective date after this one (never in the future of the tests' today, 2026-11-25)."""

_ISO_BASE = date(1985, 1, 1).toordinal()
_ISO = [date.fromordinal(o).isoformat() for o in range(_ISO_BASE, date(2045, 1, 1).toordinal())]


def _iso(ordinal: int) -> str:
    return _ISO[ordinal - _ISO_BASE]


def _year(ordinal: int) -> int:
    return int(_ISO[ordinal - _ISO_BASE][:4])


def _add_years(ordinal: int, years: int) -> int:
    d = date.fromordinal(ordinal)
    try:
        return d.replace(year=d.year + years).toordinal()
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28).toordinal()


# --- reference data -------------------------------------------------------------------------

DISTRICTS = list(TIANJIN_DISTRICTS)
# Rough weights: Binhai, Xiqing, Wuqing, Beichen, Dongli and Jinnan hold most producers.
_DISTRICT_WEIGHTS = {
    "120101": 3,
    "120102": 4,
    "120103": 6,
    "120104": 6,
    "120105": 4,
    "120106": 3,
    "120110": 7,
    "120111": 9,
    "120112": 7,
    "120113": 8,
    "120114": 9,
    "120115": 5,
    "120116": 18,
    "120117": 3,
    "120118": 5,
    "120119": 4,
}
_DISTRICT_CUM = list(_DISTRICT_WEIGHTS.values())
# ID-11: retired registering-authority codes still found in older USCCs, by current district.
_LEGACY_REGISTRAR = {
    "120116": ("120107", "120108", "120109"),
    "120117": ("120221",),
    "120118": ("120223",),
    "120119": ("120225",),
}
_DISTRICT_ABBR = {
    "120101": "和",
    "120102": "东",
    "120103": "西",
    "120104": "南",
    "120105": "北",
    "120106": "红",
    "120110": "丽",
    "120111": "青",
    "120112": "津南",
    "120113": "辰",
    "120114": "武",
    "120115": "宝",
    "120116": "滨",
    "120117": "宁",
    "120118": "静",
    "120119": "蓟",
}
CITY_AUTHORITY = "天津市市场监督管理委员会"
ENF_AUTHORITY = "天津市市场监管综合行政执法总队"

SECTORS = ("food_production", "special_food", "special_equipment")
PENALTY_KINDS = tuple(kind.value for kind in PenaltyKind)
# PEN-12: penalties whose publicity can never be stopped early (the rules' own set).
NO_EARLY_STOP = frozenset(kind.value for kind in NEVER_REPAIRABLE_KINDS)
LOWER_AMOUNT_FINE = 50_000
"""PEN-10 assumption (Tianjin threshold unconfirmed): fines below this are 'lower-amount'."""

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰志红建国新春海波宁辉鹏飞斌浩宇晨欣怡子涵博文雪梅立东永亮健淑珍凤金云莉晓峰"
_BRAND = "鑫华泰源顺康宏达盛海津兴恒通瑞祥德福佳美新利安信益丰金天宝凯昌汇隆嘉诚博正亿远润辰腾晟鸿泽永联创众和晶港渤沽滨河运昊宸耀铭升骏禾"
_INDUSTRY = {
    "food_production": (
        "食品",
        "乳业",
        "粮油",
        "肉类食品",
        "调味品",
        "饮料",
        "面业",
        "糕点食品",
        "速冻食品",
        "酒业",
        "豆制品",
    ),
    "special_food": ("保健品", "生物科技", "营养品", "婴幼儿营养食品", "医学营养", "健康产业"),
    "special_equipment": ("特种设备", "电梯", "锅炉", "压力容器", "起重机械", "工业气体", "电梯工程"),
    "ordinary": (
        "商贸",
        "科技",
        "物流",
        "建筑工程",
        "信息技术",
        "国际贸易",
        "餐饮管理",
        "文化传媒",
        "机械设备",
        "环保科技",
        "企业管理咨询",
        "服装",
        "五金机电",
        "装饰工程",
        "新材料",
        "汽车服务",
        "医药",
        "电子商务",
        "农业科技",
        "家居",
    ),
}
_INDIVIDUAL_SHOPS = (
    "熟食店",
    "家常菜馆",
    "便利店",
    "烟酒商行",
    "水果店",
    "五金店",
    "理发店",
    "早点铺",
    "粮油店",
    "药店",
)
_COOP_KIND = ("蔬菜种植", "水产养殖", "小站稻种植", "果品", "畜禽养殖", "农机服务")
_ROADS = (
    "南京路",
    "卫津路",
    "黄河道",
    "友谊路",
    "中山路",
    "津塘公路",
    "泰达大街",
    "第三大街",
    "新华路",
    "解放北路",
    "西青道",
    "京津公路",
    "红旗路",
    "复康路",
    "宾水道",
    "津滨大道",
    "北辰道",
    "雍阳西道",
    "宝平公路",
    "津歧公路",
    "洞庭路",
    "黄海路",
    "海河东路",
    "咸阳路",
    "天穆路",
    "津沽公路",
    "开发区第九大街",
)

# Permits: (category, code) per sector; code is the SC food-category code or the equipment class.
_PERMIT_CATEGORIES = {
    "food_production": (
        ("粮食加工品", "101"),
        ("食用油、油脂及其制品", "102"),
        ("调味品", "103"),
        ("肉制品", "104"),
        ("乳制品", "105"),
        ("饮料", "106"),
        ("方便食品", "107"),
        ("饼干", "108"),
        ("速冻食品", "111"),
        ("酒类", "115"),
        ("蔬菜制品", "116"),
        ("糕点", "124"),
        ("豆制品", "125"),
    ),
    "special_food": (("保健食品", "127"), ("特殊医学用途配方食品", "128"), ("婴幼儿配方食品", "129")),
    "special_equipment": (
        ("电梯安装、改造、修理", "3"),
        ("压力容器制造", "2"),
        ("锅炉安装、改造、修理", "1"),
        ("起重机械制造", "4"),
        ("移动式压力容器、气瓶充装", "2"),
        ("压力管道安装", "8"),
    ),
    "other": (("食品经营", "JY"), ("工业产品生产许可", "XK"), ("药品经营", "YP")),
}
_VIOLATIONS = {
    "food_production": (
        ("使用超过保质期的食品原料生产食品", "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项"),
        ("未按规定建立并遵守进货查验记录制度", "《中华人民共和国食品安全法》第一百二十六条第一款第（三）项"),
        ("生产经营标签不符合规定的预包装食品", "《中华人民共和国食品安全法》第一百二十五条第一款第（二）项"),
        ("生产场所卫生条件不符合食品安全标准", "《中华人民共和国食品安全法》第一百二十六条第一款第（五）项"),
        ("超范围、超限量使用食品添加剂", "《中华人民共和国食品安全法》第一百二十四条第一款第（三）项"),
        ("未取得食品生产许可从事食品生产活动", "《中华人民共和国食品安全法》第一百二十二条第一款"),
    ),
    "special_food": (
        ("保健食品标签、说明书涉及疾病预防、治疗功能", "《中华人民共和国食品安全法》第一百二十五条第一款第（二）项"),
        (
            "未按注册的产品配方、生产工艺等技术要求组织生产",
            "《中华人民共和国食品安全法》第一百二十四条第一款第（九）项",
        ),
        ("特殊医学用途配方食品未经注册生产销售", "《中华人民共和国食品安全法》第一百二十四条第一款第（八）项"),
        ("发布虚假保健食品广告", "《中华人民共和国广告法》第五十五条第一款"),
    ),
    "special_equipment": (
        ("使用未经定期检验的特种设备", "《中华人民共和国特种设备安全法》第八十四条第（一）项"),
        ("未经许可从事特种设备安装、改造、修理", "《中华人民共和国特种设备安全法》第七十七条"),
        (
            "特种设备安全管理人员、检测人员和作业人员未取得相应资格",
            "《中华人民共和国特种设备安全法》第八十六条第（一）项",
        ),
        ("电梯维护保养单位未按安全技术规范要求进行维护保养", "《中华人民共和国特种设备安全法》第八十八条第一款"),
        ("对不符合安全技术规范要求的气瓶进行充装", "《中华人民共和国特种设备安全法》第八十五条第二款"),
    ),
    "other": (
        ("销售不符合保障人体健康和人身、财产安全的国家标准的产品", "《中华人民共和国产品质量法》第四十九条"),
        ("发布虚假广告", "《中华人民共和国广告法》第五十五条第一款"),
        ("作虚假的商业宣传，欺骗、误导消费者", "《中华人民共和国反不正当竞争法》第二十条第一款"),
        ("使用未经检定的计量器具", "《中华人民共和国计量法实施细则》第四十三条"),
        ("销售侵犯注册商标专用权的商品", "《中华人民共和国商标法》第六十条第二款"),
        ("不按规定明码标价", "《明码标价和禁止价格欺诈规定》第二十一条"),
    ),
    "drug": (
        ("销售劣药", "《中华人民共和国药品管理法》第一百一十七条第一款"),
        ("未按规定凭处方销售处方药", "《药品流通监督管理办法》第三十八条"),
    ),
}
_INSPECTION_ITEMS = {
    "double_random": (
        "企业公示信息抽查",
        "食品生产企业监督检查",
        "产品质量监督抽查",
        "特种设备使用单位监督检查",
        "广告经营者监督检查",
        "计量器具使用情况检查",
    ),
    "key_supervision": (
        "食品生产企业日常监督检查",
        "特殊食品生产企业体系检查",
        "特种设备生产单位监督检查",
        "电梯维护保养质量检查",
        "气瓶充装单位监督检查",
    ),
    "complaint": ("投诉举报核查",),
    "sampling": ("食品安全监督抽检", "保健食品监督抽检", "婴幼儿配方食品专项抽检"),
}
_COMMITMENT_MATTERS = (
    ("企业住所（经营场所）登记告知承诺", "TJ-GZCN-01"),
    ("食品经营许可告知承诺", "TJ-GZCN-07"),
    ("营业执照变更登记告知承诺", "TJ-GZCN-03"),
    ("信用修复守信承诺", "TJ-XYCN-02"),
)
_COMMITMENT_TEXT = (
    "本单位已知晓告知的全部内容，承诺所填报信息真实、准确，已经符合相关条件和要求，"
    "愿意承担不实承诺、违反承诺的法律责任，承诺内容是本单位真实意思表示。"
)
_ABNORMAL_REMOVAL = {
    "annual_report": "已补报未报年份的年度报告并公示",
    "instant_info": "已履行即时信息公示义务",
    "name_change": "已依法办理企业名称变更登记",
    "unreachable": "依法办理住所变更登记，或提出通过登记的住所可以重新取得联系",
    "false_info": "已更正其公示的虚假信息",
}


@dataclass(frozen=True)
class Profile:
    """Rates that shape the data; `standard` aims at about 10 records per enterprise."""

    sector_shares: tuple[float, float, float] = (0.045, 0.012, 0.025)
    other_permit_share: float = 0.06
    penalty_ordinary: float = 0.07
    penalty_key: float = 0.24
    inspection_ordinary_per_year: float = 0.7
    inspection_key_per_year: float = 2.0
    abnormal_per_year: float = 0.1
    changes_mean: float = 1.8
    commitment_share: float = 0.3
    deregistration_share: float = 0.12
    serious_given_heavy: float = 0.35
    repair_share: float = 0.35
    correction_rate: float = 0.012
    retraction_rate: float = 0.004
    late_rate: float = 0.04
    window: int = 32


PROFILES = {
    "standard": Profile(),
    "demo": Profile(
        sector_shares=(0.36, 0.2, 0.24),
        other_permit_share=0.4,
        penalty_ordinary=0.35,
        penalty_key=0.55,
        inspection_ordinary_per_year=0.5,
        inspection_key_per_year=0.6,
        abnormal_per_year=0.06,
        changes_mean=1.0,
        commitment_share=0.35,
        deregistration_share=0.06,
        serious_given_heavy=0.6,
        repair_share=0.8,
        correction_rate=0.05,
        retraction_rate=0.01,
        late_rate=0.05,
        window=6,
    ),
}
SCALES: dict[str, tuple[int, str]] = {
    "small": (10_000, "standard"),
    "design": (1_000_000, "standard"),
    "demo": (50, "demo"),
}

# --- identifiers ----------------------------------------------------------------------------

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_GB11714_VALUE = {ch: (int(ch) if ch.isdigit() else ord(ch) - 55) for ch in _USCC_ALPHABET}


def organisation_code(body: str) -> str:
    """The 9-character organisation code for 8 body characters (GB 11714, rulebook ID-03)."""
    remainder = 11 - sum(_GB11714_VALUE[ch] * w for ch, w in zip(body, _GB11714_WEIGHTS, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(remainder, str(remainder))


def make_uscc(prefix: str, registrar: str, body: str) -> str:
    """USCC from the 2-character prefix, the 6-digit registrar code and an 8-character body."""
    code = prefix + registrar + organisation_code(body)
    return code + calc_check_digit(code)


def _base31(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 31)
        out.append(_USCC_ALPHABET[r])
    return "".join(reversed(out))


# Each scheme is an affine permutation of the enterprise index, so codes never repeat in a run.
_MOD_NUMERIC, _MOD_INDIVIDUAL, _MOD_NEW = 10**8, 10**7, 31**6


# --- the generator --------------------------------------------------------------------------


class _Enterprise:
    """Everything about one enterprise while its records are being built."""

    __slots__ = (
        "uscc",
        "district",
        "bureau",
        "sector",
        "kind",
        "reg",
        "act_end",
        "dereg",
        "events",
        "n",
        "permits",
        "penalties",
        "abnormal",
        "serious",
        "key",
        "name",
        "brand",
        "address",
        "legal_rep",
    )


class _Generator:
    def __init__(self, seed: int, profile: Profile):
        self.rng = random.Random(seed)
        self._random = self.rng.random
        self.profile = profile
        self.counters: dict[tuple[str, str], int] = {}
        r = random.Random(f"uscc-{seed}")
        self.affine = {
            "numeric": (r.randrange(1, _MOD_NUMERIC // 10) * 10 + 3, r.randrange(_MOD_NUMERIC)),
            "individual": (r.randrange(1, _MOD_INDIVIDUAL // 10) * 10 + 7, r.randrange(_MOD_INDIVIDUAL)),
            "new": (r.randrange(1, 28_000_000) * 31 + 5, r.randrange(_MOD_NEW)),
        }

    # -- small helpers

    def _next(self, dept: str, kind: str) -> int:
        key = (dept, kind)
        n = self.counters.get(key, 0) + 1
        self.counters[key] = n
        return n

    def _rid(self, dept: str, kind: str, day: int) -> str:
        return f"{kind}-{_year(day)}-{self._next(dept, kind):07d}"

    def _decision_no(self, dept: str, day: int) -> str:
        year = _year(day)
        n = self._next(dept, f"decision-{year}")
        if dept == "TJ-ENF":
            return f"津市监执罚〔{year}〕{n}号"
        return f"津{_DISTRICT_ABBR[dept[-6:]]}市监罚〔{year}〕{n}号"

    def _day(self, lo: int, hi: int) -> int:
        return lo + int(self._random() * (hi - lo + 1)) if hi > lo else lo

    def _person(self) -> str:
        rng = self.rng
        given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
        return rng.choice(_SURNAMES) + given

    def _address(self, district: str) -> str:
        rng = self.rng
        addr = f"天津市{TIANJIN_DISTRICTS[district]}{rng.choice(_ROADS)}{rng.randrange(1, 999)}号"
        if rng.random() < 0.5:
            addr += f"{rng.randrange(1, 30)}号楼{rng.randrange(1, 25)}{rng.randrange(1, 20):02d}室"
        return addr

    def _add(
        self,
        e: _Enterprise,
        rtype: str,
        day: int,
        dept: str,
        kind: str,
        data: dict[str, Any],
        movable: bool = False,
        record_id: str | None = None,
    ) -> dict[str, Any]:
        rec = {
            "type": rtype,
            "uscc": e.uscc,
            "effective_on": _iso(day),
            "source": {
                "department": dept,
                "record_id": record_id or self._rid(dept, kind, day),
                "operator": f"officer-{int(self._random() * 399) + 1}",
            },
            "data": data,
        }
        e.n += 1
        e.events.append([day, e.n, rec, movable])
        return rec

    # -- one enterprise

    def enterprise(self, index: int) -> list[dict[str, Any]]:
        rng, p = self.rng, self.profile
        e = _Enterprise()
        e.events, e.n, e.permits, e.penalties, e.abnormal, e.serious = [], 0, [], [], [], []

        x = rng.random()
        shares = p.sector_shares
        if x < shares[0]:
            e.sector = "food_production"
        elif x < shares[0] + shares[1]:
            e.sector = "special_food"
        elif x < shares[0] + shares[1] + shares[2]:
            e.sector = "special_equipment"
        else:
            e.sector = "ordinary"
        e.key = e.sector != "ordinary"
        x = rng.random()
        if e.key:
            e.kind = "branch" if x < 0.08 else "enterprise"
        else:
            e.kind = (
                "enterprise"
                if x < 0.8
                else "individual_business"
                if x < 0.92
                else "branch"
                if x < 0.98
                else "cooperative"
            )
        e.district = rng.choices(DISTRICTS, _DISTRICT_CUM)[0]
        e.bureau = f"TJ-D{e.district}"

        # Established: a long tail back to 1992, most recently (enterprise growth).
        x = rng.random()
        if x < 0.48:
            established = self._day(FIRST_DAY, LAST_DAY - 200)
        elif x < 0.85:
            established = self._day(date(2010, 1, 1).toordinal(), FIRST_DAY - 1)
        else:
            established = self._day(date(1992, 1, 1).toordinal(), date(2010, 1, 1).toordinal())
        e.reg = max(established, FIRST_DAY)
        self._identity(e, index, established)

        # Deregistration (and its horizon): every other record falls on or before it.
        e.dereg = None
        e.act_end = LAST_DAY
        if rng.random() < p.deregistration_share * (0.5 if e.key else 1.0) and e.reg + 200 < LAST_DAY:
            e.dereg = self._day(e.reg + 180, LAST_DAY)
            e.act_end = e.dereg

        self._permit_plans(e)
        self._penalties(e)
        self._abnormal(e)
        self._inspections(e)
        self._commitments(e)
        self._changes(e)
        self._repairs(e)
        self._emit_permits(e)
        if e.dereg is not None:
            self._add(e, "enterprise.deregistered", e.dereg, e.bureau, "ZX", {})
        self._amendments(e)

        events = e.events
        events.sort(key=lambda ev: (ev[0], ev[1]))
        self._arrive_late(events)
        return [ev[2] for ev in events]

    def _identity(self, e: _Enterprise, index: int, established: int) -> None:
        rng = self.rng
        registrar = e.district
        if established < date(2016, 1, 1).toordinal() and e.district in _LEGACY_REGISTRAR and rng.random() < 0.5:
            registrar = rng.choice(_LEGACY_REGISTRAR[e.district])
        elif rng.random() < 0.06:
            registrar = "120000"  # municipal registrar (ID-11)
        prefix = {"individual_business": "92", "cooperative": "93"}.get(e.kind, "91")
        if e.kind == "individual_business":
            a, b = self.affine["individual"]
            body = f"L{(a * index + b) % _MOD_INDIVIDUAL:07d}"
        elif established < date(2015, 10, 1).toordinal():
            a, b = self.affine["numeric"]
            body = f"{(a * index + b) % _MOD_NUMERIC:08d}"
        else:
            a, b = self.affine["new"]
            body = "MA" + _base31((a * index + b) % _MOD_NEW, 6)
        e.uscc = make_uscc(prefix, registrar, body)

        dname = TIANJIN_DISTRICTS[e.district]
        brand = e.brand = rng.choice(_BRAND) + rng.choice(_BRAND)
        if e.kind == "individual_business":
            e.name = f"{dname}{rng.choice(_SURNAMES)}记{rng.choice(_INDIVIDUAL_SHOPS)}"
        elif e.kind == "cooperative":
            e.name = f"天津市{dname}{brand}{rng.choice(_COOP_KIND)}专业合作社"
        else:
            industry = rng.choice(_INDUSTRY["ordinary" if not e.key else e.sector])
            x = rng.random()
            form = "股份有限公司" if x < 0.05 else "有限责任公司" if x < 0.2 else "有限公司"
            x = rng.random()
            if x < 0.5:
                e.name = f"天津{brand}{industry}{form}"
            elif x < 0.8:
                e.name = f"天津市{brand}{industry}{form}"
            elif x < 0.93:
                e.name = f"天津{dname.removesuffix('区').removesuffix('新')}{brand}{industry}{form}"
            else:
                e.name = f"{brand}（天津）{industry}{form}"
            if e.kind == "branch":
                e.name += f"{dname.removesuffix('区').removesuffix('新')}分公司"
        e.address = self._address(e.district)
        e.legal_rep = self._person()
        data = {
            "name": e.name,
            "district_code": e.district,
            "entity_kind": e.kind,
            "established_on": _iso(established),
            "address": e.address,
        }
        if e.kind != "branch":
            data["legal_representative"] = e.legal_rep
        self._add(e, "enterprise.registered", e.reg, e.bureau, "DJ", data)

    # -- permits: planned first (penalties may revoke them), emitted last

    def _permit_plans(self, e: _Enterprise) -> None:
        rng = self.rng
        sectors: list[str] = []
        if e.key:
            sectors.append(e.sector)
            if e.sector == "special_equipment" and rng.random() < 0.3:
                sectors.append(e.sector)
            elif e.sector == "special_food" and rng.random() < 0.25:
                sectors.append("food_production")
        elif e.kind in ("enterprise", "individual_business") and rng.random() < self.profile.other_permit_share:
            sectors.append("other")
        seen: set[str] = set()
        for sector in sectors:
            if e.reg == FIRST_DAY:  # the enterprise predates the ledger: its current permit cycle
                granted = self._day(FIRST_DAY, min(date(2023, 12, 31).toordinal(), e.act_end))
            else:
                granted = e.reg + rng.randrange(15, 200)
            if granted > e.act_end - 5:
                continue
            category, code = rng.choice(_PERMIT_CATEGORIES[sector])
            permit_no = self._permit_no(sector, code, e.district)
            if permit_no in seen:
                continue
            seen.add(permit_no)
            e.permits.append(
                {"sector": sector, "category": category, "permit_no": permit_no, "granted": granted, "revoked": None}
            )

    def _permit_no(self, sector: str, code: str, district: str) -> str:
        county = district[-2:]
        if sector in ("food_production", "special_food"):
            seq = self._next("SC", code + county) % 10_000
            digits = f"{code}1201{county}{seq:04d}"
            return f"SC{digits}{sum(int(c) for c in digits) % 10}"
        if sector == "special_equipment":
            return f"TS{code}12{self._next('TS', code) % 100_000:05d}"
        seq = self._next("OT", code + county) % 1_000_000
        if code == "JY":
            return f"JY11201{county}{seq:06d}{seq % 7}"
        if code == "XK":
            return f"（津）XK{seq % 100:02d}-{seq:06d}"
        return f"津AA{county}{seq:05d}"

    def _emit_permits(self, e: _Enterprise) -> None:
        rng = self.rng
        for permit in e.permits:
            sector = permit["sector"]
            if sector in ("food_production", "other"):
                dept, authority = e.bureau, f"天津市{TIANJIN_DISTRICTS[e.district]}市场监督管理局"
            elif sector == "special_food":
                dept, authority = "TJ-LIC", CITY_AUTHORITY
            else:
                dept, authority = "TJ-SE", CITY_AUTHORITY
            years = 4 if sector == "special_equipment" else 5  # KEY-06
            granted = permit["granted"]
            if granted > e.act_end:
                continue  # activity ended (licence revoked, closure) before the grant
            stop = permit["revoked"] or e.act_end
            valid_until = _add_years(granted, years) - 1
            self._add(
                e,
                "permit.granted",
                granted,
                dept,
                "XK",
                {
                    "permit_no": permit["permit_no"],
                    "sector": sector,
                    "category": permit["category"],
                    "valid_from": _iso(granted),
                    "valid_until": _iso(valid_until),
                    "issuing_authority": authority,
                },
            )
            last = granted
            ended = False
            while True:
                renew_on = valid_until - rng.randrange(20, 120)
                if renew_on > stop or renew_on <= last:
                    break
                if permit["revoked"] is not None or rng.random() < 0.85:
                    valid_until = _add_years(valid_until, years)
                    self._add(
                        e,
                        "permit.renewed",
                        renew_on,
                        dept,
                        "YX",
                        {"permit_no": permit["permit_no"], "valid_until": _iso(valid_until)},
                    )
                    last = renew_on
                else:  # not renewed: cancelled ex officio after expiry (KEY-04)
                    cancel_on = valid_until + rng.randrange(10, 60)
                    if cancel_on <= stop and permit["revoked"] is None:
                        self._add(
                            e,
                            "permit.cancelled",
                            cancel_on,
                            dept,
                            "ZXXK",
                            {"permit_no": permit["permit_no"], "reason": "许可有效期届满未申请延续，依法注销"},
                        )
                        ended = True
                    break
            if permit["revoked"] is not None:
                continue  # the penalty emitted permit.revoked
            if ended:
                continue
            if e.dereg is not None and e.dereg >= last:
                self._add(
                    e,
                    "permit.cancelled",
                    self._day(max(last, e.dereg - 30), e.dereg),
                    dept,
                    "ZXXK",
                    {"permit_no": permit["permit_no"], "reason": "企业申请注销，许可证件一并注销"},
                )
            elif e.dereg is None and e.act_end < LAST_DAY and e.act_end + 45 <= LAST_DAY:
                # Licence revoked or closed: the permit is cancelled ex officio (KEY-04).
                self._add(
                    e,
                    "permit.cancelled",
                    max(last, e.act_end + rng.randrange(5, 45)),
                    dept,
                    "ZXXK",
                    {"permit_no": permit["permit_no"], "reason": "营业执照被吊销，依法注销许可证件"},
                )

    # -- penalties, serious listings, licence revocation

    def _penalties(self, e: _Enterprise) -> None:
        rng, p = self.rng, self.profile
        if rng.random() >= (p.penalty_key if e.key else p.penalty_ordinary):
            return
        x = rng.random()
        count = 1 if x < 0.75 else 2 if x < 0.93 else 3
        first = e.reg + 60
        if first >= e.act_end:
            return
        days = sorted(self._day(first, e.act_end) for _ in range(count))
        for day in days:
            if day > e.act_end:  # a closure or licence revocation ended activity
                break
            self._penalty(e, day)

    def _penalty(self, e: _Enterprise, day: int) -> None:
        rng = self.rng
        if e.key:
            x = rng.random()
            sector: str | None = e.sector if x < 0.8 else "other"
        else:
            x = rng.random()
            sector = "other" if x < 0.92 else "drug"
        violation, basis = rng.choice(_VIOLATIONS[sector])
        dept = "TJ-ENF" if rng.random() < 0.35 else e.bureau
        active_permits = [q for q in e.permits if q["granted"] < day and q["revoked"] is None]

        x = rng.random()
        procedure = "ordinary"
        fine: int | None = None
        confiscated: int | None = None
        years: int | None = None
        if x < 0.16:  # simplified procedure (当场处罚): warning or a small fine
            procedure = "simplified"
            kinds = ["warning"] if rng.random() < 0.45 else ["fine"]
            if kinds == ["fine"]:
                fine = rng.choice((50, 100, 200)) if e.kind == "individual_business" else rng.randrange(2, 31) * 100
        elif x < 0.27:
            kinds = ["warning"]
        elif x < 0.30:
            kinds = ["criticism"]
        elif x < 0.60:
            kinds = ["fine"]
        elif x < 0.68:
            kinds = ["warning", "fine"]
        elif x < 0.85:
            kinds = ["fine", "confiscation"]
        elif x < 0.89:
            kinds = ["fine", "confiscation", "suspension"]
        elif x < 0.92:
            kinds = ["fine", "permit_revocation"] if active_permits else ["fine", "confiscation"]
        elif x < 0.945:
            kinds = ["fine", "confiscation", "restriction"]
        elif x < 0.97:
            kinds = ["fine", "ban"]
        elif x < 0.98:
            kinds = ["qualification_downgrade"] if e.sector == "special_equipment" else ["fine", "suspension"]
        elif x < 0.992:
            kinds = ["fine", "licence_revocation"]
        else:
            kinds = ["fine", "confiscation", "closure"]
        if "fine" in kinds and fine is None:
            # Roughly log-uniform 2,000-500,000 yuan; heavier for key-sector violations.
            top = 5.7 if e.key else 5.3
            low = 4.5 if NO_EARLY_STOP & set(kinds) else 3.3  # severe measures come with larger fines
            fine = int(round(10 ** rng.uniform(low, max(top, low + 0.5)), -2))
        if "confiscation" in kinds:
            confiscated = int(round(10 ** rng.uniform(2.5, 5.0), -1))
        if "restriction" in kinds or "ban" in kinds:
            years = rng.choice((1, 3, 5, 5, 10)) if "ban" in kinds else rng.choice((1, 2, 3, 5))

        decision_no = self._decision_no(dept, day)
        data: dict[str, Any] = {"decision_no": decision_no, "procedure": procedure, "penalty_kinds": kinds}
        if fine is not None:
            data["fine_yuan"] = f"{fine}.00"
        if confiscated is not None:
            data["confiscated_yuan"] = f"{confiscated}.{rng.randrange(100):02d}"
        if years is not None:
            data["restriction_years"] = years
        data["violation"] = violation
        data["legal_basis"] = basis
        if rng.random() < 0.8:
            data["sector"] = sector
        published = None
        if procedure == "ordinary" and kinds != ["warning"]:  # PEN-01
            published = day + rng.randrange(3, 27)
            if published <= LAST_DAY:
                data["published_on"] = _iso(published)
            else:
                published = None
        heavy = bool(NO_EARLY_STOP & set(kinds)) or (fine or 0) >= 200_000
        dependents = False
        movable = True
        self._add(e, "penalty.decided", day, dept, "CF", data, record_id=decision_no)
        pen = {
            "decision_no": decision_no,
            "dept": dept,
            "day": day,
            "kinds": kinds,
            "fine": fine,
            "published": published,
            "procedure": procedure,
            "sector": sector,
            "serious": None,
            "revoked": None,
            "rec": e.events[-1],
        }
        e.penalties.append(pen)

        if "permit_revocation" in kinds:
            permit = rng.choice(active_permits)
            permit["revoked"] = day
            self._add(
                e,
                "permit.revoked",
                day,
                dept,
                "CX",
                {"permit_no": permit["permit_no"], "kind": "revoked", "decision_no": decision_no},
            )
            dependents = True
        if "licence_revocation" in kinds or "closure" in kinds:
            if "licence_revocation" in kinds:
                self._add(e, "enterprise.licence_revoked", day, dept, "DX", {"decision_no": decision_no})
            e.act_end = day  # no further activity; deregistration may follow
            if e.dereg is None and rng.random() < 0.6 and day + 30 < LAST_DAY:
                e.dereg = self._day(day + 20, min(day + 400, LAST_DAY))
            elif e.dereg is not None:
                e.dereg = max(e.dereg, day)
            dependents = True
        if heavy and rng.random() < self.profile.serious_given_heavy * (1.0 if e.key else 0.4):
            # SDL-10: decided together with the penalty by the same authority; SDL-12 approval.
            listing_id = f"{decision_no}-SX"
            serious: dict[str, Any] = {
                "listing_id": listing_id,
                "grounds": f"{violation}，情节严重，受到较重行政处罚",
                "penalty_decision_no": decision_no,
            }
            if dept != "TJ-ENF":
                serious["approved_by"] = CITY_AUTHORITY
            if years is not None and years > 3:
                serious["restriction_years"] = years
            self._add(e, "serious.listed", day, dept, "SX", serious)
            end = _add_years(day, max(3, years or 0))  # SDL-30: removal is derived, not recorded
            # SDL-31: no early removal while the measure period (the restriction) runs.
            pen["serious"] = {
                "listing_id": listing_id,
                "start": day,
                "end": end,
                "dept": dept,
                "measures_end": _add_years(day, years) if years else day,
            }
            e.serious.append(pen["serious"])
            dependents = True
        if procedure == "ordinary" and rng.random() < 0.02 and day + 40 < e.act_end:
            # Revoked on reconsideration; a listing built on it is revoked too (SDL-34).
            revoked_on = self._day(day + 30, min(day + 300, e.act_end))
            self._add(
                e,
                "penalty.revoked",
                revoked_on,
                dept,
                "CXCF",
                {"decision_no": decision_no, "reason": "经行政复议，原处罚决定被撤销"},
            )
            pen["revoked"] = revoked_on
            if pen["serious"] is not None:
                s = pen["serious"]
                self._add(
                    e,
                    "serious.removed",
                    self._day(revoked_on, min(revoked_on + 4, e.act_end)),
                    dept,
                    "SXYC",
                    {"listing_id": s["listing_id"], "kind": "penalty_annulled"},
                )
                s["end"] = min(s["end"], revoked_on)
            dependents = True
        pen["rec"][3] = movable and not dependents

    # -- abnormal operations list

    def _abnormal(self, e: _Enterprise) -> None:
        rng, p = self.rng, self.profile
        open_until = 0
        for year in range(_year(e.reg) + 1, _year(e.act_end) + 1):
            if rng.random() >= p.abnormal_per_year:
                continue
            x = rng.random()
            if x < 0.75:  # AOL-03: within 10 WD after 30 June
                reason, day = "annual_report", date(year, 7, 1).toordinal() + rng.randrange(0, 14)
            else:
                reason = (
                    "unreachable"
                    if x < 0.9
                    else "instant_info"
                    if x < 0.96
                    else ("name_change" if year >= 2025 else "false_info")
                )
                day = date(year, 1, 1).toordinal() + rng.randrange(365)
            if day <= max(open_until, e.reg) or day > e.act_end:
                continue
            self._list_abnormal(e, day, reason)
            open_until = e.abnormal[-1]["end"] or 10**9

    def _list_abnormal(self, e: _Enterprise, day: int, reason: str) -> None:
        rng = self.rng
        listing_id = self._rid(e.bureau, "YC", day)
        self._add(e, "abnormal.listed", day, e.bureau, "YCLR", {"listing_id": listing_id, "reason": reason})
        listing = {"listing_id": listing_id, "start": day, "end": None, "reason": reason, "repair": False}
        e.abnormal.append(listing)
        if rng.random() < 0.7:
            removed = day + int(rng.expovariate(1 / 150)) + 10
            if removed <= e.act_end:
                listing["end"] = removed
                listing["repair"] = rng.random() < self.profile.repair_share
                if not listing["repair"]:
                    self._add(
                        e,
                        "abnormal.removed",
                        removed,
                        e.bureau,
                        "YCYC",
                        {"listing_id": listing_id, "reason": _ABNORMAL_REMOVAL[reason]},
                    )

    def _abnormal_at(self, e: _Enterprise, day: int) -> bool:
        return any(a["start"] <= day and (a["end"] is None or day < a["end"]) for a in e.abnormal)

    def _serious_at(self, e: _Enterprise, day: int) -> bool:
        return any(s["start"] <= day < s["end"] for s in e.serious)

    # -- inspections, commitments, changes

    def _inspections(self, e: _Enterprise) -> None:
        rng, p = self.rng, self.profile
        rate = p.inspection_key_per_year if e.key else p.inspection_ordinary_per_year
        span = e.act_end - e.reg
        if span <= 0:
            return
        expected = rate * span / 365.25
        count = int(expected) + (rng.random() < expected - int(expected))
        for _ in range(count):
            day = self._day(e.reg + 1, e.act_end)
            x = rng.random()
            if e.key:
                kind = (
                    "key_supervision"
                    if x < 0.45
                    else "sampling"
                    if x < 0.75 and e.sector != "special_equipment"
                    else "double_random"
                    if x < 0.95
                    else "complaint"
                )
            else:
                kind = "double_random" if x < 0.85 else "complaint"
            if kind == "sampling":
                item = rng.choice(
                    _INSPECTION_ITEMS["sampling"][:1]
                    if e.sector == "food_production"
                    else _INSPECTION_ITEMS["sampling"][1:]
                )
            elif kind == "key_supervision":
                item = (
                    _INSPECTION_ITEMS[kind][0]
                    if e.sector == "food_production"
                    else _INSPECTION_ITEMS[kind][1]
                    if e.sector == "special_food"
                    else rng.choice(_INSPECTION_ITEMS[kind][2:])
                )
            else:
                item = rng.choice(_INSPECTION_ITEMS[kind])
            x = rng.random()
            result = (
                "compliant"
                if x < 0.8
                else "issues_found"
                if x < 0.9
                else "rectification_ordered"
                if x < 0.96
                else "not_at_address"
                if x < 0.995 and not e.key
                else "refused"
            )
            dept = "TJ-SE" if e.sector == "special_equipment" and kind != "double_random" else e.bureau
            task = f"TJ-{'SJ' if kind == 'double_random' else 'JC'}-{_year(day)}-{rng.randrange(1, 60):03d}"
            self._add(
                e,
                "inspection.concluded",
                day,
                dept,
                "JC",
                {"task_id": task, "item": item, "kind": kind, "result": result},
                movable=True,
            )
            if result == "not_at_address" and rng.random() < 0.6:  # AOL-06
                listed = day + rng.randrange(16, 45)
                if (
                    listed <= e.act_end
                    and not self._abnormal_at(e, listed)
                    and not any(a["start"] >= listed for a in e.abnormal)
                ):
                    self._list_abnormal(e, listed, "unreachable")

    def _commitments(self, e: _Enterprise) -> None:
        rng = self.rng
        if rng.random() >= self.profile.commitment_share or e.reg + 30 >= e.act_end:
            return
        day = self._day(e.reg, e.act_end - 20)
        if self._serious_at(e, day):  # COM-04, SDL-20
            return
        matter, template = rng.choice(_COMMITMENT_MATTERS[:3])
        dept = e.bureau
        cid = self._rid(dept, "CN", day)
        self._add(
            e,
            "commitment.made",
            day,
            dept,
            "CNLR",
            {
                "commitment_id": cid,
                "matter": matter,
                "text": _COMMITMENT_TEXT,
                "template_id": template,
                "consent_to_publish": rng.random() < 0.7,
            },
            movable=True,
        )
        made = e.events[-1]
        verified = day + rng.randrange(30, 200)
        if verified <= e.act_end and rng.random() < 0.8:
            made[3] = False
            if rng.random() < 0.9:
                data: dict[str, Any] = {"commitment_id": cid, "outcome": "fulfilled"}
            else:
                data = {
                    "commitment_id": cid,
                    "outcome": "untrue",
                    "consequence": rng.choice(("terminated", "rectification_ordered", "decision_revoked")),
                }
            self._add(e, "commitment.verified", verified, dept, "CNHC", data)

    def _changes(self, e: _Enterprise) -> None:
        rng = self.rng
        mean = self.profile.changes_mean
        count = 0
        while rng.random() < mean / (mean + 1):
            count += 1
        for _ in range(count):
            if e.reg + 10 >= e.act_end:
                return
            day = self._day(e.reg + 10, e.act_end)
            data: dict[str, Any] = {}
            x = rng.random()
            if x < 0.55:
                data["address"] = self._address(e.district)
            if x > 0.4 and e.kind != "branch":
                data["legal_representative"] = self._person()
            if (not data or rng.random() < 0.05) and e.kind in ("enterprise", "branch"):
                brand = rng.choice(_BRAND) + rng.choice(_BRAND)
                e.name, e.brand = e.name.replace(e.brand, brand, 1), brand
                data["name"] = e.name
            if not data:
                data["address"] = self._address(e.district)
            self._add(e, "enterprise.changed", day, e.bureau, "BG", data, movable=True)

    # -- repairs (PEN-11/12, SDL-31, AOL-10)

    def _repair(
        self,
        e: _Enterprise,
        dept: str,
        applied: int,
        kind: str,
        ref: str,
        *,
        effect: tuple[str, dict[str, Any]] | None = None,
        finish_on: int | None = None,
    ) -> int | None:
        """Emit applied → accepted → granted/denied (or rejected).

        Returns the day the repair took effect (the grant, or the removal it causes), or None.
        With `finish_on`, the application is granted and its effect falls on that day.
        """
        rng = self.rng
        if finish_on is not None:
            effect_on = finish_on
            decided = effect_on - rng.randrange(0, 3)
            accepted = decided - rng.randrange(3, 6)  # AOL-10: 5 WD
            applied = accepted - rng.randrange(1, 3)
        else:
            accepted = applied + rng.randrange(1, 4)  # SDL-32: 2 WD
            decided = accepted + rng.randrange(5, 22)  # SDL-32: 15 WD
            effect_on = decided + rng.randrange(0, 4)  # SDL-33: 3 WD
            if effect_on > e.act_end:
                return None
        app_id = self._rid(dept, "XFSQ", applied)
        self._add(
            e, "repair.applied", applied, dept, "XF", {"application_id": app_id, "target_kind": kind, "target_ref": ref}
        )
        if finish_on is None and rng.random() < 0.08:
            self._add(
                e,
                "repair.rejected",
                accepted,
                dept,
                "XF",
                {"application_id": app_id, "reason": "申请材料不齐全，不予受理"},
            )
            return None
        self._add(e, "repair.accepted", accepted, dept, "XF", {"application_id": app_id})
        if finish_on is None and rng.random() < 0.2:
            self._add(
                e,
                "repair.denied",
                decided,
                dept,
                "XF",
                {"application_id": app_id, "reason": "经核查，不符合信用修复条件"},
            )
            return None
        self._add(e, "repair.granted", decided, dept, "XF", {"application_id": app_id})
        if effect is None:
            return decided
        rtype, data = effect
        self._add(e, rtype, effect_on, dept, "YCYC" if rtype == "abnormal.removed" else "SXYC", data)
        return effect_on

    def _repairs(self, e: _Enterprise) -> None:
        rng, p = self.rng, self.profile
        # Abnormal list: removals planned as repairs (REP-03, AOL-10: decision within 5 WD).
        for a in e.abnormal:
            if a["repair"]:
                removal = (
                    "abnormal.removed",
                    {"listing_id": a["listing_id"], "reason": _ABNORMAL_REMOVAL[a["reason"]]},
                )
                if a["start"] + 12 < a["end"] < _add_years(a["start"], 3) - 30:  # AOL-11 (2014 regime)
                    self._repair(e, e.bureau, 0, "abnormal", a["listing_id"], effect=removal, finish_on=a["end"])
                else:
                    self._add(e, removal[0], a["end"], e.bureau, "YCYC", removal[1])
        # Serious list: early removal after at least 1 Y listed (SDL-31), not while measures run.
        for s in e.serious:
            if rng.random() >= p.repair_share:
                continue
            applied = max(_add_years(s["start"], 1), s["measures_end"]) + 14 + rng.randrange(0, 500)
            if applied >= s["end"] - 30 or applied > e.act_end:
                continue
            if any(s["start"] < q["day"] <= applied + 30 for q in e.penalties):
                continue  # a further penalty blocks it (SDL-31(3))
            removed = self._repair(
                e,
                s["dept"],
                applied,
                "serious",
                s["listing_id"],
                effect=("serious.removed", {"listing_id": s["listing_id"], "kind": "early_repair"}),
            )
            if removed is not None:
                s["end"] = removed
        # Penalty publicity: early stop after 1 Y (food, drug, special equipment) or 6 M (PEN-11),
        # never for the PEN-12 kinds nor for a warning, criticism or lower-amount fine alone.
        for q in e.penalties:
            if q["published"] is None or q["revoked"] is not None or q["serious"] is not None:
                continue
            kinds = set(q["kinds"])
            if kinds & NO_EARLY_STOP:
                continue
            if kinds <= {"warning", "criticism", "fine"} and (q["fine"] or 0) < LOWER_AMOUNT_FINE:
                continue
            if rng.random() >= p.repair_share:
                continue
            strict = e.key or q["sector"] in ("food_production", "special_food", "special_equipment", "drug")
            minimum = _add_years(q["published"], 1) if strict else q["published"] + 184
            applied = minimum + 14 + rng.randrange(0, 400)  # 14: a period ending on a holiday rolls on
            if applied >= _add_years(q["published"], 3) - 30 or applied > e.act_end:
                continue
            if any(q["day"] < r["day"] <= applied + 30 for r in e.penalties if r is not q):
                continue  # penalised again (PEN-11(3)); keep away from any later penalty
            if any(self._abnormal_at(e, d) or self._serious_at(e, d) for d in (applied, applied + 30)):
                continue  # PEN-11(4)
            self._repair(e, q["dept"], applied, "penalty", q["decision_no"])
            q["rec"][3] = False

    # -- corrections and retractions

    def _amendments(self, e: _Enterprise) -> None:
        rng, p = self.rng, self.profile
        targets = [ev for ev in e.events if ev[2]["type"] in _CORRECTABLE]
        for ev in targets:
            x = rng.random()
            rec = ev[2]
            if x < p.correction_rate:
                replacement = self._corrected(e, rec)
                if replacement is None:
                    continue
            elif x < p.correction_rate + p.retraction_rate and ev[3] and rec["type"] in _RETRACTABLE:
                replacement = None
            else:
                continue
            src = rec["source"]
            day = min(ev[0] + rng.randrange(1, 120), LAST_DAY)
            target = {"department": src["department"], "record_id": src["record_id"]}
            if replacement is not None:
                self._add(e, "record.corrected", day, src["department"], "GZ", {"target": target, "data": replacement})
            else:
                self._add(
                    e,
                    "record.retracted",
                    day,
                    src["department"],
                    "CH",
                    {"target": target, "reason": rng.choice(("录入错误，该记录不属于本企业", "重复录入"))},
                )
            ev[3] = False  # an amended record stays before its amendment

    def _corrected(self, e: _Enterprise, rec: dict[str, Any]) -> dict[str, Any] | None:
        rng = self.rng
        data = dict(rec["data"])
        rtype = rec["type"]
        if rtype == "enterprise.registered":
            data["address"] = self._address(e.district)
        elif rtype == "penalty.decided":
            if "fine_yuan" in data and rng.random() < 0.6:
                old = int(data["fine_yuan"][:-3])
                new = max(100, int(round(old * rng.uniform(0.8, 1.25), -2)))
                if (old < LOWER_AMOUNT_FINE) != (new < LOWER_AMOUNT_FINE) or new == old:
                    new = old + 100 if old + 100 < LOWER_AMOUNT_FINE or old >= LOWER_AMOUNT_FINE else old - 100
                data["fine_yuan"] = f"{new}.00"
            else:
                data["legal_basis"] = data["legal_basis"] + "、第一百三十二条"
        elif rtype == "inspection.concluded":
            data["result"] = rng.choice(
                [r for r in ("compliant", "issues_found", "rectification_ordered") if r != data["result"]]
            )
        elif rtype == "permit.granted":
            data["category"] = data["category"] + "（" + rng.choice(("含分装", "不含分装", "限本厂区")) + "）"
        elif rtype == "commitment.made":
            data["consent_to_publish"] = not data["consent_to_publish"]
        else:
            return None
        return data

    # -- late arrival

    def _arrive_late(self, events: list[list[Any]]) -> None:
        rng, rate = self.rng, self.profile.late_rate
        i = 1
        n = len(events)
        while i < n - 1:
            ev = events[i]
            if ev[3] and rng.random() < rate:
                j = min(n - 1, i + rng.randrange(2, 9))
                if events[j][0] > ev[0]:
                    events.insert(j, events.pop(i))  # emitted after records with later dates
                    ev[3] = False
                    continue
            i += 1


_CORRECTABLE = frozenset(
    {
        "enterprise.registered",
        "penalty.decided",
        "inspection.concluded",
        "permit.granted",
        "commitment.made",
        "enterprise.changed",
    }
)
_RETRACTABLE = frozenset({"inspection.concluded", "enterprise.changed", "penalty.decided"})


def _resolve(scale: str | int | None, enterprises: int | None, profile: Profile | str | None) -> tuple[int, Profile]:
    if enterprises is None and isinstance(scale, int):
        enterprises, scale = scale, None
    if isinstance(scale, str):
        if scale not in SCALES:
            raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
        count, profile_name = SCALES[scale]
    else:
        count, profile_name = 0, "standard"
    if enterprises is not None:
        count = enterprises
    if count < 0:
        raise ValueError("the number of enterprises must not be negative")
    if profile is None:
        profile = profile_name
    if isinstance(profile, str):
        profile = PROFILES[profile]
    return count, profile


def generate(
    scale: str | int = "small",
    seed: int = 1,
    *,
    enterprises: int | None = None,
    profile: Profile | str | None = None,
    window: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield records (exchange-format dicts) for `scale` ('small', 'design', 'demo') or a number
    of enterprises, deterministically from `seed`.

    Enterprises are built one at a time; `window` of them (default: the profile's) are
    interleaved at random, each keeping its own order, so memory stays constant.
    """
    count, prof = _resolve(scale, enterprises, profile)
    if window is not None:
        prof = replace(prof, window=max(1, window))
    gen = _Generator(seed, prof)
    rng = gen.rng
    active: list[list[Any]] = []  # [records, position]
    next_index = 0
    while True:
        while len(active) < prof.window and next_index < count:
            active.append([gen.enterprise(next_index), 0])
            next_index += 1
        if not active:
            return
        slot = rng.randrange(len(active))
        entry = active[slot]
        records, pos = entry
        yield records[pos]
        pos += 1
        if pos == len(records):
            active[slot] = active[-1]
            active.pop()
        else:
            entry[1] = pos


def write_jsonl(records: Iterator[dict[str, Any]], out: TextIO) -> Counter[str]:
    """Write one JSON object per line; return the count of records per type."""
    counts: Counter[str] = Counter()
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    write = out.write
    buffer: list[str] = []
    for rec in records:
        counts[rec["type"]] += 1
        buffer.append(dumps(rec))
        if len(buffer) >= 2000:
            buffer.append("")
            write("\n".join(buffer))
            buffer.clear()
    if buffer:
        buffer.append("")
        write("\n".join(buffer))
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate synthetic Tianjin credit-ledger records (JSON Lines).")
    parser.add_argument(
        "--scale",
        choices=sorted(SCALES),
        default="small",
        help="small: 10,000 enterprises; design: 1,000,000; demo: 50 (richer profile)",
    )
    parser.add_argument(
        "--enterprises",
        type=int,
        help="custom number of enterprises (standard profile unless --scale demo is given too)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--window", type=int, help="enterprises interleaved at once")
    parser.add_argument("--out", type=Path, help="output file (default: standard output)")
    parser.add_argument("--stats", action="store_true", help="print counts per type and the rate to stderr")
    args = parser.parse_args(argv)
    scale: str | None = args.scale
    if args.enterprises is not None and "--scale" not in (argv if argv is not None else sys.argv[1:]):
        scale = None
    records = generate(scale or args.enterprises, args.seed, enterprises=args.enterprises, window=args.window)
    started = time.perf_counter()
    if args.out is not None:
        with args.out.open("w", encoding="utf-8", newline="\n") as out:
            counts = write_jsonl(records, out)
    else:
        sys.stdout.reconfigure(encoding="utf-8", newline="\n")  # type: ignore[attr-defined]
        try:
            counts = write_jsonl(records, sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. piped into `head`
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
    elapsed = time.perf_counter() - started
    if args.stats:
        total = sum(counts.values())
        for rtype, n in sorted(counts.items()):
            print(f"{rtype:28} {n:>10,}", file=sys.stderr)
        print(
            f"{'total':28} {total:>10,}  in {elapsed:.2f} s = {total / max(elapsed, 1e-9):,.0f} records/s",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
