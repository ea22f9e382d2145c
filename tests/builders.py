"""Records in the exchange format, for tests: valid by default, overridable field by field."""

from __future__ import annotations

import itertools
from typing import Any

from stdnum.cn import uscc as stdnum_uscc

_ids = itertools.count(1)


def make_uscc(n: int, district: str = "120116") -> str:
    """A valid USCC (check character per GB 32100-2015) for enterprise number `n`."""
    body = f"91{district}MA{n:07d}"[:17]
    return body + stdnum_uscc.calc_check_digit(body)


def food_licence_no(n: int) -> str:
    """A food production licence number of the SC + 14 digits form (ID-20) for licence number `n`."""
    return f"SC1061201{n % 1_000_000:06d}1"


def record(
    type_: str,
    uscc: str,
    effective_on: str,
    data: dict[str, Any],
    *,
    department: str = "TJ-LIC",
    record_id: str | None = None,
    operator: str = "officer-1",
) -> dict[str, Any]:
    return {
        "type": type_,
        "uscc": uscc,
        "effective_on": effective_on,
        "source": {"department": department, "record_id": record_id or f"R-{next(_ids)}", "operator": operator},
        "data": data,
    }


def registered(uscc: str, effective_on: str = "2020-01-06", **kw: Any) -> dict[str, Any]:
    data = {
        "name": "天津市滨海新区海河乳业有限公司",
        "district_code": "120116",
        "entity_kind": "enterprise",
        "established_on": "2019-12-30",
        "address": "天津市滨海新区第三大街1号",
        "legal_representative": "王建国",
    }
    return record("enterprise.registered", uscc, effective_on, {**data, **kw.pop("data", {})}, **kw)


def permit_granted(
    uscc: str, permit_no: str = "SC10612011600011", effective_on: str = "2021-03-01", **kw: Any
) -> dict[str, Any]:
    data = {
        "permit_no": permit_no,
        "sector": "food_production",
        "category": "乳制品",
        "valid_from": effective_on,
        "valid_until": "2026-02-28",
        "issuing_authority": "天津市市场监督管理委员会",
    }
    return record("permit.granted", uscc, effective_on, {**data, **kw.pop("data", {})}, **kw)


def penalty_decided(
    uscc: str, decision_no: str = "津市监罚〔2024〕1号", effective_on: str = "2024-03-01", **kw: Any
) -> dict[str, Any]:
    data = {
        "decision_no": decision_no,
        "procedure": "ordinary",
        "penalty_kinds": ["fine"],
        "fine_yuan": "20000.00",
        "violation": "生产经营不符合食品安全标准的食品",
        "legal_basis": "《食品安全法》第一百二十四条",
    }
    return record("penalty.decided", uscc, effective_on, {**data, **kw.pop("data", {})}, department="TJ-ENF", **kw)


def corrected(
    uscc: str, target: dict[str, Any], data: dict[str, Any], effective_on: str = "2024-06-01", **kw: Any
) -> dict[str, Any]:
    payload = {
        "target": {"department": target["source"]["department"], "record_id": target["source"]["record_id"]},
        "data": data,
    }
    kw.setdefault("department", target["source"]["department"])
    return record("record.corrected", uscc, effective_on, payload, **kw)
