"""Credit commitments (issue 21): templates (COM-07), excluded matters (COM-03), who may commit
(COM-04, SDL-20), verification tasks and the consequences of untrue ones (COM-05)."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.calendar import WorkingCalendar
from domain.consistency import check_record
from domain.context import RuleContext
from domain.records import DATA_MODELS
from domain.reference import DEFAULT_REFERENCE
from domain.rules.commitment import template_in_force
from domain.rules.deadlines import deadlines
from tests.unit.rules_history import History, d

CTX = RuleContext(WorkingCalendar(), DEFAULT_REFERENCE)
TODAY = date(2026, 12, 1)
LETTER = "本单位已知晓告知的全部内容，承诺所填报信息真实、准确，已经符合相关条件和要求。"


def commitment(cid: str, template: str | None, matter: str, **more: Any) -> dict[str, Any]:
    data = {"commitment_id": cid, "matter": matter, "text": LETTER, "consent_to_publish": True, **more}
    if template is not None:
        data["template_id"] = template
    return data


def refused(h: History, type_: str, on: str, data: dict[str, Any]) -> list[str]:
    model = DATA_MODELS[type_].model_validate(data)
    return [p.rule or "" for p in check_record(type_, d(on), "TJ-ENF", model, h.raw, today=TODAY, ctx=CTX)]


def test_com_03_a_commitment_under_an_excluded_matter_is_refused() -> None:
    h = History()
    assert refused(h, "commitment.made", "2026-03-02", commitment("C1", "TJ-GZCN-20", "食品生产许可现场核查事项")) == [
        "COM-03"
    ]
    assert refused(h, "commitment.made", "2026-03-02", commitment("C1", None, "特种设备生产单位许可")) == ["COM-03"]


def test_com_07_a_commitment_names_a_template_in_force_and_its_matter() -> None:
    h = History()
    assert refused(h, "commitment.made", "2026-03-02", commitment("C1", "TJ-NOPE", "x")) == ["COM-07"]
    assert refused(h, "commitment.made", "2026-03-02", commitment("C1", "TJ-GZCN-07", "别的事项")) == ["COM-07"]
    assert refused(h, "commitment.made", "2026-03-02", commitment("C1", "TJ-GZCN-07", "食品经营许可告知承诺")) == []
    template = template_in_force("TJ-GZCN-07", date(2026, 3, 2), CTX)
    assert template is not None and template.liability and template.proven and template.legal_basis


def test_com_04_no_notify_and_commit_while_on_the_serious_list_but_a_repair_letter_is_made_there() -> None:
    h = History()
    h.penalty("P1", "2025-06-02", ("fine", "suspension"))
    h.serious("S1", "2025-06-02", "P1")
    notify = commitment("C1", "TJ-GZCN-07", "食品经营许可告知承诺")
    assert refused(h, "commitment.made", "2026-03-02", notify) == ["SDL-20"]
    letter = commitment("C2", "TJ-XYCN-02", "信用修复守信承诺")
    assert refused(h, "commitment.made", "2026-03-02", letter) == []


def test_com_04_an_untrue_commitment_not_yet_repaired_blocks_the_next() -> None:
    h = History()
    h.add("commitment.made", "2025-03-03", commitment("C1", "TJ-GZCN-07", "食品经营许可告知承诺"))
    h.add(
        "commitment.verified",
        "2025-05-06",
        {"commitment_id": "C1", "outcome": "untrue", "consequence": "terminated", "consequence_ref": "终止-1"},
    )
    again = commitment("C2", "TJ-GZCN-01", "企业住所（经营场所）登记告知承诺")
    assert refused(h, "commitment.made", "2026-03-02", again) == ["COM-04"]


def test_com_05_an_untrue_finding_names_its_consequence() -> None:
    h = History()
    h.add("commitment.made", "2025-03-03", commitment("C1", "TJ-GZCN-07", "食品经营许可告知承诺"))
    assert refused(h, "commitment.verified", "2025-05-06", {"commitment_id": "C1", "outcome": "untrue"}) == ["COM-05"]


def test_com_05_an_untrue_commitment_without_its_consequence_record_is_an_open_deadline_until_it_arrives() -> None:
    h = History()
    h.add("commitment.made", "2026-03-02", commitment("C1", "TJ-GZCN-07", "食品经营许可告知承诺"))
    h.add(
        "commitment.verified",
        "2026-05-06",
        {"commitment_id": "C1", "outcome": "untrue", "consequence": "penalised", "consequence_ref": "罚-9"},
    )

    def consequence(as_of: str) -> tuple[date, str]:
        (found,) = [x for x in deadlines(h.facts, d(as_of), CTX) if x.what.startswith("record the consequence")]
        return found.due, found.status

    # 20 WD (reference data, assumed) from Wed 6 May 2026: 7-8 May 1-2, Sat 9 May (make-up day) 3, 11-15 4-8,
    # 18-22 9-13, 25-29 14-18, 1-2 Jun 19-20.
    assert consequence("2026-05-20") == (date(2026, 6, 2), "open")
    assert consequence("2026-06-04") == (date(2026, 6, 2), "missed")
    h.penalty("罚-9", "2026-05-29")
    assert consequence("2026-06-04") == (date(2026, 6, 2), "met")


def test_com_05_each_commitment_has_a_verification_task() -> None:
    h = History()
    h.add("commitment.made", "2026-03-02", commitment("C1", "TJ-GZCN-07", "食品经营许可告知承诺"))
    (task,) = [x for x in deadlines(h.facts, d("2026-04-01"), CTX) if x.rule == "COM-05"]
    assert (task.what, task.due, task.status) == ("verify commitment C1", date(2026, 9, 2), "open")
    h.add("commitment.verified", "2026-04-10", {"commitment_id": "C1", "outcome": "fulfilled"})
    (task,) = [x for x in deadlines(h.facts, d("2026-05-01"), CTX) if x.rule == "COM-05"]
    assert task.status == "met"


def test_com_05_a_consequence_record_must_match_the_finding() -> None:
    h = History()
    h.add("commitment.made", "2026-03-02", commitment("C1", "TJ-GZCN-07", "食品经营许可告知承诺"))
    wrong = {"commitment_id": "C1", "consequence": "terminated", "document_no": "终止-1"}
    assert refused(h, "commitment.consequence_recorded", "2026-05-07", wrong) == ["COM-05"]
    h.add(
        "commitment.verified", "2026-05-06", {"commitment_id": "C1", "outcome": "untrue", "consequence": "terminated"}
    )
    assert refused(h, "commitment.consequence_recorded", "2026-05-07", wrong) == []
