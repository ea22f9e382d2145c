"""Builds an enterprise's history as `Fact`s for the rules tests (no aggregate, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from domain.history import AnyFact, Fact, Facts, resolve
from domain.records import DATA_MODELS


def d(text: str) -> date:
    return date.fromisoformat(text)


class History:
    def __init__(self) -> None:
        self.raw: list[AnyFact] = []
        self.add(
            "enterprise.registered",
            "2015-01-05",
            {
                "name": "天津市滨海新区海河乳业有限公司",
                "district_code": "120116",
                "entity_kind": "enterprise",
                "established_on": "2015-01-05",
            },
            department="TJ-REG",
        )

    def add(
        self,
        type_: str,
        on: str | date,
        data: dict[str, Any],
        *,
        department: str = "TJ-ENF",
        record_id: str | None = None,
        recorded: datetime | date | str | None = None,
    ) -> AnyFact:
        effective = d(on) if isinstance(on, str) else on
        if recorded is None:
            recorded_at = datetime.combine(effective, time(2, 0), UTC)  # 10:00 in Tianjin
        elif isinstance(recorded, str):
            recorded_at = datetime.combine(d(recorded), time(2, 0), UTC)
        elif isinstance(recorded, datetime):
            recorded_at = recorded
        else:
            recorded_at = datetime.combine(recorded, time(2, 0), UTC)
        fact = Fact(
            type=type_,
            effective_on=effective,
            department=department,
            record_id=record_id or f"R-{len(self.raw) + 1}",
            data=DATA_MODELS[type_].model_validate(data),
            sequence=len(self.raw) + 1,
            recorded_at=recorded_at,
        )
        self.raw.append(fact)
        return fact

    @property
    def facts(self) -> Facts:
        return resolve(self.raw)

    def penalty(
        self,
        no: str,
        on: str | date,
        kinds: tuple[str, ...] = ("fine",),
        fine: str | None = "200000.00",
        *,
        procedure: str = "ordinary",
        sector: str | None = None,
        published_on: str | None = None,
        restriction_years: int | None = None,
        violation: str = "不符合食品安全标准",
        legal_basis: str = "《食品安全法》第一百二十四条",
        heavier_fine: bool | None = None,
        deciding_authority: str | None = None,
        pushed_on: str | None = None,
        **kw: Any,
    ) -> AnyFact:
        data: dict[str, Any] = {
            "decision_no": no,
            "procedure": procedure,
            "penalty_kinds": list(kinds),
            "violation": violation,
            "legal_basis": legal_basis,
        }
        if "fine" in kinds:
            data["fine_yuan"] = fine
        for key, value in (
            ("sector", sector),
            ("published_on", published_on),
            ("restriction_years", restriction_years),
            ("heavier_fine", heavier_fine),
            ("deciding_authority", deciding_authority),
            ("pushed_on", pushed_on),
        ):
            if value is not None:
                data[key] = value
        return self.add("penalty.decided", on, data, **kw)

    def revoke_penalty(self, no: str, on: str | date, **kw: Any) -> Fact:
        return self.add("penalty.revoked", on, {"decision_no": no, "reason": "复议撤销"}, **kw)

    def serious(
        self, listing_id: str, on: str | date, penalty_no: str, restriction_years: int | None = None, **kw: Any
    ) -> AnyFact:
        data: dict[str, Any] = {
            "listing_id": listing_id,
            "grounds": "食品安全严重违法",
            "penalty_decision_no": penalty_no,
        }
        if restriction_years:
            data["restriction_years"] = restriction_years
        return self.add("serious.listed", on, data, **kw)

    def serious_removed(self, listing_id: str, on: str | date, kind: str = "other", **kw: Any) -> Fact:
        return self.add("serious.removed", on, {"listing_id": listing_id, "kind": kind}, **kw)

    def abnormal(self, listing_id: str, on: str | date, reason: str = "annual_report", **kw: Any) -> Fact:
        return self.add("abnormal.listed", on, {"listing_id": listing_id, "reason": reason}, **kw)

    def abnormal_removed(self, listing_id: str, on: str | date, **kw: Any) -> Fact:
        return self.add("abnormal.removed", on, {"listing_id": listing_id, "reason": "补报年报"}, **kw)

    def repair(
        self,
        app: str,
        kind: str,
        ref: str,
        applied: str | date,
        *,
        accepted: str | date | None = None,
        granted: str | date | None = None,
        revoked: str | date | None = None,
        fraud: bool = False,
        denied: str | date | None = None,
    ) -> None:
        self.add("repair.applied", applied, {"application_id": app, "target_kind": kind, "target_ref": ref})
        if accepted:
            self.add("repair.accepted", accepted, {"application_id": app})
        if granted:
            self.add("repair.granted", granted, {"application_id": app})
        if denied:
            self.add("repair.denied", denied, {"application_id": app})
        if revoked:
            self.add("repair.revoked", revoked, {"application_id": app, "reason": "虚假材料", "fraud": fraud})

    def permit(self, no: str, valid_from: str, valid_until: str, sector: str = "food_production", **kw: Any) -> Fact:
        return self.add(
            "permit.granted",
            kw.pop("on", valid_from),
            {
                "permit_no": no,
                "sector": sector,
                "category": "乳制品",
                "valid_from": valid_from,
                "valid_until": valid_until,
                "issuing_authority": "天津市市场监督管理委员会",
            },
            department="TJ-LIC",
            **kw,
        )


def days(n: int) -> timedelta:
    return timedelta(days=n)
