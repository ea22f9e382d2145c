"""The public items of an enterprise: its history → the dated items of the public view and lists.

`items_of(history)` takes the raw history as known at some moment (every record, corrections
and retractions included), resolves it and returns every derived, dated item: the rule
intervals of `domain.rules.derive` and the public-view items (basic information, status,
permits, inspections, commitments). The projector stores them with a recorded-time range; the
replay path (`?source=replay`) calls the same function on `Reads.history(uscc, known_at)`, so
the two agree by construction. No I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import orjson

from domain.context import RuleContext
from domain.history import AnyFact, resolve, typed
from domain.records import (
    AbnormalListed,
    AnnualReportFiled,
    CommitmentMade,
    CommitmentVerified,
    EnterpriseRegistered,
    InspectionConcluded,
    InstantInfoPublished,
    PenaltyDecided,
    PermitCancelled,
    PermitGranted,
    PermitRenewed,
    PermitRevoked,
)
from domain.rules import derive
from domain.rules.abnormal import listing_decision
from domain.rules.common import Interval, facts_of, of_type
from domain.rules.licences import FOOD_LICENCES, is_food_producer_licence
from domain.rules.penalty import published_summary
from domain.rules.registration import district_spans
from projections.bitemporal import Item, canonical


def _keys(keys: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"department": d, "record_id": r} for d, r in keys]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _from_interval(interval: Interval, by_key: dict[tuple[str, str], AnyFact], facts: Sequence[AnyFact]) -> Item:
    body: dict[str, Any] = {
        "rules": list(interval.rules),
        "records": _keys(interval.records),
        "version": interval.version,
        "provisional": interval.provisional,
        "start_due": _iso(interval.start_due),
        "end_due": _iso(interval.end_due),
        "note": interval.note,
    }
    first = by_key.get(interval.records[0]) if interval.records else None
    if first is not None:
        body["data"] = dict(first.public_data)
        body["effective_on"] = first.effective_on.isoformat()
        if isinstance(first.data, PenaltyDecided):  # PEN-02: the summary published before the decision
            body["summary"] = published_summary(typed(first, PenaltyDecided), facts)
        elif isinstance(first.data, AbnormalListed):  # AOL-08: what the listing decision states
            body["decision"] = listing_decision(typed(first, AbnormalListed), facts)
    return Item(interval.kind, interval.subject, interval.start, interval.end, canonical(body))


def _basic_and_status(facts: Sequence[AnyFact], ctx: RuleContext) -> list[Item]:
    registered = facts_of(facts, EnterpriseRegistered)
    if not registered:
        return []
    reg = registered[0]
    base = {**reg.public_data, "registered_on": reg.effective_on.isoformat()}
    rules = ["GSXT-03"]
    if reg.data.district_code is None:  # registered in another province (PEN-06): no Tianjin district
        base["registered_outside_tianjin"] = True
        rules.append("PEN-06")
    # ID-11: a retired district code stands for its successor from the change on, so that list
    # pages and facets name the district of that date; the recorded code stays beside it.
    spans = district_spans(reg.data.district_code, reg.effective_on, ctx.reference) if reg.data.district_code else []
    changes = of_type(facts, "enterprise.changed")
    bounds = sorted(
        {
            reg.effective_on,
            *(c.effective_on for c in changes if c.effective_on > reg.effective_on),
            *(span.start for span in spans),
        }
    )
    items: list[Item] = []
    for start, end in zip(bounds, [*bounds[1:], None], strict=True):
        info, records = dict(base), [reg.key]
        for change in changes:
            if change.effective_on <= start:
                info.update(change.public_data)
                if change.effective_on == start or start == reg.effective_on:  # what made this stretch
                    records.append(change.key)
        span_rules = list(rules)
        for span in spans:
            if span.start <= start and (span.end is None or start < span.end) and span.code != reg.data.district_code:
                info["district_code"], info["registered_district_code"] = span.code, reg.data.district_code
                span_rules.append("ID-11")
        items.append(_basic(start, end, info, records, span_rules))
    status, since, keys = "active", reg.effective_on, [reg.key]
    for ender in of_type(facts, "enterprise.licence_revoked", "enterprise.deregistered"):
        if ender.effective_on < since:
            continue
        items.append(_status(status, since, ender.effective_on, keys))
        status = "licence_revoked" if ender.type == "enterprise.licence_revoked" else "deregistered"
        since, keys = ender.effective_on, [ender.key]
    items.append(_status(status, since, None, keys))
    return [i for i in items if i.end is None or i.start is None or i.start < i.end]


def _basic(
    start: date, end: date | None, info: dict[str, Any], records: list[tuple[str, str]], rules: list[str]
) -> Item:
    body = {**info, "rules": rules, "records": _keys(records)}
    return Item("basic_info", "basic", start, end, canonical(body))


def _status(status: str, since: date, end: date | None, records: list[tuple[str, str]]) -> Item:
    body = {"status": status, "since": since.isoformat(), "rules": ["GSXT-03"], "records": _keys(records)}
    return Item("status", "status", since, end, canonical(body))


def _permits(facts: Sequence[AnyFact]) -> list[Item]:
    """Permits (GSXT-03); a food producer's licences are its food-safety credit file (KEY-10)."""
    items = []
    enders_all = of_type(facts, "enterprise.licence_revoked", "enterprise.deregistered")
    for grant in facts_of(facts, PermitGranted):
        no = grant.data.permit_no
        data = dict(grant.public_data)
        records = [grant.key]
        for renewal in facts_of(facts, PermitRenewed):
            if renewal.data.permit_no == no and renewal.effective_on >= grant.effective_on:
                data["valid_until"] = max(data["valid_until"], renewal.data.valid_until.isoformat())
                records.append(renewal.key)
        end = date.fromisoformat(data["valid_until"]) + timedelta(days=1)
        reason, end_key = "expired", None
        own: list[AnyFact] = [f for f in facts_of(facts, PermitRevoked) if f.data.permit_no == no]
        own += [f for f in facts_of(facts, PermitCancelled) if f.data.permit_no == no]
        own.sort(key=lambda f: (f.effective_on, f.sequence))
        for ender in [*own, *enders_all]:
            if ender.effective_on < end:
                end, end_key = max(ender.effective_on, grant.effective_on), ender.key
                reason = ender.type.split(".")[1] if ender.type.startswith("permit.") else ender.type
        rules = ["GSXT-03", "KEY-06"] + (["KEY-10"] if is_food_producer_licence(grant.data) else [])
        valid = {**data, "state": "valid", "rules": rules, "records": _keys(records)}
        if grant.effective_on < end:
            items.append(Item("permit", no, grant.effective_on, end, canonical(valid)))
        ended_keys = records + ([end_key] if end_key else [])
        ended = {
            **data,
            "state": reason,
            "ended_on": end.isoformat(),
            "rules": [*rules, "KEY-04"],
            "records": _keys(ended_keys),
        }
        items.append(Item("permit", no, end, None, canonical(ended)))
    return items


def _dated(facts: Sequence[AnyFact], food_producer: Sequence[Interval]) -> list[Item]:
    """Inspections (a food producer's: its credit file, KEY-10), consented commitments and
    untrue-commitment findings (GSXT-03, COM-06), annual reports and the enterprise's instant
    information (GSXT-01)."""
    items = []
    for f in facts_of(facts, InspectionConcluded):
        food = any(i.contains(f.effective_on) for i in food_producer)
        body = {
            **f.public_data,
            "effective_on": f.effective_on.isoformat(),
            "rules": ["GSXT-03", "KEY-10"] if food else ["GSXT-03"],
            "records": _keys([f.key]),
        }
        items.append(Item("inspection", f.data.task_id, f.effective_on, None, canonical(body)))
    made = {c.data.commitment_id: c for c in facts_of(facts, CommitmentMade)}
    for c in made.values():
        if c.data.consent_to_publish:
            body = {
                **c.public_data,
                "effective_on": c.effective_on.isoformat(),
                "rules": ["COM-06"],
                "records": _keys([c.key]),
            }
            items.append(Item("commitment", c.data.commitment_id, c.effective_on, None, canonical(body)))
    for v in facts_of(facts, CommitmentVerified):
        if v.data.outcome != "untrue":
            continue
        cid = v.data.commitment_id
        source = made.get(cid)
        body = {
            **v.public_data,
            "effective_on": v.effective_on.isoformat(),
            "rules": ["COM-06"],
            "records": _keys([v.key]),
        }
        if source is not None:
            body["matter"] = source.data.matter
        items.append(Item("untrue_commitment", cid, v.effective_on, None, canonical(body)))
    for report in facts_of(facts, AnnualReportFiled):
        body = {
            **report.public_data,
            "filed_on": report.effective_on.isoformat(),
            "rules": ["GSXT-01", "AOL-01"],
            "records": _keys([report.key]),
        }
        items.append(Item("annual_report", str(report.data.year), report.effective_on, None, canonical(body)))
    for info in facts_of(facts, InstantInfoPublished):
        body = {
            **info.public_data,
            "published_on": info.effective_on.isoformat(),
            "rules": ["GSXT-01", "KEY-09"],
            "records": _keys([info.key]),
        }
        subject = f"{info.data.info_kind}:{info.data.ref or info.record_id}"
        items.append(Item("instant_info", subject, info.effective_on, None, canonical(body)))
    return items


def items_of(history: Sequence[AnyFact], ctx: RuleContext) -> list[Item]:
    """Every dated item of one enterprise, sorted and without duplicates."""
    if not history:
        return []
    facts = resolve(history)
    by_key = {f.key: f for f in facts}
    items = [Item("known", "", None, None, "{}")]
    intervals = derive(facts, ctx)
    items += [_from_interval(i, by_key, facts) for i in intervals]
    items += _basic_and_status(facts, ctx)
    items += _permits(facts)
    food_producer = [i for i in intervals if i.kind == "key_sector_list" and i.subject in FOOD_LICENCES]
    items += _dated(facts, food_producer)
    items += facets(items)
    return sorted(set(items), key=_order)


LIST_KINDS = ("key_sector_list", "abnormal_list", "serious_list", "exposure_board")


def facets(items: Sequence[Item]) -> list[Item]:
    """Each list row split by what a list page filters on, so that a page with a district or a
    sector condition reads an index of its own instead of probing every candidate's other rows:
    `<list kind>/district` over each stretch of the row that the enterprise's basic information
    names one district; for the lists other than key-sector (whose subject is the sector),
    `<list kind>/sector` over each stretch that the enterprise is on the key-sector list for a
    sector, and `<list kind>/district-sector` over each stretch where both hold (the value
    `<district>:<sector>`). The body names the facet's value and the list row (`member`: its
    fingerprint); the stored row carries both in columns of their own (`public_items.PublicItems.extras`)."""
    districts = [(i.start, i.end, orjson.loads(i.body).get("district_code")) for i in items if i.kind == "basic_info"]
    districts = [(start, end, value) for start, end, value in districts if value is not None]
    sectors = [(i.start, i.end, i.subject) for i in items if i.kind == "key_sector_list"]
    both: list[tuple[date | None, date | None, Any]] = [
        (lo, hi, f"{district}:{sector}")
        for d_start, d_end, district in districts
        for s_start, s_end, sector in sectors
        for lo, hi in [_overlap(d_start, d_end, s_start, s_end)]
        if lo < hi
    ]
    out = []
    for item in items:
        if item.kind not in LIST_KINDS:
            continue
        dimensions: list[tuple[str, list[tuple[date | None, date | None, Any]]]] = [("district", districts)]
        if item.kind != "key_sector_list":
            dimensions += [("sector", sectors), ("district-sector", both)]
        for name, stretches in dimensions:
            for start, end, value in stretches:
                lo, hi = _overlap(item.start, item.end, start, end)
                if lo < hi:
                    body = canonical({"facet": value, "member": item.fingerprint})
                    out.append(Item(f"{item.kind}/{name}", item.subject, _bound(lo), _bound(hi), body))
    return out


def _overlap(
    start: date | None, end: date | None, other_start: date | None, other_end: date | None
) -> tuple[date, date]:
    """[lo, hi) of two effective ranges (None: unbounded); empty when lo >= hi."""
    return max(start or date.min, other_start or date.min), min(end or date.max, other_end or date.max)


def _bound(day: date) -> date | None:
    return None if day in (date.min, date.max) else day


def _order(item: Item) -> tuple[str, str, date, date, str]:
    return (item.kind, item.subject, item.start or date.min, item.end or date.max, item.body)
