"""The synthetic data generator (bench/generate.py, issue 5 item 1) and the demo data set (issue 2 item 9)."""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from bench.generate import LOWER_AMOUNT_FINE, generate, main
from domain.context import DEFAULT_CONTEXT
from domain.enterprise import Enterprise
from domain.errors import RecordRefusedError
from domain.identifiers import TIANJIN_DISTRICTS, normalise_uscc, uscc_warnings
from domain.records import Record

ROOT = Path(__file__).resolve().parents[2]
DEMO_FILE = ROOT / "demo" / "tianjin-demo.jsonl"
DEMO_SEED = 1
TODAY = date(2026, 11, 25)
LEGACY_AND_MUNICIPAL = {"120000", "120100", "120107", "120108", "120109", "120221", "120223", "120225"}

RECORD: TypeAdapter[Any] = TypeAdapter(Record)


@cache
def records(enterprises: int = 300, seed: int = 7) -> tuple[dict[str, Any], ...]:
    return tuple(generate(enterprises, seed))


def demo_records() -> list[dict[str, Any]]:
    with DEMO_FILE.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def by_enterprise(stream: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in stream:
        grouped[record["uscc"]].append(record)
    return grouped


def refusals(stream: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> list[str]:
    """Replay every enterprise's records, in stream order, through the aggregate's intake checks."""
    problems = []
    for uscc, history in by_enterprise(stream).items():
        first, *rest = (RECORD.validate_python(r) for r in history)
        enterprise = Enterprise.register(
            uscc, first.effective_on, first.source.model_dump(), first.data, today=TODAY, ctx=DEFAULT_CONTEXT
        )
        for record in rest:
            try:
                enterprise.record(
                    record.type,
                    record.effective_on,
                    record.source.model_dump(),
                    record.data,
                    today=TODAY,
                    ctx=DEFAULT_CONTEXT,
                )
            except RecordRefusedError as exc:
                problems.append(f"{uscc} {record.type} {record.source.record_id}: {exc}")
    return problems


def test_the_same_seed_gives_identical_output_and_another_seed_does_not() -> None:
    first = list(generate(300, 7))
    assert first == list(generate(300, 7))
    assert first != list(generate(300, 8))


def test_the_command_line_writes_what_generate_yields(tmp_path: Path) -> None:
    out = tmp_path / "few.jsonl"
    assert main(["--enterprises", "40", "--seed", "5", "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == list(generate(40, 5))


def test_every_record_of_a_300_enterprise_run_validates_against_the_record_vocabulary() -> None:
    adapter = TypeAdapter(Record)
    for record in records():
        adapter.validate_python(record)
        assert set(record) == {"type", "uscc", "effective_on", "source", "data"}


def test_replaying_each_enterprise_in_stream_order_through_the_aggregate_refuses_nothing() -> None:
    assert refusals(records()) == []
    assert refusals(records(300, 11)) == []


def test_every_uscc_is_unique_valid_and_registered_by_a_tianjin_authority() -> None:
    stream = list(generate(3000, 2))
    registered = [r["uscc"] for r in stream if r["type"] == "enterprise.registered"]
    assert len(registered) == len(set(registered)) == 3000
    assert {r["uscc"] for r in stream} == set(registered)
    for uscc in registered:
        assert normalise_uscc(uscc) == uscc
        assert uscc_warnings(uscc) == [], uscc  # GB 11714 organisation-code check (ID-03)
        assert uscc[2:8] in TIANJIN_DISTRICTS or uscc[2:8] in LEGACY_AND_MUNICIPAL
        assert uscc[:2] in {"91", "92", "93"}


def test_each_enterprise_starts_with_its_registration_and_dates_stay_between_2019_and_november_2026() -> None:
    for history in by_enterprise(records()).values():
        assert history[0]["type"] == "enterprise.registered"
        assert sum(r["type"] == "enterprise.registered" for r in history) == 1
    days = {r["effective_on"] for r in records()}
    assert min(days) >= "2019-01-01"
    assert max(days) <= "2026-11-20"


def test_record_ids_are_unique_per_department() -> None:
    keys = Counter((r["source"]["department"], r["source"]["record_id"]) for r in generate(3000, 2))
    assert keys.most_common(1)[0][1] == 1


def test_most_enterprises_are_ordinary_without_permits_or_penalties() -> None:
    grouped = by_enterprise(records())
    with_permits = sum(any(r["type"] == "permit.granted" for r in h) for h in grouped.values())
    with_penalties = sum(any(r["type"] == "penalty.decided" for r in h) for h in grouped.values())
    assert with_permits < 0.3 * len(grouped)
    assert with_penalties < 0.3 * len(grouped)
    sectors = {r["data"]["sector"] for r in records() if r["type"] == "permit.granted"}
    assert {"food_production", "special_food", "special_equipment"} <= sectors


def test_some_records_arrive_late_and_the_stream_is_not_sorted_by_enterprise() -> None:
    late = 0
    for history in by_enterprise(records()).values():
        latest = ""
        for record in history:
            if record["effective_on"] < latest:
                late += 1
            latest = max(latest, record["effective_on"])
    assert late > 0
    usccs = [r["uscc"] for r in records()]
    switches = sum(a != b for a, b in itertools.pairwise(usccs))
    assert switches > len(set(usccs)) * 2


def test_the_stream_is_lazy_so_the_design_scale_starts_at_once() -> None:
    first = next(iter(generate("design", 1)))
    assert first["type"] == "enterprise.registered"


def test_the_small_scale_has_ten_thousand_enterprises_and_about_ten_records_each() -> None:
    counts = Counter(r["type"] for r in generate("small", 1))
    assert counts["enterprise.registered"] == 10_000
    assert 80_000 <= sum(counts.values()) <= 120_000


# --- the demo data set (issue 2, item 9) ------------------------------------------------------


def test_the_demo_file_is_what_the_generator_produces_for_the_demo_scale() -> None:
    assert demo_records() == list(generate("demo", DEMO_SEED))


def test_the_demo_file_validates_and_replays_without_refusals() -> None:
    adapter = TypeAdapter(Record)
    for record in demo_records():
        adapter.validate_python(record)
    assert refusals(demo_records()) == []


def test_the_demo_covers_fifty_enterprises_in_the_three_key_sectors_and_several_districts() -> None:
    demo = demo_records()
    registrations = [r for r in demo if r["type"] == "enterprise.registered"]
    assert 40 <= len(registrations) <= 60
    assert len({r["data"]["district_code"] for r in registrations}) >= 5
    sectors = {r["data"]["sector"] for r in demo if r["type"] == "permit.granted"}
    assert {"food_production", "special_food", "special_equipment"} <= sectors


def test_the_demo_has_a_warning_only_a_lower_amount_fine_and_a_three_year_penalty() -> None:
    penalties = [r["data"] for r in demo_records() if r["type"] == "penalty.decided"]
    ordinary = [p for p in penalties if p["procedure"] == "ordinary"]
    assert any(p["penalty_kinds"] == ["warning"] for p in penalties)
    assert any(p["penalty_kinds"] == ["fine"] and Decimal(p["fine_yuan"]) < LOWER_AMOUNT_FINE for p in ordinary)

    def three_years(p: dict[str, Any]) -> bool:  # PEN-09: neither 3 M nor a longer restriction
        minor = (
            set(p["penalty_kinds"]) <= {"warning", "criticism", "fine"}
            and Decimal(p.get("fine_yuan") or 0) < LOWER_AMOUNT_FINE
        )
        return "published_on" in p and not minor and (p.get("restriction_years") or 0) <= 3

    assert any(three_years(p) for p in ordinary)


def test_the_demo_has_inspections_a_commitment_listings_a_repair_and_a_correction() -> None:
    demo = demo_records()
    types = Counter(r["type"] for r in demo)
    for rtype in (
        "permit.granted",
        "inspection.concluded",
        "commitment.made",
        "abnormal.listed",
        "abnormal.removed",
        "serious.listed",
        "repair.applied",
        "repair.granted",
        "record.corrected",
    ):
        assert types[rtype] >= 1, rtype
    listed = {r["data"]["listing_id"] for r in demo if r["type"] == "abnormal.listed"}
    removed = {r["data"]["listing_id"] for r in demo if r["type"] == "abnormal.removed"}
    assert listed & removed
    decisions = {r["data"]["decision_no"] for r in demo if r["type"] == "penalty.decided"}
    assert all(r["data"]["penalty_decision_no"] in decisions for r in demo if r["type"] == "serious.listed")


@pytest.mark.parametrize("seed", [3, 4])
def test_other_seeds_replay_without_refusals_too(seed: int) -> None:
    assert refusals(records(400, seed)) == []
