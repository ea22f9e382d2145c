from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from domain.reference import DEFAULT_REFERENCE, Dated
from domain.rules.catalogue import CATALOGUE, RULES, listing, param, rules_in_force, version_applied

REF = DEFAULT_REFERENCE
RULE_ID = re.compile(r'"((?:TIME|PEN|SDL|AOL|KEY|COM|GSXT|REP|LEDGER|AUTH|ID|INPUT)-\d+)')


def test_every_rule_id_cited_in_the_code_is_in_the_catalogue() -> None:
    cited = set()
    for folder in ("domain", "ledger", "api", "projections"):
        for path in Path(folder).rglob("*.py"):
            cited |= set(RULE_ID.findall(path.read_text(encoding="utf-8")))
    assert {"LEDGER-10", "AUTH-01", "PEN-09"} <= cited
    assert cited - set(CATALOGUE) == set()


def test_every_rule_has_a_source_and_a_status() -> None:
    for rule in RULES:
        assert rule.status in {"CONFIRMED", "PARTIAL", "UNCONFIRMED", "INFERENCE"}
        assert rule.versions and all(v.source for v in rule.versions)


@pytest.mark.parametrize(
    ("day", "source", "provisional"),
    [
        ("2021-08-31", "Order 71 (SAIC 2014), provisional", True),
        ("2021-09-01", "S-45 Art 9", False),
        ("2021-09-02", "S-45 Art 9", False),
    ],
)
def test_order_45_rules_are_in_force_from_september_2021_and_provisional_before(
    day: str, source: str, provisional: bool
) -> None:
    version = rules_in_force("PEN-05", date.fromisoformat(day))
    assert version is not None and (version.source, version.provisional) == (source, provisional)


@pytest.mark.parametrize(("day", "transfer"), [("2024-04-30", True), ("2024-05-01", False), ("2024-05-02", False)])
def test_the_abnormal_list_transfer_exists_only_before_the_2024_regulation(day: str, transfer: bool) -> None:
    version = rules_in_force("AOL-20", date.fromisoformat(day))
    assert version is not None and ("transfer_after" in version.params) is transfer


def test_a_cut_over_date_is_reference_data() -> None:
    later = replace(REF, disclosure_2024_effective=date(2024, 6, 1))
    assert "transfer_after" in version_applied("AOL-20", date(2024, 5, 15), later).params


def test_a_fact_older_than_every_version_is_judged_by_the_first_version() -> None:
    assert version_applied("AOL-02", date(2013, 1, 1), REF).source == "S-68 Art 4"


def test_unconfirmed_numbers_come_from_reference_data_by_effective_date() -> None:
    from decimal import Decimal

    ref = replace(
        REF, lower_fine_threshold_organisation=Dated(((date.min, None), (date(2024, 1, 1), Decimal("30000"))))
    )
    assert param("PEN-10", "organisation", date(2023, 12, 31), ref) is None
    assert param("PEN-10", "organisation", date(2024, 1, 1), ref) == Decimal("30000")


def test_the_listing_shows_ids_sources_parameters_and_versions() -> None:
    rows = {r["id"]: r for r in listing(REF)}
    assert rows["PEN-09"]["versions"][1]["params"] == {"short": "3 M", "long": "3 Y"}
    assert rows["PEN-10"]["versions"][1]["params"]["organisation"].endswith("from the start: unset")
    assert rows["AOL-20"]["versions"][1]["valid_from"] == "2024-05-01"


def test_dated_values_need_their_versions_in_order() -> None:
    with pytest.raises(ValueError):
        Dated(((date(2024, 1, 1), 1), (date(2023, 1, 1), 2)))
