"""Reference data: districts and registrars, authorities, penalty constants, names and roads."""

from __future__ import annotations

from domain.identifiers import TIANJIN_DISTRICTS
from domain.records import PenaltyKind
from domain.rules.penalty import NEVER_REPAIRABLE_KINDS

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
