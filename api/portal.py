"""The portal's and the workbench's HTML (issue 24, docs/portal.md): Jinja2 templates shipped in
`api/templates/`, the style sheet in `api/static/`, no script needed to read a page, nothing from
a CDN. Labels in Chinese as the publicity system (天津市市场主体信用信息公示系统) shows them.

What a public page may show is what the JSON public routes show (`projections.view` decides):
never a risk class (RISK-02), never a personal field, never a record outside its window."""

from __future__ import annotations

import hmac
import secrets
from hashlib import sha256
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

# GSXT-03 order, as the issue names the sections (基础信息 first, shown apart).
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("administrative_permits", "行政许可信息", "permits"),
    ("administrative_penalties", "行政处罚信息", "penalties"),
    ("abnormal_list", "列入经营异常名录信息", "abnormal"),
    ("serious_list", "列入严重违法失信名单信息", "serious"),
    ("inspections", "抽查检查结果信息", "inspections"),
    ("credit_commitments", "信用承诺", "commitments"),
    ("untrue_commitments", "承诺不实信息", "untrue"),
    ("key_sector_tags", "重点领域标签", "tags"),
    ("typical_cases", "典型案例", "cases"),
)
LISTS = {
    "key-sector": "重点领域企业名单",
    "abnormal": "经营异常名录",
    "serious": "严重违法失信名单",
    "exposure": "曝光台",
}
SECTORS = {"food_production": "食品生产", "special_food": "特殊食品", "special_equipment": "特种设备"}
DISTRICTS = {
    "120101": "和平区", "120102": "河东区", "120103": "河西区", "120104": "南开区", "120105": "河北区",
    "120106": "红桥区", "120110": "东丽区", "120111": "西青区", "120112": "津南区", "120113": "北辰区",
    "120114": "武清区", "120115": "宝坻区", "120116": "滨海新区", "120117": "宁河区", "120118": "静海区",
    "120119": "蓟州区",
}  # fmt: skip
STATUS = {"active": "存续（在营、开业、在册）", "revoked": "吊销", "deregistered": "注销", "closed": "注销"}
FIELD_LABELS = {
    "name": "名称", "address": "住所", "entity_kind": "主体类型", "district_code": "行政区划",
    "registered_on": "登记日期", "established_on": "成立日期", "status": "登记状态", "status_since": "状态日期",
    "permit_no": "许可证编号", "category": "许可类别", "valid_from": "有效期自", "valid_until": "有效期至",
    "issuing_authority": "许可机关", "sector": "重点领域", "state": "状态", "decision_no": "决定书文号",
    "violation": "违法行为类型", "penalty_kinds": "处罚种类", "fine_amount": "罚款金额（元）",
    "authority": "决定机关", "decided_on": "处罚决定日期", "grounds": "列入事由", "listing_id": "决定文号",
    "approved_by": "批准机关", "penalty_decision_no": "处罚决定书文号", "item": "检查事项", "result": "检查结果",
    "task_id": "任务编号", "kind": "类型", "matter": "承诺事项", "title": "标题", "summary": "摘要",
    "lessons": "警示", "case_id": "案例编号", "reason": "事由", "content": "内容", "basis": "依据",
    "fine_yuan": "罚款金额（元）", "confiscated_yuan": "没收金额（元）", "procedure": "程序", "legal_basis": "处罚依据",
    "published_on": "公示日期", "heavier_fine": "从重处罚", "restriction_years": "限制年限", "outcome": "结果",
    "commitment_id": "承诺编号", "template_id": "承诺模板", "consent_to_publish": "同意公示", "text": "内容",
    "application_id": "申请编号", "target_kind": "修复对象", "target_ref": "修复对象编号", "links": "关联记录",
}  # fmt: skip
VALUES = {
    "valid": "有效", "expired": "已过期", "revoked": "已撤销", "cancelled": "已注销",
    "compliant": "未发现问题", "rectification_ordered": "责令整改", "non_compliant": "发现问题",
    "sampling": "抽检", "key_supervision": "重点检查", "double_random": "双随机抽查",
    "enterprise": "企业", "serious_list": "严重违法失信", "typical_case": "典型案例",
    "repeat_offence": "屡禁不止", "unrectified": "屡罚不改", "untrue_commitment": "承诺不实",
    "ordinary": "普通程序", "simplified": "简易程序", "fine": "罚款", "warning": "警告", "confiscation": "没收违法所得",
    "True": "是", "False": "否", "penalty": "行政处罚", "serious": "严重违法失信名单", "abnormal": "经营异常名录",
    **SECTORS, **STATUS,
}  # fmt: skip
HIDDEN = frozenset(
    {"kind", "subject", "from", "until", "rules", "records", "version", "provisional", "start_due", "end_due", "note"}
)


def label(key: str) -> str:
    return FIELD_LABELS.get(key, key)


def value(key: str, v: Any) -> str:
    if key == "district_code" and isinstance(v, str):
        return DISTRICTS.get(v, v)
    if isinstance(v, list):
        return "、".join(value(key, x) for x in v)
    if isinstance(v, dict):
        return "；".join(f"{label(k)}：{value(k, x)}" for k, x in v.items())
    if v is None:
        return "—"
    return VALUES.get(str(v), str(v))


def fields(item: dict[str, Any]) -> list[tuple[str, str]]:
    """The item's shown fields (label, text), data first; rules, records and dates apart."""
    flat: dict[str, Any] = {}
    for key, v in item.items():
        if key == "data" and isinstance(v, dict):
            flat.update(v)
        elif key not in HIDDEN and key not in ("data", "effective_on", "summary", "decision"):
            flat[key] = v
    return [(label(k), value(k, v)) for k, v in flat.items()]


ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "svg"]))
ENV.globals.update(
    SECTIONS=SECTIONS, LISTS=LISTS, SECTORS=SECTORS, DISTRICTS=DISTRICTS, label=label, value=value, fields=fields
)


def page(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = ENV.get_template(name).render(**context)
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        },
    )


# --- the workbench's session: the token in an HttpOnly SameSite=Strict cookie, CSRF per form ---
SESSION_COOKIE = "cl_session"


def csrf_token(secret: str) -> str:
    """The form token of a session: an HMAC of its token, so nothing else is stored (the
    double-submit pattern, bound to the secret the attacker cannot read: HttpOnly)."""
    return hmac.new(secret.encode(), b"csrf:credit-ledger-workbench", sha256).hexdigest()


def csrf_ok(secret: str, sent: str | None) -> bool:
    return sent is not None and hmac.compare_digest(csrf_token(secret), sent)


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def session_secret(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None
