"""hashrank-v1 (domain/hashrank.py, docs/draws.md; rulebook DR-02, DR-03, DR-06, DR-07, DR-08):
the same inputs and secrets draw the same, any change of the inputs changes the digest, a
tampered bundle fails the re-run naming the difference, and a golden vector is re-computed by a
second implementation written here from the text of docs/draws.md alone."""

from __future__ import annotations

import copy
import hashlib
import json
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import hashrank as hr

VECTOR = Path(__file__).resolve().parents[1] / "vectors" / "hashrank-v1.json"
SECRET = "5eed" * 16


def golden() -> dict[str, Any]:
    found: dict[str, Any] = json.loads(VECTOR.read_text(encoding="utf-8"))
    return found


def inputs(**changes: Any) -> dict[str, Any]:
    base = copy.deepcopy(golden()["inputs"])
    base.update(changes)
    return base


# --- a second implementation, from docs/draws.md only ----------------------------------------


def jcs(value: Any) -> str:
    """RFC 8785 for the values a draw's inputs hold (ASCII keys, strings, whole numbers, short
    decimals): sorted keys, no spaces, integral numbers without a fraction, UTF-8 as is."""
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k) + ":" + jcs(value[k]) for k in sorted(value)) + "}"
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, ensure_ascii=False)


def independent(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    inp = bundle["inputs"]
    digest = hashlib.sha256(jcs(inp).encode("utf-8")).hexdigest()
    assert digest == bundle["inputs_digest"]
    seed = hashlib.sha256(bytes.fromhex(digest) + b"".join(bytes.fromhex(s) for s in bundle["secrets"])).digest()
    assert seed.hex() == bundle["seed"]
    picks = []
    for layer in inp["strata"]:
        k = math.ceil(Fraction(Decimal(repr(layer["ratio"]))) * len(layer["members"]))
        keyed = sorted((hashlib.sha256(seed + b"E" + u.encode()).digest(), u) for u in layer["members"])
        picks += [(key, u, layer["name"]) for key, u in keyed[:k]]
    picks.sort()
    cap = {p["id"]: p["capacity"] for p in inp["inspectors"]}
    used = dict.fromkeys(cap, 0)
    out = []
    for _, u, name in picks:
        ok = [i for i in cap if {"inspector": i, "uscc": u} not in inp["recusals"] and used[i] < cap[i]]
        ok.sort(key=lambda i: hashlib.sha256(seed + b"I" + u.encode() + i.encode()).digest())
        for i in ok[: inp["per_enterprise"]]:
            used[i] += 1
        out.append({"stratum": name, "uscc": u, "inspectors": ok[: inp["per_enterprise"]]})
    return out


def test_the_golden_vector_is_drawn_alike_by_a_second_implementation_written_from_the_text() -> None:
    bundle = golden()
    drawn = hr.draw(bundle["inputs"], bundle["secrets"])
    assert drawn.as_json() == independent(bundle)
    assert drawn.seed == bundle["seed"]
    assert hr.inputs_digest(bundle["inputs"]) == bundle["inputs_digest"]


def test_the_golden_vector_with_its_redraw_verifies() -> None:
    bundle = golden()
    again = hr.verify(bundle)
    assert again.redrawn == bundle["redraws"] and len(bundle["redraws"]) == 1
    recused = bundle["redraws"][0]
    target = next(s for s in bundle["selected"] if s["uscc"] == recused["uscc"])
    assert recused["inspector"] not in target["inspectors"]
    assert target["inspectors"][-1] == recused["replaced_by"]


def test_the_same_inputs_and_secrets_draw_the_same_selection_twice() -> None:
    first = hr.draw(inputs(), [SECRET])
    second = hr.draw(inputs(), [SECRET])
    assert first.as_json() == second.as_json()
    assert first.seed == second.seed


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("task_id", "TJ-DR-2026-OTHER"),
        ("item_id", "TJ-SJ-002"),
        ("on", "2026-03-03"),
        ("per_enterprise", 3),
        ("recusals", []),
        ("inspectors", [{"id": f"TJ-INS-{i:03d}", "capacity": 4} for i in range(1, 7)]),
    ],
)
def test_changing_any_input_changes_the_inputs_digest(field: str, value: Any) -> None:
    assert hr.inputs_digest(inputs(**{field: value})) != golden()["inputs_digest"]


def test_changing_one_member_or_one_ratio_changes_the_inputs_digest() -> None:
    changed = inputs()
    changed["strata"][0]["ratio"] = 0.3
    assert hr.inputs_digest(changed) != golden()["inputs_digest"]
    changed = inputs()
    changed["strata"][1]["members"] = changed["strata"][1]["members"][1:]
    assert hr.inputs_digest(changed) != golden()["inputs_digest"]


def test_a_bundle_with_one_selected_uscc_swapped_fails_the_re_run_naming_it() -> None:
    bundle = golden()
    bundle["selected"][2]["uscc"] = "91120103MAU6UL4G42"
    with pytest.raises(hr.VerifyMismatch, match=r"selected\[2\]\.uscc"):
        hr.verify(bundle)


def test_a_bundle_whose_inputs_were_edited_fails_on_the_digest() -> None:
    bundle = golden()
    bundle["inputs"]["strata"][0]["ratio"] = 1
    with pytest.raises(hr.VerifyMismatch, match="inputs_digest"):
        hr.verify(bundle)


def test_a_secret_that_is_not_the_committed_one_is_refused() -> None:
    with pytest.raises(hr.DrawInputError, match=r"secrets\[0\]"):
        hr.draw(inputs(), ["00" * 32])


def test_a_class_d_stratum_of_ratio_one_selects_all_its_members_each_with_two_inspectors_none_recused() -> None:
    inp = inputs()
    drawn = hr.draw(inp, [SECRET])
    d_members = set(inp["strata"][3]["members"])
    assert d_members <= {s.uscc for s in drawn.selected}
    recused = {(r["inspector"], r["uscc"]) for r in inp["recusals"]}
    for s in drawn.selected:
        assert len(s.inspectors) >= 2 and len(set(s.inspectors)) == len(s.inspectors)
        assert not any((i, s.uscc) in recused for i in s.inspectors)


def test_the_quota_is_exact_decimal_not_binary_floating_point() -> None:
    assert hr.quota(0.07, 100) == 7  # 0.07 * 100 == 7.000000000000001 in binary floating point
    assert hr.quota(0.05, 41) == 3
    assert hr.quota(1, 5) == 5 and hr.quota(0, 5) == 0


def test_inspectors_count_against_their_capacity() -> None:
    inp = inputs(inspectors=[{"id": f"TJ-INS-{i:03d}", "capacity": 2} for i in range(1, 7)])
    drawn = hr.draw(inp, [SECRET])
    assert max(drawn.load.values()) <= 2
    assert sum(drawn.load.values()) == 2 * len(drawn.selected)


def test_a_pool_too_small_for_two_inspectors_each_is_refused_citing_dr_06() -> None:
    inp = inputs(inspectors=[{"id": "TJ-INS-001", "capacity": 9}, {"id": "TJ-INS-002", "capacity": 9}])
    with pytest.raises(hr.PoolTooSmall, match="DR-06"):
        hr.draw(inp, [SECRET])


def test_fewer_than_two_inspectors_per_enterprise_is_not_a_hashrank_input() -> None:
    with pytest.raises(hr.DrawInputError, match="per_enterprise"):
        hr.check_inputs(inputs(per_enterprise=1))


def test_unsorted_members_are_not_a_hashrank_input() -> None:
    bad = inputs()
    bad["strata"][0]["members"] = list(reversed(bad["strata"][0]["members"]))
    with pytest.raises(hr.DrawInputError, match=r"strata\[0\]\.members"):
        hr.check_inputs(bad)


def test_two_parties_secrets_both_enter_the_seed_in_the_order_of_the_commits() -> None:
    other = "ab" * 32
    inp = inputs(commits=[hr.commit(SECRET), hr.commit(other)], parties=["ledger", "notary"])
    drawn = hr.draw(inp, [SECRET, other])
    assert (
        drawn.seed
        == hashlib.sha256(
            bytes.fromhex(hr.inputs_digest(inp)) + bytes.fromhex(SECRET) + bytes.fromhex(other)
        ).hexdigest()
    )
    with pytest.raises(hr.DrawInputError):
        hr.draw(inp, [other, SECRET])


def test_a_redraw_in_a_bundle_that_names_another_replacement_fails_the_re_run() -> None:
    bundle = golden()
    bundle["redraws"][0]["replaced_by"] = "TJ-INS-003"
    with pytest.raises(hr.VerifyMismatch, match=r"redraws\[0\]"):
        hr.verify(bundle)


def test_docs_draws_md_prints_the_golden_vector_s_digest_seed_and_selection() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "draws.md").read_text(encoding="utf-8")
    bundle = golden()
    assert bundle["inputs_digest"] in text and bundle["seed"] in text
    for s in hr.draw(bundle["inputs"], bundle["secrets"]).selected:
        assert f"{s.stratum} {s.uscc}  {' '.join(s.inspectors)}" in text


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=10)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=5),
    max_leaves=20,
)
PLAIN_LISTS = st.lists(st.from_regex(r"[0-9A-Za-z._-]{0,20}", fullmatch=True), min_size=65, max_size=200)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(TEXT, JSON | PLAIN_LISTS, max_size=6))
def test_the_fast_canonical_json_is_byte_for_byte_the_rfc8785_package_s(value: dict[str, Any]) -> None:
    assert hr.canonical(value) == bytes(rfc8785.dumps(value))


def test_dr_06_the_built_in_public_information_item_draws_at_least_three_percent_with_two_inspectors() -> None:
    from domain.draws import BUILT_IN_ITEMS, DR06_ITEM

    (item,) = [i for i in BUILT_IN_ITEMS if i.item_id == DR06_ITEM]
    assert item.per_enterprise >= 2
    assert all(r >= 0.03 for r in item.ratios.model_dump().values())
    assert hr.quota(item.ratios.A, 1000) == 30 and hr.quota(item.ratios.A, 1001) == 31  # at least 3 %


def test_the_golden_vector_s_digest_is_what_sha256sum_gives_for_its_canonical_json(tmp_path: Path) -> None:
    import shutil
    import subprocess

    tool = shutil.which("sha256sum")
    assert tool, "sha256sum (coreutils) is needed: apt-get install coreutils"
    file = tmp_path / "inputs.json"
    file.write_bytes(rfc8785.dumps(golden()["inputs"]))
    out = subprocess.run([tool, str(file)], capture_output=True, text=True, check=True).stdout
    assert out.split()[0] == golden()["inputs_digest"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b["inputs"].update(strata=[1, 2]),
        lambda b: b["inputs"].update(inspectors="none"),
        lambda b: b.update(secrets=["zz"]),
        lambda b: b.update(selected=None),
        lambda b: b["redraws"].append({"uscc": "X"}),
        lambda b: b["inputs"].update(commits=[7]),
    ],
)
def test_a_bundle_of_the_wrong_shape_is_a_mismatch_never_a_crash(damage: Any) -> None:
    bundle = golden()
    damage(bundle)
    bundle["inputs_digest"] = hr.inputs_digest(bundle["inputs"])  # past the digest, into the re-run
    with pytest.raises(hr.VerifyMismatch):
        hr.verify(bundle)
