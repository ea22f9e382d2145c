"""Stored record data is read back typed, without validating it again (issue 17 item 5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bench.generate import generate
from domain.records import DATA_MODELS, EnterpriseRegistered, PenaltyDecided, PenaltyKind, RecordCorrected, stored_data


@pytest.mark.parametrize("seed", [1, 7])
def test_every_generated_record_reads_back_equal_to_its_validated_data(seed: int) -> None:
    seen = set()
    for record in generate(200, seed):
        model = DATA_MODELS[record["type"]]
        validated = model.model_validate(record["data"])
        stored = validated.model_dump(mode="json", exclude_none=True)  # what an event keeps
        assert stored_data(record["type"], stored) == validated, record
        seen.add(record["type"])
    assert len(seen) >= 15  # the comparison covered most of the vocabulary, not a handful of types


def test_values_come_back_as_their_types() -> None:
    data = stored_data(
        "penalty.decided",
        {
            "decision_no": "D1",
            "procedure": "ordinary",
            "penalty_kinds": ["fine", "confiscation"],
            "fine_yuan": "20000.00",
            "confiscated_yuan": "10.50",
            "violation": "v",
            "legal_basis": "b",
            "published_on": "2024-03-05",
        },
    )
    assert isinstance(data, PenaltyDecided)
    assert data.penalty_kinds == [PenaltyKind.fine, PenaltyKind.confiscation]
    assert data.fine_yuan == Decimal("20000.00") and data.published_on == date(2024, 3, 5)
    assert data.sector is None and data.restriction_years is None  # absent fields take their defaults
    correction = stored_data(
        "record.corrected", {"target": {"department": "TJ-ENF", "record_id": "R1"}, "data": {"x": 1}}
    )
    assert isinstance(correction, RecordCorrected) and correction.target.record_id == "R1"


def test_data_a_later_validator_would_refuse_is_still_read_as_stored() -> None:
    # A district code refused today (not a current Tianjin code) stays readable in the history.
    stored = {"name": "某公司", "district_code": "999999", "entity_kind": "enterprise", "established_on": "2010-01-01"}
    with pytest.raises(ValueError):
        EnterpriseRegistered.model_validate(stored)
    data = stored_data("enterprise.registered", stored)
    assert isinstance(data, EnterpriseRegistered) and data.district_code == "999999"
    assert data.established_on == date(2010, 1, 1)
