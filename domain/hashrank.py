"""`hashrank-v1`: the random draw of 双随机、一公开 that anyone can re-run (issue 20, docs/draws.md).

Rulebook §10: DR-02 (draw objects and inspectors at random), DR-03/RISK-04/05 (ratios by risk
class), DR-06 Art 9 (at least two inspectors), DR-07 (回避: recusal, then redraw, both logged),
DR-08 (everything needed to re-run the draw is kept). A third party re-implements it from
docs/draws.md; keep the two in step, and never change what `hashrank-v1` computes (a change is a
new algorithm name).

- `inputs` (a JSON object) → `inputs_digest` = hex SHA-256 of its RFC 8785 canonical JSON;
- `commits[i]` = hex SHA-256 of secret *i*'s bytes; secrets are revealed after every commit;
- `seed` = SHA-256(inputs_digest bytes ‖ secret₁ bytes ‖ … ‖ secretₙ bytes);
- per stratum, `k` = ceil(ratio × members) in exact decimal arithmetic; the `k` members with the
  smallest SHA-256(seed ‖ b"E" ‖ USCC) are selected;
- inspectors: the selected enterprises in ascending order of their keys, each taking the
  `per_enterprise` eligible inspectors (not recused for it, under capacity) with the smallest
  SHA-256(seed ‖ b"I" ‖ USCC ‖ inspector id).

Pure: no I/O, no clock, no `random` (its sample and shuffle are not stable across versions).
"""

from __future__ import annotations

import hashlib
import heapq
import math
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import orjson
import rfc8785

ALGORITHM = "hashrank-v1"
MIN_PER_ENTERPRISE = 2
"""DR-06 Art 9: on-site checks by at least two inspectors."""


class DrawInputError(ValueError):
    """The inputs of a draw are not a hashrank-v1 input (the message names the field)."""


class PoolTooSmall(ValueError):  # noqa: N818 - a domain name, like the library's own
    """Not enough eligible inspectors for a selected enterprise (DR-06 Art 9, DR-07)."""


class VerifyMismatch(ValueError):  # noqa: N818
    """A bundle that does not re-run to itself; the message names the first difference."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


PLAIN = re.compile(r"[0-9A-Za-z._-]*")
"""Strings whose JSON text is the same in RFC 8785 and in orjson: no escape, ASCII."""


def canonical(value: Any) -> bytes:
    """RFC 8785 (JSON Canonicalization Scheme) bytes of a JSON value, by the `rfc8785` package.

    A long list of plain ASCII strings (a stratum's USCCs) is written by `orjson` instead, which
    gives the same bytes for such strings many times faster (1,000,000 USCCs: 0.05 s against 3 s); the package writes everything else, the lists' places marked by placeholders
    that cannot occur in the value (a unit test compares both ways on every shape of input)."""
    lists: list[bytes] = []
    marker = "\x00list-"

    def swap(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: swap(x) for k, x in v.items()}
        if isinstance(v, list):
            if len(v) > 64 and all(type(x) is str for x in v) and PLAIN.fullmatch("".join(v)):
                lists.append(orjson.dumps(v))  # compact, and these strings need no escape
                return f"{marker}{len(lists) - 1}"
            return [swap(x) for x in v]
        if isinstance(v, str) and v.startswith(marker):
            raise DrawInputError(f"a string may not start with {marker!r}")
        return v

    skeleton = bytes(rfc8785.dumps(swap(value)))
    if not lists:
        return skeleton
    for i, text in enumerate(lists):
        placeholder = rfc8785.dumps(f"{marker}{i}")
        skeleton = skeleton.replace(bytes(placeholder), text, 1)
    return skeleton


def inputs_digest(inputs: Mapping[str, Any]) -> str:
    return sha256_hex(canonical(dict(inputs)))


def commit(secret_hex: str) -> str:
    """The commitment to a secret: hex SHA-256 of its bytes (not of its hex text)."""
    return sha256_hex(bytes.fromhex(secret_hex))


def seed_of(digest_hex: str, secrets_hex: Sequence[str]) -> str:
    h = hashlib.sha256(bytes.fromhex(digest_hex))
    for secret in secrets_hex:
        h.update(bytes.fromhex(secret))
    return h.hexdigest()


def quota(ratio: Any, members: int) -> int:
    """ceil(ratio × members), exactly: the ratio is read as the decimal its JSON text writes
    (0.07 × 100 = 7, where binary floating point gives 7.000000000000001 and a ceiling of 8)."""
    exact = Fraction(Decimal(str(ratio)))
    if exact < 0 or exact > 1:
        raise DrawInputError(f"strata: ratio {ratio} is not between 0 and 1")
    return math.ceil(exact * members)


def enterprise_key(seed: bytes, uscc: str) -> bytes:
    return hashlib.sha256(seed + b"E" + uscc.encode("ascii")).digest()


def enterprise_keys(seed: bytes, usccs: Sequence[str]) -> list[bytes]:
    """`enterprise_key` of each, in order (the USCCs encoded in one call: a third faster)."""
    prefix, sha = seed + b"E", hashlib.sha256
    joined = "\n".join(usccs)
    if "\n" in "".join(usccs):
        return [enterprise_key(seed, u) for u in usccs]
    encoded = joined.encode("ascii").split(b"\n") if usccs else []
    return [sha(prefix + b).digest() for b in encoded]


def inspector_key(seed: bytes, uscc: str, inspector: str) -> bytes:
    return hashlib.sha256(seed + b"I" + uscc.encode("ascii") + inspector.encode("utf-8")).digest()


@dataclass
class Selected:
    stratum: str
    uscc: str
    inspectors: list[str]

    def as_json(self) -> dict[str, Any]:
        return {"stratum": self.stratum, "uscc": self.uscc, "inspectors": list(self.inspectors)}


@dataclass
class Drawn:
    seed: str
    selected: list[Selected]
    """In ascending order of the enterprises' keys (the order inspectors were assigned in)."""
    load: dict[str, int]
    """Enterprises assigned to each inspector."""
    redrawn: list[dict[str, Any]] = field(default_factory=list)
    """The recusals found after the draw, in order: {inspector, uscc, replaced_by}."""

    def as_json(self) -> list[dict[str, Any]]:
        return [s.as_json() for s in self.selected]


def check_inputs(inputs: Mapping[str, Any]) -> None:
    """The shape hashrank-v1 needs; a `DrawInputError` naming the first bad field."""
    if inputs.get("algorithm") != ALGORITHM:
        raise DrawInputError(f"algorithm: {inputs.get('algorithm')!r} is not {ALGORITHM!r}")
    for name in ("task_id", "item_id", "on"):
        if not isinstance(inputs.get(name), str) or not inputs[name]:
            raise DrawInputError(f"{name}: a non-empty string is required")
    per = inputs.get("per_enterprise")
    if not isinstance(per, int) or isinstance(per, bool) or per < MIN_PER_ENTERPRISE:
        raise DrawInputError(f"per_enterprise: at least {MIN_PER_ENTERPRISE} (DR-06 Art 9), not {per!r}")
    everyone: list[str] = []
    for i, stratum in enumerate(inputs.get("strata") or []):
        members = stratum.get("members")
        try:
            joined = "".join(members) if isinstance(members, list) else None
        except TypeError:
            joined = None
        if joined is None or members != sorted(members):
            raise DrawInputError(f"strata[{i}].members: a sorted list of USCCs is required")
        if not joined.isascii():
            raise DrawInputError(f"strata[{i}].members: a USCC is written in ASCII")
        everyone.extend(members)
        quota(stratum.get("ratio"), len(members))
    everyone.sort()  # runs already sorted: a merge
    if not all(map(operator.lt, everyone, everyone[1:])):
        twice = next(a for a, b in zip(everyone, everyone[1:], strict=False) if a == b)
        raise DrawInputError(f"strata: {twice} is a member twice")
    pool = inputs.get("inspectors")
    if not isinstance(pool, list):
        raise DrawInputError("inspectors: a list of {id, capacity} is required")
    ids = [p.get("id") for p in pool]
    if ids != sorted(ids) or len(set(ids)) != len(ids):
        raise DrawInputError("inspectors: sorted by id, each id once")
    for p in pool:
        cap = p.get("capacity")
        if not isinstance(cap, int) or isinstance(cap, bool) or cap < 0:
            raise DrawInputError(f"inspectors: capacity of {p.get('id')} must be a whole number ≥ 0")
    commits = inputs.get("commits")
    if not isinstance(commits, list) or not commits:
        raise DrawInputError("commits: at least one party's commitment is required")
    for c in commits:
        if not isinstance(c, str) or len(c) != 64 or any(ch not in "0123456789abcdef" for ch in c):
            raise DrawInputError(f"commits: {c!r} is not a lowercase hex SHA-256")


def draw(inputs: Mapping[str, Any], secrets_hex: Sequence[str]) -> Drawn:
    """Run hashrank-v1 on committed inputs and revealed secrets (in the order of `commits`)."""
    check_inputs(inputs)
    commits = list(inputs["commits"])
    if len(secrets_hex) != len(commits):
        raise DrawInputError(f"secrets: {len(commits)} committed, {len(secrets_hex)} revealed")
    for i, (secret, committed) in enumerate(zip(secrets_hex, commits, strict=True)):
        if commit(secret) != committed:
            raise DrawInputError(f"secrets[{i}]: its SHA-256 is not commits[{i}]")
    seed_hex = seed_of(inputs_digest(inputs), secrets_hex)
    seed = bytes.fromhex(seed_hex)
    chosen: list[tuple[bytes, str, str]] = []
    for stratum in inputs["strata"]:
        members: list[str] = stratum["members"]
        k = quota(stratum["ratio"], len(members))
        if k == 0:
            continue
        keys = enterprise_keys(seed, members)
        smallest = set(heapq.nsmallest(k, keys))  # SHA-256 values: no two alike
        name = stratum["name"]
        chosen.extend((key, u, name) for key, u in zip(keys, members, strict=True) if key in smallest)
    chosen.sort()
    recused = {(r["inspector"], r["uscc"]) for r in inputs.get("recusals") or []}
    capacity = {p["id"]: p["capacity"] for p in inputs["inspectors"]}
    load = dict.fromkeys(capacity, 0)
    per = int(inputs["per_enterprise"])
    selected = []
    for _, uscc, stratum_name in chosen:
        picked = _pick(seed, uscc, capacity, load, recused, exclude=set(), count=per)
        selected.append(Selected(stratum_name, uscc, picked))
    return Drawn(seed_hex, selected, load)


def _pick(
    seed: bytes,
    uscc: str,
    capacity: Mapping[str, int],
    load: dict[str, int],
    recused: set[tuple[str, str]],
    exclude: set[str],
    count: int,
) -> list[str]:
    eligible = [i for i in capacity if (i, uscc) not in recused and i not in exclude and load[i] < capacity[i]]
    if len(eligible) < count:
        raise PoolTooSmall(
            f"{uscc}: {len(eligible)} eligible inspectors, {count} needed "
            "(DR-06 Art 9: at least two; DR-07: recused ones are not eligible); enlarge the pool"
        )
    prefix = hashlib.sha256(seed + b"I" + uscc.encode("ascii"))

    def key(inspector: str) -> bytes:
        h = prefix.copy()
        h.update(inspector.encode("utf-8"))
        return h.digest()

    picked = heapq.nsmallest(count, eligible, key=key)
    for i in picked:
        load[i] += 1
    return picked


def redraw(drawn: Drawn, inputs: Mapping[str, Any], inspector: str, uscc: str) -> dict[str, Any]:
    """A recusal found after the draw (DR-07): remove the pair, add the next eligible inspector
    in the same order (smallest key among those of the pool not assigned to this enterprise, not
    recused for it, under capacity), appended at the end of its list. The logged entry."""
    target = next((s for s in drawn.selected if s.uscc == uscc), None)
    if target is None:
        raise DrawInputError(f"uscc: {uscc} was not selected")
    if inspector not in target.inspectors:
        raise DrawInputError(f"inspector: {inspector} is not assigned to {uscc}")
    target.inspectors.remove(inspector)
    drawn.load[inspector] -= 1
    recused = {(r["inspector"], r["uscc"]) for r in inputs.get("recusals") or []}
    recused.add((inspector, uscc))
    capacity = {p["id"]: p["capacity"] for p in inputs["inspectors"]}
    # every earlier recusal of this enterprise stays excluded: they are in the log before this one
    exclude = set(target.inspectors) | set(drawn_recusals(drawn, uscc))
    added = _pick(bytes.fromhex(drawn.seed), uscc, capacity, drawn.load, recused, exclude, 1)[0]
    target.inspectors.append(added)
    drawn.redrawn.append({"inspector": inspector, "uscc": uscc, "replaced_by": added})
    return {"inspector": inspector, "uscc": uscc, "replaced_by": added}


def drawn_recusals(drawn: Drawn, uscc: str) -> list[str]:
    return [r["inspector"] for r in drawn.redrawn if r["uscc"] == uscc]


def bundle(inputs: Mapping[str, Any], secrets_hex: Sequence[str], drawn: Drawn) -> dict[str, Any]:
    """Everything an auditor needs to re-run the draw (DR-08)."""
    return {
        "algorithm": ALGORITHM,
        "inputs": dict(inputs),
        "inputs_digest": inputs_digest(inputs),
        "secrets": list(secrets_hex),
        "seed": drawn.seed,
        "selected": drawn.as_json(),
        "redraws": [dict(r) for r in drawn.redrawn],
    }


def verify(found: Mapping[str, Any]) -> Drawn:
    """Re-run a bundle; a `VerifyMismatch` naming the first difference, else the draw. A bundle
    of the wrong shape is a mismatch too, never another exception."""
    try:
        return _verify(found)
    except VerifyMismatch:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        raise VerifyMismatch(f"the bundle is not a hashrank-v1 bundle: {type(exc).__name__}: {exc}") from None


def _verify(found: Mapping[str, Any]) -> Drawn:
    if found.get("algorithm") != ALGORITHM:
        raise VerifyMismatch(f"algorithm: {found.get('algorithm')!r}, this re-run knows {ALGORITHM!r} only")
    inputs = found.get("inputs")
    if not isinstance(inputs, dict):
        raise VerifyMismatch("inputs: missing")
    digest = inputs_digest(inputs)
    if found.get("inputs_digest") != digest:
        raise VerifyMismatch(f"inputs_digest: the bundle says {found.get('inputs_digest')}, its inputs give {digest}")
    secrets = list(found.get("secrets") or [])
    for i, (secret, committed) in enumerate(zip(secrets, inputs.get("commits") or [], strict=False)):
        if commit(secret) != committed:
            raise VerifyMismatch(f"secrets[{i}]: its SHA-256 is {commit(secret)}, commits[{i}] is {committed}")
    try:
        again = draw(inputs, secrets)
    except (DrawInputError, PoolTooSmall) as exc:
        raise VerifyMismatch(f"the inputs do not draw: {exc}") from None
    if found.get("seed") != again.seed:
        raise VerifyMismatch(f"seed: the bundle says {found.get('seed')}, the re-run gives {again.seed}")
    for i, r in enumerate(found.get("redraws") or []):
        try:
            entry = redraw(again, inputs, r["inspector"], r["uscc"])
        except (DrawInputError, PoolTooSmall, KeyError) as exc:
            raise VerifyMismatch(f"redraws[{i}]: {exc}") from None
        if entry != r:
            raise VerifyMismatch(f"redraws[{i}]: the bundle says {r}, the re-run gives {entry}")
    listed = list(found.get("selected") or [])
    expected = again.as_json()
    for i, (got, want) in enumerate(zip(listed, expected, strict=False)):
        for name in ("stratum", "uscc", "inspectors"):
            if got.get(name) != want[name]:
                raise VerifyMismatch(
                    f"selected[{i}].{name}: the bundle says {got.get(name)}, the re-run gives {want[name]}"
                )
    if len(listed) != len(expected):
        raise VerifyMismatch(f"selected: the bundle lists {len(listed)}, the re-run selects {len(expected)}")
    return again
