"""Every CONFIRMED rule of the rulebook is carried, or documented as not applicable (issue 18).

Carried means: an entry in the catalogue (`GET /v1/rules`), code outside the catalogue that cites
the ID, and a boundary test named after it (`test_pen_02_...`). Not applicable means: a row of the
"CONFIRMED rules not applied" table of docs/rules.md, with the reason.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from domain.rules.catalogue import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / ".." / "shared" / "domain" / "rulebook.md"
RULES_DOC = ROOT / "docs" / "rules.md"
CONFIRMED = re.compile(r"^([A-Z]+-\d+) \(CONFIRMED", re.MULTILINE)
NOT_APPLIED_HEADING = "## CONFIRMED rules not applied"
CODE = ("domain", "application", "adapters", "projections", "api")


@cache
def confirmed() -> tuple[str, ...]:
    if not RULEBOOK.is_file():
        pytest.fail(f"the rulebook is missing: {RULEBOOK.resolve()} (expected beside the repository, in ../shared)")
    found = tuple(CONFIRMED.findall(RULEBOOK.read_text(encoding="utf-8")))
    assert len(found) > 50, f"only {len(found)} CONFIRMED rules read from {RULEBOOK}: has its format changed?"
    return found


@cache
def not_applied() -> dict[str, str]:
    """ID → reason, from the table under NOT_APPLIED_HEADING in docs/rules.md."""
    text = RULES_DOC.read_text(encoding="utf-8")
    assert NOT_APPLIED_HEADING in text, f"docs/rules.md needs a section {NOT_APPLIED_HEADING!r}"
    section = text.split(NOT_APPLIED_HEADING, 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([A-Z]+-\d+) \| (.+?) \|$", section, re.MULTILINE)
    return {rule: reason.strip() for rule, reason in rows}


@cache
def code_text() -> str:
    return "\n".join(
        path.read_text(encoding="utf-8")
        for folder in CODE
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "catalogue.py"
    )


@cache
def boundary_test_names() -> frozenset[str]:
    names = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        names |= set(re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.MULTILINE))
    return frozenset(names)


def test_the_rulebook_is_read_from_the_shared_folder_beside_the_repository() -> None:
    assert {"PEN-09", "SDL-30", "AOL-12", "KEY-03", "GSXT-01"} <= set(confirmed())


def test_every_confirmed_rule_is_in_the_catalogue_or_documented_as_not_applicable() -> None:
    missing = [rule for rule in confirmed() if rule not in CATALOGUE and rule not in not_applied()]
    assert missing == [], f"CONFIRMED rules neither carried nor documented in docs/rules.md: {missing}"


def test_no_rule_is_both_carried_and_documented_as_not_applicable() -> None:
    assert sorted(set(CATALOGUE) & set(not_applied())) == []


def test_every_rule_documented_as_not_applicable_gives_its_reason() -> None:
    assert all(len(reason) > 20 for reason in not_applied().values()), not_applied()


def test_every_carried_confirmed_rule_is_cited_in_code_and_has_a_boundary_test_named_after_it() -> None:
    carried = [rule for rule in confirmed() if rule not in not_applied()]
    assert len(carried) > 40
    uncited = [rule for rule in carried if rule not in code_text()]
    assert uncited == [], f"no code outside the catalogue cites {uncited}"
    untested = [
        rule
        for rule in carried
        if not any(name.startswith("test_" + rule.lower().replace("-", "_") + "_") for name in boundary_test_names())
    ]
    assert untested == [], f"no boundary test named test_<rule>_… for {untested}"
