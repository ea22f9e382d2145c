"""Issue 18, part 3: boundary tests of the CONFIRMED rules the ledger did not carry before,
each named after its rule (tests/unit/test_rulebook_coverage.py looks for the names)."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
import pytest
from stdnum.cn import uscc as stdnum_uscc

from domain.calendar import WorkingCalendar
from domain.consistency import check_record
from domain.context import DEFAULT_CONTEXT, RuleContext
from domain.enterprise import Enterprise
from domain.errors import RecordRefusedError
from domain.records import DATA_MODELS, EnterpriseRegistered
from domain.reference import DEFAULT_REFERENCE
from domain.rules.abnormal import abnormal_list
from domain.rules.deadlines import Deadline, deadlines
from domain.rules.serious import serious_list
from projections.items import items_of
from tests.builders import make_uscc
from tests.unit.rules_history import History, d

CTX = RuleContext(WorkingCalendar(), DEFAULT_REFERENCE)
TODAY = date(2026, 11, 25)


def problems(h: History, record_type: str, on: str, data: dict[str, Any], department: str = "TJ-ENF") -> list[str]:
    model = DATA_MODELS[record_type].model_validate(data)
    return [f"{p.rule}" for p in check_record(record_type, d(on), department, model, h.raw, today=TODAY, ctx=CTX)]


def due(h: History, rule: str, as_of: str) -> list[Deadline]:
    return [x for x in deadlines(h.facts, d(as_of), CTX) if x.rule == rule]


def shown(h: History, kind: str, as_of: str) -> list[dict[str, Any]]:
    return [orjson.loads(i.body) for i in items_of(h.raw, CTX) if i.kind == kind and i.contains(d(as_of))]


def heavy(h: History, no: str = "P1", on: str = "2024-03-01", **kw: Any) -> Any:
    return h.penalty(no, on, ("fine", "suspension"), published_on=None, **kw)


def listing(no: str = "P1", **data: Any) -> dict[str, Any]:
    return {"listing_id": "S1", "grounds": "严重违法", "penalty_decision_no": no, **data}


# --- identifiers and licences -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("permit_no", "on", "refused"),
    [("SC10612011600011", "2021-03-01", False), ("SC-17", "2021-03-01", True), ("SC-17", "2020-02-29", False)],
)
def test_id_20_a_food_production_licence_number_is_sc_and_fourteen_digits(
    permit_no: str, on: str, refused: bool
) -> None:
    grant = {
        "permit_no": permit_no,
        "sector": "food_production",
        "category": "乳制品",
        "valid_from": on,
        "valid_until": "2026-02-27",
        "issuing_authority": "天津市市场监督管理委员会",
    }
    assert ("ID-20" in problems(History(), "permit.granted", on, grant, "TJ-LIC")) is refused


def test_id_20_a_cancelled_licence_number_is_never_granted_again() -> None:
    h = History()
    h.permit("SC10612011600011", "2021-03-01", "2026-02-27")
    h.add("permit.cancelled", "2022-01-04", {"permit_no": "SC10612011600011", "reason": "停产"}, department="TJ-LIC")
    grant = h.raw[1].data.model_dump(mode="json") | {"valid_from": "2022-02-01"}
    assert "ID-20" in problems(h, "permit.granted", "2022-02-01", grant, "TJ-LIC")


@pytest.mark.parametrize(
    ("sector", "category", "department", "refused"),
    [
        ("special_food", "保健食品", "TJ-D120103", True),
        ("special_food", "保健食品", "TJ-D120116", False),  # Binhai New Area grants in its own name (S-TJ28)
        ("special_food", "保健食品", "TJ-LIC", False),
        ("food_production", "食盐", "TJ-D120103", True),
        ("food_production", "乳制品", "TJ-D120103", False),
    ],
)
def test_key_05_special_food_and_salt_licences_are_granted_by_the_city(
    sector: str, category: str, department: str, refused: bool
) -> None:
    grant = {
        "permit_no": "SC12712010300011",
        "sector": sector,
        "category": category,
        "valid_from": "2022-03-01",
        "valid_until": "2027-02-28",
        "issuing_authority": "天津市市场监督管理委员会",
    }
    assert ("KEY-05" in problems(History(), "permit.granted", "2022-03-01", grant, department)) is refused


def test_key_08_the_regulator_publishes_a_licence_within_twenty_working_days_by_recording_it() -> None:
    h = History()
    h.permit("SC10612011600011", "2022-03-01", "2027-02-28", recorded="2022-03-30")
    (deadline,) = due(h, "KEY-08", "2022-06-01")
    assert (deadline.due, deadline.status) == (d("2022-03-29"), "missed")


@pytest.mark.parametrize(("published", "status"), [("2022-03-29", "met"), ("2022-03-30", "missed")])
def test_key_09_the_enterprise_publishes_a_licence_it_obtained_within_twenty_working_days(
    published: str, status: str
) -> None:
    h = History()
    h.permit("SC10612011600011", "2022-03-01", "2027-02-28")
    info = {"info_kind": "permit", "ref": "SC10612011600011"}
    h.add("instant_info.published", published, info, department="TJ-D120116")
    (deadline,) = due(h, "KEY-09", "2022-06-01")
    assert (deadline.due, deadline.status) == (d("2022-03-29"), status)


def test_key_10_a_food_producers_licences_and_inspections_are_its_published_credit_file() -> None:
    h = History()
    h.permit("SC10612011600011", "2022-03-01", "2027-02-28")
    inspection = {"task_id": "T1", "item": "食品生产企业监督检查", "kind": "double_random", "result": "compliant"}
    h.add("inspection.concluded", "2022-05-10", inspection, department="TJ-D120116")
    h.add("inspection.concluded", "2028-05-10", {**inspection, "task_id": "T2"}, department="TJ-D120116")
    assert "KEY-10" in shown(h, "permit", "2022-06-01")[0]["rules"]
    rules = {body["task_id"]: body["rules"] for body in shown(h, "inspection", "2029-01-01")}
    assert "KEY-10" in rules["T1"] and "KEY-10" not in rules["T2"]  # no longer a food producer in 2028


# --- penalties ------------------------------------------------------------------------------------


def test_pen_02_the_published_summary_names_number_party_violation_penalty_authority_and_date() -> None:
    h = History()
    h.penalty("P1", "2024-03-01", published_on="2024-03-05", deciding_authority="天津市市场监督管理委员会执法总队")
    (item,) = shown(h, "penalty_publicity", "2024-04-01")
    assert item["summary"] == {
        "decision_no": "P1",
        "party": "天津市滨海新区海河乳业有限公司",
        "violation": "不符合食品安全标准",
        "legal_basis": "《食品安全法》第一百二十四条",
        "penalty": "fine; fine_yuan 200000.00",
        "deciding_authority": "天津市市场监督管理委员会执法总队",
        "decided_on": "2024-03-01",
    }


def test_pen_03_personal_data_recorded_with_a_record_never_reaches_an_item() -> None:
    h = History()
    h.raw.clear()
    registration = {"name": "X", "district_code": "120116", "entity_kind": "enterprise", "established_on": "2015-01-05"}
    h.add("enterprise.registered", "2015-01-05", {**registration, "legal_representative": "王建国"})
    h.penalty("P1", "2024-03-01", published_on="2024-03-05")
    request = {
        "request_id": "C1",
        "decision_no": "P1",
        "inaccuracy": "金额",
        "evidence": "收据",
        "requested_by": "李四",
    }
    h.add("penalty.correction_requested", "2024-03-10", request)
    text = " ".join(i.body for i in items_of(h.raw, CTX))
    assert "王建国" not in text and "李四" not in text


def test_pen_06_a_party_registered_in_another_province_is_pushed_within_ten_working_days() -> None:
    h = History()
    h.raw.clear()
    outside = {"name": "合肥某店", "registration_region": "340100", "entity_kind": "individual_business"}
    h.add("enterprise.registered", "2023-01-05", {**outside, "established_on": "2020-01-06"})
    h.penalty("P1", "2024-03-01", pushed_on="2024-03-18")
    (push,) = due(h, "PEN-06", "2024-06-03")
    assert (push.due, push.status) == (d("2024-03-15"), "missed") and due(h, "PEN-05", "2024-06-03") == []


def test_pen_08_a_correction_request_is_handled_by_the_deciding_department_only() -> None:
    h = History()
    h.penalty("P1", "2024-03-01", published_on="2024-03-05")
    request = {
        "request_id": "C1",
        "decision_no": "P1",
        "inaccuracy": "金额",
        "evidence": "收据",
        "requested_by": "李四",
    }
    assert problems(h, "penalty.correction_requested", "2024-03-10", {**request, "decision_no": "P9"}) == ["LEDGER-07"]
    h.add("penalty.correction_requested", "2024-03-10", request, department="TJ-D120116")
    handled = {"request_id": "C1", "outcome": "corrected", "reason": "金额录入有误"}
    assert problems(h, "penalty.correction_handled", "2024-03-12", handled, "TJ-D120116") == ["AUTH-03"]
    assert problems(h, "penalty.correction_handled", "2024-03-12", handled, "TJ-ENF") == []


def test_pen_13_only_the_department_that_decided_a_penalty_revokes_it() -> None:
    h = History()
    h.penalty("P1", "2024-03-01")
    revocation = {"decision_no": "P1", "reason": "复议撤销"}
    assert problems(h, "penalty.revoked", "2024-06-03", revocation, "TJ-D120101") == ["AUTH-03"]
    assert problems(h, "penalty.revoked", "2024-06-03", revocation, "TJ-ENF") == []


def test_pen_14_a_drug_regulators_penalty_follows_the_same_rules_and_waits_a_year_for_early_stop() -> None:
    from domain.rules.repair import repair_eligibility

    h = History()
    h.penalty("P1", "2024-03-01", published_on="2024-03-05", legal_basis="《中华人民共和国药品管理法》第一百一十七条")
    (window,) = [i for i in items_of(h.raw, CTX) if i.kind == "penalty_publicity"]
    assert (window.start, window.end) == (d("2024-03-05"), d("2027-03-06"))
    assert repair_eligibility(h.facts, "penalty", "P1", d("2024-09-06"), CTX).earliest_on == d("2025-03-06")


# --- serious list ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("sector", "refused"), [("food_production", False), ("special_equipment", True)])
def test_sdl_02_food_safety_grounds_fit_food_violations_only(sector: str, refused: bool) -> None:
    h = History()
    heavy(h, sector=sector)
    assert ("SDL-02" in problems(h, "serious.listed", "2024-03-01", listing(ground_article=5))) is refused


@pytest.mark.parametrize(("sector", "refused"), [("special_equipment", False), ("special_food", True)])
def test_sdl_03_quality_safety_grounds_fit_special_equipment_not_food(sector: str, refused: bool) -> None:
    h = History()
    heavy(h, sector=sector)
    assert ("SDL-03" in problems(h, "serious.listed", "2024-03-01", listing(ground_article=7))) is refused


@pytest.mark.parametrize(
    ("sector", "article", "refused"), [("drug", 6, False), ("other", 6, True), ("other", 9, False)]
)
def test_sdl_04_drug_grounds_fit_drug_violations_and_the_other_grounds_any(
    sector: str, article: int, refused: bool
) -> None:
    h = History()
    heavy(h, sector=sector)
    assert ("SDL-04" in problems(h, "serious.listed", "2024-03-01", listing(ground_article=article))) is refused


def test_sdl_05_a_party_that_proved_no_subjective_intent_is_not_listed() -> None:
    h = History()
    h.add(
        "penalty.decided",
        "2024-03-01",
        {
            "decision_no": "P1",
            "procedure": "ordinary",
            "penalty_kinds": ["suspension"],
            "violation": "v",
            "legal_basis": "《食品安全法》第一百二十四条",
            "party_proved_no_intent": True,
        },
    )
    assert problems(h, "serious.listed", "2024-03-01", listing()) == ["SDL-05"]


@pytest.mark.parametrize(("article", "refused"), [(11, False), (5, True), (None, True)])
def test_sdl_11_only_a_refusal_to_perform_is_listed_after_its_penalty(article: int | None, refused: bool) -> None:
    h = History()
    heavy(h)
    later = listing(**({"ground_article": article} if article else {}))
    assert ("SDL-10" in problems(h, "serious.listed", "2024-05-06", later)) is refused


def test_sdl_33_a_granted_removal_is_executed_within_three_working_days() -> None:
    h = History()
    heavy(h, on="2022-03-01")
    h.serious("S1", "2022-03-01", "P1")
    h.repair("A1", "serious", "S1", "2023-03-10", accepted="2023-03-13", granted="2023-04-03")
    h.serious_removed("S1", "2023-04-06", "early_repair")
    (execute,) = due(h, "SDL-33", "2023-06-01")
    assert (execute.due, execute.status) == (d("2023-04-07"), "met")


@pytest.mark.parametrize(
    ("target", "outcome", "end"),
    [("serious_listing", "revoked", "2023-02-01"), ("serious_listing", "upheld", "2025-03-02")],
)
def test_sdl_36_a_listing_annulled_on_reconsideration_ends_an_upheld_one_stays(
    target: str, outcome: str, end: str
) -> None:
    h = History()
    heavy(h, on="2022-03-01")
    h.serious("S1", "2022-03-01", "P1")
    challenge = {"challenge_id": "F1", "target_kind": target, "listing_id": "S1", "route": "reconsideration"}
    h.add("challenge.filed", "2022-04-01", challenge)
    h.add("challenge.decided", "2023-02-01", {"challenge_id": "F1", "outcome": outcome})
    assert [(i.start, i.end) for i in serious_list(h.facts, CTX)] == [(d("2022-03-01"), d(end))]


def test_sdl_36_a_removal_annulled_by_a_court_restores_the_listing() -> None:
    h = History()
    heavy(h, on="2022-03-01")
    h.serious("S1", "2022-03-01", "P1")
    h.serious_removed("S1", "2023-01-04", "other")
    challenge = {"challenge_id": "F1", "target_kind": "serious_removal", "listing_id": "S1", "route": "litigation"}
    h.add("challenge.filed", "2023-02-01", challenge)
    h.add("challenge.decided", "2023-09-01", {"challenge_id": "F1", "outcome": "revoked"})
    spans = [(i.start, i.end) for i in serious_list(h.facts, CTX)]
    assert spans == [(d("2022-03-01"), d("2023-01-04")), (d("2023-09-01"), d("2025-03-02"))]


def test_sdl_37_a_court_ordered_listing_needs_no_penalty_and_lasts_like_an_order_44_listing() -> None:
    h = History()
    court = {"listing_id": "S1", "grounds": "法院判决", "court_judgment_no": "(2024)津01行终1号"}
    assert problems(h, "serious.listed", "2024-03-01", court) == []
    h.add("serious.listed", "2024-03-01", court)
    (listed,) = serious_list(h.facts, CTX)
    assert (listed.end, "SDL-37" in listed.rules) == (d("2027-03-02"), True)


def test_sdl_38_an_abnormal_listing_of_the_2024_regime_never_becomes_a_serious_listing() -> None:
    h = History()
    h.abnormal("A1", "2024-07-10")
    assert serious_list(h.facts, CTX) == []
    old = History()
    old.abnormal("A1", "2020-07-10")
    assert ["AOL-20", "SDL-38"] == list(serious_list(old.facts, CTX)[0].rules)


# --- abnormal list --------------------------------------------------------------------------------


@pytest.mark.parametrize(("filed", "status"), [("2024-06-30", "met"), ("2024-07-01", "missed")])
def test_aol_01_the_annual_report_is_filed_by_30_june_of_the_next_year(filed: str, status: str) -> None:
    h = History()
    h.add("annual_report.filed", filed, {"year": 2023}, department="TJ-D120116")
    (deadline,) = [x for x in due(h, "AOL-01", "2024-12-31") if x.what.endswith("2023")]
    assert (deadline.due, deadline.status) == (d("2024-06-30"), status)
    assert "GSXT-01" in shown(h, "annual_report", "2025-01-01")[0]["rules"]


def test_aol_01_a_report_is_not_filed_before_its_year_ends_and_a_correction_comes_by_30_june() -> None:
    h = History()
    assert problems(h, "annual_report.filed", "2023-12-29", {"year": 2023}, "TJ-D120116") == ["AOL-01"]
    h.add("annual_report.filed", "2024-03-01", {"year": 2023}, department="TJ-D120116")
    late = {"year": 2023, "correction": True}
    assert problems(h, "annual_report.filed", "2024-07-01", late, "TJ-D120116") == ["AOL-01"]
    assert problems(h, "annual_report.filed", "2024-06-28", late, "TJ-D120116") == []


@pytest.mark.parametrize(("listed", "status"), [("2024-07-12", "met"), ("2024-07-15", "missed")])
def test_aol_03_a_missing_annual_report_is_listed_within_ten_working_days_after_30_june(
    listed: str, status: str
) -> None:
    h = History()
    h.abnormal("A1", listed, department="TJ-D120116")
    (deadline,) = [x for x in due(h, "AOL-03", "2024-12-31") if x.what.endswith("2023")]
    assert (deadline.due, deadline.status) == (d("2024-07-12"), status)


def test_aol_04_ordered_instant_information_is_published_in_10_days_else_listed_within_10_working_days() -> None:
    h = History()
    order = {"order_id": "O1", "info_kind": "permit", "matter": "许可信息", "ref": "SC10612011600011"}
    h.add("instant_info.ordered", "2024-03-01", order, department="TJ-D120116")
    publish, listing_due = due(h, "AOL-04", "2024-06-03")
    assert (publish.due, publish.status) == (d("2024-03-11"), "missed")
    assert (listing_due.due, listing_due.status) == (d("2024-03-25"), "missed")
    h.add("instant_info.published", "2024-03-11", {"info_kind": "permit", "order_id": "O1"}, department="TJ-D120116")
    assert [x.status for x in due(h, "AOL-04", "2024-06-03")] == ["met"]


def test_aol_05_a_name_not_changed_by_the_deadline_is_listed_within_10_working_days_under_order_101() -> None:
    h = History()
    h.add("name_change.ordered", "2025-04-01", {"order_id": "N1", "change_by": "2025-06-30"}, department="TJ-D120116")
    (deadline,) = due(h, "AOL-05", "2025-08-01")
    assert (deadline.due, deadline.status) == (d("2025-07-14"), "missed")
    h.add("enterprise.changed", "2025-06-20", {"name": "天津市新名称食品有限公司"}, department="TJ-D120116")
    assert due(h, "AOL-05", "2025-08-01") == []


@pytest.mark.parametrize(
    ("second_sent", "confirmed"),
    [("2024-03-15", False), ("2024-03-16", True), ("2024-03-31", True), ("2024-04-01", False)],
)
def test_aol_06_two_letters_15_to_30_days_apart_not_signed_for_confirm_the_unreachable(
    second_sent: str, confirmed: bool
) -> None:
    h = History()
    h.add("mail.returned", "2024-03-10", {"letter_id": "L1", "sent_on": "2024-03-01"}, department="TJ-D120116")
    h.add("mail.returned", "2024-04-10", {"letter_id": "L2", "sent_on": second_sent}, department="TJ-D120116")
    found = due(h, "AOL-06", "2024-06-03")
    assert bool(found) is confirmed
    if confirmed:
        assert found[0].due == d("2024-04-24")  # 10 WD after the second return


@pytest.mark.parametrize(("confirmed_on", "deadline"), [("2025-03-17", True), ("2025-03-18", False)])
def test_aol_07_false_information_is_listed_within_10_working_days_only_under_order_68(
    confirmed_on: str, deadline: bool
) -> None:
    h = History()
    h.add("false_info.confirmed", confirmed_on, {"finding_id": "F1", "matter": "年报资产虚假"}, department="TJ-D120116")
    assert bool(due(h, "AOL-07", "2025-06-03")) is deadline


def test_aol_08_the_published_listing_states_name_date_reason_and_authority() -> None:
    h = History()
    h.add(
        "abnormal.listed",
        "2024-07-10",
        {"listing_id": "A1", "reason": "annual_report", "deciding_authority": "滨海新区局"},
    )
    (item,) = shown(h, "abnormal_list", "2024-08-01")
    assert item["decision"] == {
        "enterprise_name": "天津市滨海新区海河乳业有限公司",
        "listed_on": "2024-07-10",
        "reason": "annual_report",
        "deciding_authority": "滨海新区局",
    }


def test_aol_12_an_objection_comes_within_30_days_and_is_decided_verified_and_corrected_in_time() -> None:
    h = History()
    h.abnormal("A1", "2024-07-10", department="TJ-D120116")
    objection = {"objection_id": "O1", "listing_id": "A1", "grounds": "已按时年报", "evidence": "回执"}
    assert problems(h, "abnormal.objected", "2024-08-10", objection, "TJ-D120116") == ["AOL-12"]
    h.add("abnormal.objected", "2024-08-09", objection, department="TJ-D120116")
    assert problems(
        h, "objection.decided", "2024-08-12", {"objection_id": "O1", "decision": "listing_wrong"}, "TJ-D120116"
    ) == ["AOL-12"]  # accepted first
    assert problems(
        h, "objection.decided", "2024-08-12", {"objection_id": "O1", "decision": "accepted"}, "TJ-D120101"
    ) == ["AUTH-03"]
    h.add("objection.decided", "2024-08-12", {"objection_id": "O1", "decision": "accepted"}, department="TJ-D120116")
    h.add(
        "objection.decided", "2024-09-02", {"objection_id": "O1", "decision": "listing_wrong"}, department="TJ-D120116"
    )
    h.abnormal_removed("A1", "2024-09-10", department="TJ-D120116")
    accept, verify, correct = due(h, "AOL-12", "2024-12-31")
    assert (accept.due, accept.status) == (d("2024-08-16"), "met")
    assert (verify.due, verify.status) == (d("2024-09-09"), "met")
    assert (correct.due, correct.status) == (d("2024-09-09"), "missed")


def test_aol_13_an_abnormal_listing_annulled_on_reconsideration_ends() -> None:
    h = History()
    h.abnormal("A1", "2024-07-10")
    challenge = {
        "challenge_id": "F1",
        "target_kind": "abnormal_listing",
        "listing_id": "A1",
        "route": "reconsideration",
    }
    h.add("challenge.filed", "2024-08-01", challenge)
    h.add("challenge.decided", "2024-10-08", {"challenge_id": "F1", "outcome": "confirmed_illegal"})
    (listed,) = abnormal_list(h.facts, CTX)
    assert (listed.end, "AOL-13" in listed.rules) == (d("2024-10-08"), True)


def test_gsxt_01_the_enterprises_own_instant_information_is_published() -> None:
    h = History()
    h.add("instant_info.published", "2024-03-11", {"info_kind": "equity_transfer"}, department="TJ-D120116")
    (item,) = shown(h, "instant_info", "2024-03-11")
    assert "GSXT-01" in item["rules"] and item["info_kind"] == "equity_transfer"


def test_pen_06_a_registration_without_a_district_takes_its_region_from_a_uscc_issued_outside_tianjin() -> None:
    source = {"department": "TJ-ENF", "record_id": "R-1", "operator": "o"}
    data = EnterpriseRegistered.model_validate(
        {"name": "X", "entity_kind": "enterprise", "established_on": "2020-01-06"}
    )
    anhui = "91340100MA2N00019"
    enterprise = Enterprise.register(
        anhui + stdnum_uscc.calc_check_digit(anhui), d("2023-01-05"), source, data, today=TODAY, ctx=DEFAULT_CONTEXT
    )
    assert enterprise.facts[0].data.registration_region == "340100"  # type: ignore[attr-defined]
    with pytest.raises(RecordRefusedError, match="ID-11"):  # a Tianjin registrar's code needs the district
        Enterprise.register(make_uscc(9), d("2023-01-05"), source, data, today=TODAY, ctx=DEFAULT_CONTEXT)
