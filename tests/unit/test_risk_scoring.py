"""Risk classes on hand-made histories (rulebook §9, RISK-01 … RISK-10; S-TJ28 五(六)–(七)).

The default model of the repository (`risk-models/`), provisional: these tests pin how its
indicators order a clean enterprise, one with two penalties, one with an untrue commitment and
one on the serious list, and that every point of a score names the records it came from.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from domain.errors import RiskModelError
from domain.risk.model import CLASSES, KnownModel, ModelBook, RiskModel, parse_model
from domain.risk.rescore import RunRef, rescores, triggers
from domain.risk.run import ClassResult, distribution, enterprise_digest, input_digest, run_id
from domain.risk.scoring import Assessment, assess
from tests.unit.rules_history import History, d

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILE = ROOT / "risk-models" / "tj-2021.1-provisional.json"
ON = d("2026-01-01")


def default_model() -> RiskModel:
    return parse_model(MODEL_FILE.read_text(encoding="utf-8"))


def key_sector_producer() -> History:
    """Registered 2015, a food production permit valid through the scoring date, reports filed."""
    h = History()
    h.add(
        "permit.granted",
        "2021-03-01",
        {
            "permit_no": "SC10612011600011",
            "sector": "food_production",
            "category": "乳制品",
            "valid_from": "2021-03-01",
            "valid_until": "2026-02-28",
            "issuing_authority": "天津市市场监督管理委员会",
        },
        department="TJ-LIC",
    )
    for year in (2023, 2024):
        h.add("annual_report.filed", f"{year + 1}-04-01", {"year": year}, department="TJ-REG")
    return h


def clean() -> History:
    h = key_sector_producer()
    h.add(
        "inspection.concluded",
        "2025-05-10",
        {"task_id": "T-1", "item": "食品生产", "kind": "double_random", "result": "compliant"},
        department="TJ-D120116",
    )
    return h


def two_penalties() -> History:
    h = key_sector_producer()
    h.penalty("津市监罚〔2025〕1号", "2025-03-01")
    h.penalty("津市监罚〔2025〕2号", "2025-08-01")
    return h


def broken_commitment() -> History:
    h = key_sector_producer()
    h.add(
        "commitment.made",
        "2025-02-01",
        {
            "commitment_id": "C-1",
            "matter": "食品生产许可变更",
            "text": "本企业承诺符合条件",
            "consent_to_publish": True,
        },
        department="TJ-LIC",
    )
    h.add(
        "commitment.verified",
        "2025-06-01",
        {"commitment_id": "C-1", "outcome": "untrue", "consequence": "decision_revoked"},
        department="TJ-LIC",
    )
    return h


LISTED_ON = "2025-09-01"


def serious() -> History:
    h = key_sector_producer()
    h.penalty("津市监罚〔2025〕9号", "2025-09-01", ("fine", "suspension"), heavier_fine=True)
    h.serious("S-1", LISTED_ON, "津市监罚〔2025〕9号")
    return h


def scored(h: History, on: date = ON) -> Assessment:
    found = assess(h.raw, default_model(), on)
    assert found is not None
    return found


def test_the_default_model_is_provisional_and_every_number_names_its_source_or_says_assumed() -> None:
    model = default_model()
    assert model.provisional and model.max_score == 100  # SAMR 2022 food draft: 20 + 40 + 40
    assert {g: s.max_points for g, s in model.groups.items()} == {"base": 20, "sector_static": 40, "sector_dynamic": 40}
    cited = [*model.sources, "assumed"]
    sourced = [
        *(i.source for i in model.indicators),
        *(g.source for g in model.groups.values()),
        model.cutoffs.source,
        model.sector_order_source,
        *(o.source for o in model.overrides),
        *(s.source for s in model.special_cases),
    ]
    unsourced = [s for s in sourced if not any(c in s for c in cited) and "issue 19" not in s]
    assert not unsourced


def test_clean_two_penalties_broken_commitment_and_serious_are_ordered_by_risk_a_to_d() -> None:
    found = [scored(h()) for h in (clean, two_penalties, broken_commitment, serious)]
    assert [f.risk_class for f in found] == ["A", "B", "C", "D"]
    scores = [f.score for f in found[:3]]
    assert scores == sorted(scores) and len(set(scores)) == 3


@pytest.mark.parametrize("history", [clean, two_penalties, broken_commitment, serious])
def test_contributions_add_up_to_the_score_and_name_records_of_the_history(history) -> None:  # type: ignore[no-untyped-def]
    h = history()
    found = scored(h)
    assert sum(c.points for c in found.contributions) == found.score
    keys = {f.key for f in h.raw}
    for contribution in found.contributions:
        assert contribution.records and set(contribution.records) <= keys, contribution
    assert found.score_class == default_model().cutoffs.class_of(found.score)


def test_two_penalties_count_in_the_penalty_indicator_with_both_decisions_named() -> None:
    h = two_penalties()
    (penalties,) = [c for c in scored(h).contributions if c.indicator == "dynamic.penalties"]
    assert penalties.units == 2 and penalties.points == 12
    assert {r for _, r in penalties.records} == {f.record_id for f in h.raw if f.type == "penalty.decided"}


def test_penalties_older_than_the_look_back_window_no_longer_count() -> None:
    h = two_penalties()
    assert scored(h, d("2028-07-31")).score < scored(h, d("2028-02-01")).score < scored(h).score + 1


def test_a_revoked_penalty_does_not_count() -> None:
    h = two_penalties()
    before = scored(h).score
    h.revoke_penalty("津市监罚〔2025〕2号", "2025-10-01")
    assert scored(h).score == before - 6


def test_the_serious_one_is_d_from_its_listing_date_and_not_before() -> None:
    h = serious()
    listed = d(LISTED_ON)
    before = scored(h, listed - timedelta(days=1))
    on_listing = scored(h, listed)
    assert before.risk_class != "D"
    assert on_listing.risk_class == "D"
    (override,) = on_listing.overrides
    assert override.kind == "serious_list" and override.since == listed and override.to_class == "D"
    assert ("TJ-ENF", "R-6") in override.records or override.records  # names the listing


def test_an_enterprise_is_not_classified_before_registration_or_after_deregistration() -> None:
    h = clean()
    assert assess(h.raw, default_model(), d("2014-12-31")) is None
    h.add("enterprise.deregistered", "2025-12-01", {}, department="TJ-REG")
    assert assess(h.raw, default_model(), ON) is None


def test_a_granted_risk_class_repair_lowers_the_class_by_one_from_its_execution_date() -> None:
    h = broken_commitment()
    assert scored(h).risk_class == "C"
    application = h.add(
        "repair.applied",
        "2026-02-01",
        {"application_id": "RA-1", "target_kind": "penalty", "target_ref": "tj-2021.1-provisional"},
        department="TJ-LIC",
    )
    # target_kind `risk_class` joins the vocabulary with the repair cases (issue 21): built unvalidated here
    h.raw[-1] = replace(application, data=application.data.model_copy(update={"target_kind": "risk_class"}))
    h.add("repair.granted", "2026-02-20", {"application_id": "RA-1"}, department="TJ-LIC")
    assert scored(h, d("2026-02-19")).risk_class == "C"
    lowered = scored(h, d("2026-02-20"))
    assert CLASSES.index(lowered.risk_class) == CLASSES.index(lowered.score_class) - 1
    assert [o.kind for o in lowered.overrides] == ["risk_class_repair"]


def test_a_model_file_with_a_bad_number_is_refused_naming_the_field() -> None:
    body = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    body["cutoffs"]["C"] = 10  # below B
    with pytest.raises(RiskModelError) as refused:
        parse_model(json.dumps(body))
    assert any(p.field.startswith("cutoffs") for p in refused.value.problems)
    body = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    body["indicators"][0]["cap"] = 90  # the base group could exceed its 20 points
    with pytest.raises(RiskModelError, match="max_points"):
        parse_model(json.dumps(body))


def later_model(effective_from: str = "2027-01-01") -> RiskModel:
    body = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    body.update(version="tj-2027.1", effective_from=effective_from, provisional=False)
    body["cutoffs"].update(B=10, C=20, D=30)
    return parse_model(json.dumps(body))


def test_the_model_in_force_is_the_latest_effective_on_the_date_as_known_then() -> None:
    loaded = datetime(2026, 11, 1, tzinfo=UTC)
    book = ModelBook((KnownModel(default_model(), None), KnownModel(later_model(), loaded)))
    assert (
        book.in_force(d("2026-12-31")) is not None and book.in_force(d("2026-12-31")).version == default_model().version
    )  # type: ignore[union-attr]
    assert book.in_force(d("2027-01-01")).version == "tj-2027.1"  # type: ignore[union-attr]
    assert book.in_force(d("2027-01-01"), loaded - timedelta(seconds=1)).version == default_model().version  # type: ignore[union-attr]
    assert book.in_force(d("2021-01-01")) is None


def book() -> ModelBook:
    return ModelBook((KnownModel(default_model(), None),))


def test_a_serious_listing_between_runs_re_scores_the_enterprise_to_d_on_its_listing_date() -> None:
    h = serious()
    run = RunRef(
        "run-1",
        d("2025-01-01"),
        default_model().version,
        datetime(2025, 1, 2, tzinfo=UTC),
        datetime(2025, 1, 2, 1, tzinfo=UTC),
    )
    found = rescores(h.raw, [run], book())
    (listing,) = [r for r in found if r.cause_kind == "serious_listed"]
    assert listing.on == d(LISTED_ON) and listing.for_run is None and listing.assessment.risk_class == "D"


def test_a_special_case_a_later_run_did_not_see_re_scores_on_that_runs_date_too() -> None:
    h = key_sector_producer()
    h.penalty("P-9", "2025-12-20", ("fine", "suspension"), heavier_fine=True)
    h.serious("S-9", "2025-12-20", "P-9", recorded="2026-01-10")  # recorded after the run below
    run = RunRef(
        "run-2026",
        d("2026-01-01"),
        default_model().version,
        datetime(2026, 1, 5, tzinfo=UTC),
        datetime(2026, 1, 5, 1, tzinfo=UTC),
    )
    found = [r for r in rescores(h.raw, [run], book()) if r.cause_kind == "serious_listed"]
    assert sorted((r.on, r.for_run) for r in found) == [(d("2025-12-20"), None), (d("2026-01-01"), "run-2026")]
    assert {r.assessment.risk_class for r in found} == {"D"}


def test_ordinary_records_do_not_re_score_and_a_model_without_the_special_case_does_not_either() -> None:
    assert triggers(two_penalties().raw, book()) == []
    body = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    body["special_cases"] = []
    quiet = ModelBook((KnownModel(parse_model(json.dumps(body)), None),))
    assert triggers(serious().raw, quiet) == []


def test_a_re_score_reads_the_history_as_known_when_the_special_case_was_recorded() -> None:
    h = serious()
    before = rescores(h.raw, [], book())
    h.penalty("P-later", "2025-10-01", recorded="2025-10-02")  # an ordinary record, after the listing
    assert rescores(h.raw, [], book()) == before


def test_the_input_digest_depends_on_every_record_the_model_and_the_date_only() -> None:
    one = enterprise_digest("U1", [("TJ-ENF", "R-1", "f1")])
    same = input_digest("m", ON, [("U2", "x"), ("U1", one)])
    assert same == input_digest("m", ON, [("U1", one), ("U2", "x")])  # order of arrival does not matter
    assert same != input_digest("m", ON + timedelta(days=1), [("U1", one), ("U2", "x")])
    assert same != input_digest("m2", ON, [("U1", one), ("U2", "x")])
    assert same != input_digest("m", ON, [("U1", enterprise_digest("U1", [("TJ-ENF", "R-1", "f2")])), ("U2", "x")])
    assert run_id("effective", same) == run_id("effective", same) != run_id("trial", same)


def test_a_distribution_counts_every_class_per_sector_and_district() -> None:
    results = [
        ClassResult("U1", "A", 10, "food_production", "120116"),
        ClassResult("U2", "D", 70, "food_production", "120101"),
        ClassResult("U3", "A", 0, "general", None),
    ]
    dist = distribution(results)
    assert dist.by_class == {"A": 2, "B": 0, "C": 0, "D": 1}
    assert dist.by_sector == {"food_production": {"A": 1, "D": 1}, "general": {"A": 1}}
    assert dist.by_district["outside"] == {"A": 1}
    assert set(dist.by_class) == set(CLASSES)


def test_the_shipped_model_never_changes_under_its_version() -> None:
    """Runs record the model's digest and re-scores read the shipped model as always known: a
    change of its numbers is a new file with a new version (and effective date), never an edit."""
    assert default_model().digest == "8226446359cb64f4ca1cc1c306bb05448f7fc177ca8c8103c1a097e2ded880a6"
    assert [p.name for p in MODEL_FILE.parent.glob("*.json")] == [MODEL_FILE.name]
