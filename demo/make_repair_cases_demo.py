# Run from the project root: PYTHONPATH=. .venv/bin/python demo/make_repair_cases_demo.py
"""Writes demo/repair-cases-demo.jsonl (issue 21): three Tianjin enterprises whose repair cases
and commitments show the reviewer's workbench. Run once; the file is committed."""

import json

from tests.builders import make_uscc, record

A, B, C = make_uscc(2101, "120112"), make_uscc(2102, "120101"), make_uscc(2103, "120116")
n = iter(range(1, 1000))


def r(type_, uscc, on, data, dept):
    return record(
        type_, uscc, on, data, department=dept, record_id=f"XFAL-{next(n):04d}", operator=f"{dept.lower()}-demo"
    )


def reg(uscc, name, district, address, on):
    return r(
        "enterprise.registered",
        uscc,
        on,
        {
            "name": name,
            "district_code": district,
            "entity_kind": "enterprise",
            "established_on": on,
            "address": address,
            "legal_representative": "刘志强",
        },
        "TJ-LIC",
    )


def permit(uscc, no, sector, category, on):
    return r(
        "permit.granted",
        uscc,
        on,
        {
            "permit_no": no,
            "sector": sector,
            "category": category,
            "valid_from": on,
            "valid_until": "2028-05-31",
            "issuing_authority": "天津市市场监督管理委员会",
        },
        "TJ-LIC",
    )


def penalty(uscc, no, on, kinds, fine, published):
    return r(
        "penalty.decided",
        uscc,
        on,
        {
            "decision_no": no,
            "procedure": "ordinary",
            "penalty_kinds": kinds,
            "fine_yuan": fine,
            "violation": "生产经营不符合食品安全标准的食品",
            "legal_basis": "《食品安全法》第一百二十四条",
            "published_on": published,
        },
        "TJ-ENF",
    )


def case(type_, uscc, on, app, dept, **data):
    return r(type_, uscc, on, {"application_id": app, **data}, dept)


LETTER = "本单位已知晓告知的全部内容，承诺所填报信息真实、准确，已经符合相关条件和要求，愿意承担不实承诺的法律责任。"
lines = [
    # A: on the serious list since March 2025; applies on Fri 25 Sep 2026 (中秋节), the clock stops for a correction
    reg(A, "天津市津南区鑫盛食品有限公司", "120112", "天津市津南区咸水沽镇津沽路88号", "2018-05-10"),
    permit(A, "SC10612011200881", "food_production", "肉制品", "2023-06-01"),
    penalty(A, "津市监罚〔2025〕101号", "2025-03-10", ["fine", "suspension"], "500000.00", "2025-03-14"),
    r(
        "serious.listed",
        A,
        "2025-03-10",
        {
            "listing_id": "津市监严〔2025〕12号",
            "grounds": "食品安全严重违法，情节严重",
            "penalty_decision_no": "津市监罚〔2025〕101号",
        },
        "TJ-ENF",
    ),
    r(
        "repair.applied",
        A,
        "2026-09-25",
        {"application_id": "津信修〔2026〕31号", "target_kind": "serious", "target_ref": "津市监严〔2025〕12号"},
        "TJ-ENF",
    ),
    r(
        "commitment.made",
        A,
        "2026-09-25",
        {
            "commitment_id": "津信诺〔2026〕31号",
            "matter": "信用修复守信承诺",
            "text": "本单位承诺依法诚信经营，不再发生同类违法行为。",
            "template_id": "TJ-XYCN-02",
            "consent_to_publish": True,
        },
        "TJ-ENF",
    ),
    case(
        "repair.materials_received",
        A,
        "2026-09-25",
        "津信修〔2026〕31号",
        "TJ-ENF",
        materials=["application_form", "commitment_letter"],
    ),
    case(
        "repair.correction_requested",
        A,
        "2026-09-28",
        "津信修〔2026〕31号",
        "TJ-ENF",
        missing=["evidence", "statement"],
        reason="缺少履行义务证明和事实理由说明，请补正",
    ),
    case(
        "repair.materials_received",
        A,
        "2026-11-16",
        "津信修〔2026〕31号",
        "TJ-ENF",
        materials=["evidence", "statement"],
    ),
    case("repair.accepted", A, "2026-11-17", "津信修〔2026〕31号", "TJ-ENF"),
    # B: a grantable penalty repair awaiting decision; an untrue commitment whose consequence has not arrived
    reg(B, "天津市和平区惠民餐饮管理有限公司", "120101", "天津市和平区南京路219号", "2016-03-01"),
    permit(B, "JY11201010012345", "food_business", "热食类食品制售", "2023-06-01"),
    penalty(B, "津和市监罚〔2025〕7号", "2025-01-15", ["fine"], "80000.00", "2025-01-20"),
    r(
        "commitment.made",
        B,
        "2026-03-02",
        {
            "commitment_id": "津和诺〔2026〕5号",
            "matter": "食品经营许可告知承诺",
            "text": LETTER,
            "template_id": "TJ-GZCN-07",
            "consent_to_publish": True,
        },
        "TJ-ENF",
    ),
    r(
        "commitment.verified",
        B,
        "2026-06-01",
        {
            "commitment_id": "津和诺〔2026〕5号",
            "outcome": "untrue",
            "consequence": "rectification_ordered",
            "consequence_ref": "津和市监责改〔2026〕8号",
        },
        "TJ-ENF",
    ),
    r(
        "repair.applied",
        B,
        "2026-11-16",
        {"application_id": "津和信修〔2026〕4号", "target_kind": "penalty", "target_ref": "津和市监罚〔2025〕7号"},
        "TJ-ENF",
    ),
    case(
        "repair.materials_received",
        B,
        "2026-11-16",
        "津和信修〔2026〕4号",
        "TJ-ENF",
        materials=["application_form", "commitment_letter", "evidence", "identity_documents"],
    ),
    case("repair.accepted", B, "2026-11-18", "津和信修〔2026〕4号", "TJ-ENF"),
    # C: a risk-class repair before the credit division (seed 六(十一))
    reg(C, "天津市滨海新区安泰特种设备有限公司", "120116", "天津市滨海新区黄海路166号", "2017-09-12"),
    permit(C, "TS2212001-2028", "special_equipment", "压力容器制造", "2023-06-01"),
    r(
        "repair.applied",
        C,
        "2026-11-10",
        {"application_id": "津信风修〔2026〕2号", "target_kind": "risk_class", "target_ref": "2026"},
        "TJ-CREDIT",
    ),
    case("repair.accepted", C, "2026-11-12", "津信风修〔2026〕2号", "TJ-CREDIT"),
]
with open("demo/repair-cases-demo.jsonl", "w", encoding="utf-8") as out:
    for line in lines:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
