from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError
from stdnum.cn import uscc as stdnum_uscc

from domain.identifiers import InvalidUSCCError, normalise_uscc, uscc_warnings
from domain.records import Record
from tests.builders import make_uscc, penalty_decided, registered

RECORD = TypeAdapter(Record)


@pytest.mark.parametrize(
    "code", ["91610000220522345A", "91120116MA05JK122G", "91120101103061738D", "92120104L12345674G"]
)
def test_the_rulebook_test_vectors_are_valid_usccs(code: str) -> None:
    assert normalise_uscc(code) == code
    assert uscc_warnings(code) == []


def test_a_lower_case_uscc_is_accepted_and_stored_upper_case() -> None:
    assert normalise_uscc("91120116ma05jk122g") == "91120116MA05JK122G"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91120116MA05JK122", "18 characters"),
        ("91120116MA05JK122H", "check character"),
        ("9112011AMA05JK122G", "digits"),
        ("91120116MA05JK1I2G", "alphabet"),
    ],
)
def test_an_invalid_uscc_is_refused_with_its_reason(code: str, reason: str) -> None:
    with pytest.raises(InvalidUSCCError, match=reason):
        normalise_uscc(code)


def test_an_organisation_code_failing_gb_11714_is_only_a_warning() -> None:
    body = "91120116MA05JK12X"  # the organisation code's own check character should be 2
    code = body + stdnum_uscc.calc_check_digit(body)
    assert normalise_uscc(code) == code
    assert any("ID-03" in warning for warning in uscc_warnings(code))


def test_a_record_type_selects_its_data_schema() -> None:
    rec = RECORD.validate_python(penalty_decided(make_uscc(1)))
    assert type(rec).__name__ == "PenaltyDecidedRecord"
    assert str(rec.data.fine_yuan) == "20000.00"


def test_a_fine_without_its_amount_is_refused() -> None:
    bad = penalty_decided(make_uscc(1), data={"fine_yuan": None})
    with pytest.raises(ValidationError, match="fine_yuan is required"):
        RECORD.validate_python(bad)


def test_an_amount_with_three_decimals_is_refused() -> None:
    with pytest.raises(ValidationError, match="2 decimal places"):
        RECORD.validate_python(penalty_decided(make_uscc(1), data={"fine_yuan": "1.234"}))


def test_an_unknown_field_in_data_is_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        RECORD.validate_python(registered(make_uscc(1), data={"nickname": "x"}))


def test_a_district_outside_tianjin_is_refused_citing_id_10() -> None:
    with pytest.raises(ValidationError, match="ID-10"):
        RECORD.validate_python(registered(make_uscc(1), data={"district_code": "110101"}))


def test_personal_fields_are_marked_in_the_published_schema() -> None:
    schema = RECORD.json_schema()
    registered_data = schema["$defs"]["EnterpriseRegistered"]["properties"]
    assert registered_data["legal_representative"]["x-personal"] is True
    assert "x-personal" not in registered_data["name"]
