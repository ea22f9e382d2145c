from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest
from pydantic import TypeAdapter

from domain.context import DEFAULT_CONTEXT
from domain.enterprise import Enterprise
from domain.errors import RecordRefusedError
from domain.records import PermitGranted, Record
from tests.builders import corrected, make_uscc, permit_granted, record, registered

TODAY = date(2026, 11, 25)
USCC = make_uscc(7)
RECORD: TypeAdapter[Any] = TypeAdapter(Record)


def _apply(enterprise: Enterprise | None, raw: dict[str, Any]) -> Enterprise:
    rec = RECORD.validate_python(raw)  # as intake validates it: the aggregate takes typed data
    source = rec.source.model_dump()
    if enterprise is None:
        return Enterprise.register(rec.uscc, rec.effective_on, source, rec.data, today=TODAY, ctx=DEFAULT_CONTEXT)
    enterprise.record(rec.type, rec.effective_on, source, rec.data, today=TODAY, ctx=DEFAULT_CONTEXT)
    return enterprise


def _enterprise(*records: dict[str, Any]) -> Enterprise:
    enterprise = _apply(None, registered(USCC))
    for rec in records:
        _apply(enterprise, rec)
    return enterprise


def test_an_enterprise_id_is_a_fixed_function_of_its_uscc_so_stored_enterprises_keep_theirs() -> None:
    # Stored events are keyed by these ids: the values are pinned, not recomputed by the code
    # under test, so that a change of namespace or derivation (which would orphan every stored
    # enterprise) fails here.
    assert Enterprise.create_id(USCC) == UUID("60bd7c28-1875-5cee-bf5e-ea3a17ead3e2")
    assert Enterprise.create_id("91610000220522345A") == UUID("989a8296-7257-51de-af39-cdaf2d28be89")
    assert Enterprise.create_id(make_uscc(8)) != Enterprise.create_id(USCC)


def test_a_permit_must_be_granted_before_it_is_renewed() -> None:
    enterprise = _enterprise()
    renewal = record(
        "permit.renewed", USCC, "2022-01-01", {"permit_no": "SC10612011600011", "valid_until": "2031-01-01"}
    )
    with pytest.raises(RecordRefusedError, match="LEDGER-07"):
        _apply(enterprise, renewal)
    assert enterprise.version == 1


def test_a_revoked_permit_cannot_be_renewed() -> None:
    enterprise = _enterprise(permit_granted(USCC, "SC10612011600011"))
    _apply(
        enterprise,
        record(
            "permit.revoked",
            USCC,
            "2022-01-01",
            {"permit_no": "SC10612011600011", "kind": "revoked", "decision_no": "D1"},
        ),
    )
    with pytest.raises(RecordRefusedError, match="already revoked"):
        _apply(
            enterprise,
            record(
                "permit.renewed", USCC, "2022-02-01", {"permit_no": "SC10612011600011", "valid_until": "2031-01-01"}
            ),
        )


def test_a_listing_must_exist_to_be_removed() -> None:
    enterprise = _enterprise()
    with pytest.raises(RecordRefusedError, match="listing_id"):
        _apply(enterprise, record("abnormal.removed", USCC, "2022-01-01", {"listing_id": "L1", "reason": "filed"}))


def test_an_effective_date_in_the_future_is_refused() -> None:
    with pytest.raises(RecordRefusedError, match="LEDGER-01"):
        _apply(_enterprise(), permit_granted(USCC, effective_on="2026-11-26", data={"valid_until": "2031-01-01"}))


def test_nothing_takes_effect_after_deregistration_except_amendments() -> None:
    grant = permit_granted(USCC, "SC10612011600011")
    enterprise = _enterprise(grant, record("enterprise.deregistered", USCC, "2023-05-01", {}))
    with pytest.raises(RecordRefusedError, match="LEDGER-04"):
        _apply(enterprise, permit_granted(USCC, "SC2", effective_on="2023-05-02"))
    _apply(enterprise, corrected(USCC, grant, {**grant["data"], "category": "饮料"}, effective_on="2023-06-01"))
    permit = enterprise.facts[1].data
    assert isinstance(permit, PermitGranted) and permit.category == "饮料"


def test_a_department_may_correct_only_its_own_records() -> None:
    grant = permit_granted(USCC, "SC10612011600011")
    enterprise = _enterprise(grant)
    other = corrected(USCC, grant, grant["data"], department="TJ-ENF")
    with pytest.raises(RecordRefusedError, match="LEDGER-05"):
        _apply(enterprise, other)


def test_a_correction_must_fit_the_schema_of_its_target() -> None:
    grant = permit_granted(USCC, "SC10612011600011")
    enterprise = _enterprise(grant)
    with pytest.raises(RecordRefusedError, match="data.data.sector"):
        _apply(enterprise, corrected(USCC, grant, {**grant["data"], "sector": "toys"}))


def test_a_retracted_record_is_no_longer_in_force_but_stays_in_the_history() -> None:
    grant = permit_granted(USCC, "SC10612011600011")
    enterprise = _enterprise(grant)
    target = {"department": "TJ-LIC", "record_id": grant["source"]["record_id"]}
    _apply(enterprise, record("record.retracted", USCC, "2022-01-01", {"target": target, "reason": "entered twice"}))
    assert [f.type for f in enterprise.facts] == ["enterprise.registered"]
    assert [f.type for f in enterprise.history] == ["enterprise.registered", "permit.granted", "record.retracted"]


def test_a_record_about_an_unregistered_enterprise_is_refused() -> None:
    enterprise = _enterprise(record("enterprise.deregistered", USCC, "2023-05-01", {}))
    # The registration itself is the one record allowed first; a second one is refused.
    with pytest.raises(RecordRefusedError, match="LEDGER-02"):
        _apply(enterprise, registered(USCC))
