"""Inspections (which may list an unreachable enterprise) and commitments with their verification."""

from __future__ import annotations

from typing import Any

from bench.synthetic.base import _Enterprise
from bench.synthetic.catalogue import _COMMITMENT_MATTERS, _COMMITMENT_TEXT, _INSPECTION_ITEMS
from bench.synthetic.dates import _year
from bench.synthetic.lists import _Lists


class _Supervision(_Lists):
    def _inspections(self, e: _Enterprise) -> None:
        rng, p = self.rng, self.profile
        rate = p.inspection_key_per_year if e.key else p.inspection_ordinary_per_year
        span = e.act_end - e.reg
        if span <= 0:
            return
        expected = rate * span / 365.25
        count = int(expected) + (rng.random() < expected - int(expected))
        for _ in range(count):
            day = self._day(e.reg + 1, e.act_end)
            x = rng.random()
            if e.key:
                kind = (
                    "key_supervision"
                    if x < 0.45
                    else "sampling"
                    if x < 0.75 and e.sector != "special_equipment"
                    else "double_random"
                    if x < 0.95
                    else "complaint"
                )
            else:
                kind = "double_random" if x < 0.85 else "complaint"
            if kind == "sampling":
                item = rng.choice(
                    _INSPECTION_ITEMS["sampling"][:1]
                    if e.sector == "food_production"
                    else _INSPECTION_ITEMS["sampling"][1:]
                )
            elif kind == "key_supervision":
                item = (
                    _INSPECTION_ITEMS[kind][0]
                    if e.sector == "food_production"
                    else _INSPECTION_ITEMS[kind][1]
                    if e.sector == "special_food"
                    else rng.choice(_INSPECTION_ITEMS[kind][2:])
                )
            else:
                item = rng.choice(_INSPECTION_ITEMS[kind])
            x = rng.random()
            result = (
                "compliant"
                if x < 0.8
                else "issues_found"
                if x < 0.9
                else "rectification_ordered"
                if x < 0.96
                else "not_at_address"
                if x < 0.995 and not e.key
                else "refused"
            )
            dept = "TJ-SE" if e.sector == "special_equipment" and kind != "double_random" else e.bureau
            task = f"TJ-{'SJ' if kind == 'double_random' else 'JC'}-{_year(day)}-{rng.randrange(1, 60):03d}"
            self._add(
                e,
                "inspection.concluded",
                day,
                dept,
                "JC",
                {"task_id": task, "item": item, "kind": kind, "result": result},
                movable=True,
            )
            if result == "not_at_address" and rng.random() < 0.6:  # AOL-06
                listed = day + rng.randrange(16, 45)
                if (
                    listed <= e.act_end
                    and not self._abnormal_at(e, listed)
                    and not any(a["start"] >= listed for a in e.abnormal)
                ):
                    self._list_abnormal(e, listed, "unreachable")

    def _commitments(self, e: _Enterprise) -> None:
        rng = self.rng
        if rng.random() >= self.profile.commitment_share or e.reg + 30 >= e.act_end:
            return
        day = self._day(e.reg, e.act_end - 20)
        if self._serious_at(e, day):  # COM-04, SDL-20
            return
        if any(a["start"] + 3 * 365 <= day for a in e.abnormal):  # maybe on the 2014 list (AOL-20): SDL-20
            return
        matter, template = rng.choice(_COMMITMENT_MATTERS[:3])
        dept = e.bureau
        cid = self._rid(dept, "CN", day)
        self._add(
            e,
            "commitment.made",
            day,
            dept,
            "CNLR",
            {
                "commitment_id": cid,
                "matter": matter,
                "text": _COMMITMENT_TEXT,
                "template_id": template,
                "consent_to_publish": rng.random() < 0.7,
            },
            movable=True,
        )
        made = e.events[-1]
        verified = day + rng.randrange(30, 200)
        if verified <= e.act_end and rng.random() < 0.8:
            made[3] = False
            if rng.random() < 0.9:
                data: dict[str, Any] = {"commitment_id": cid, "outcome": "fulfilled"}
            else:
                data = {
                    "commitment_id": cid,
                    "outcome": "untrue",
                    "consequence": rng.choice(("terminated", "rectification_ordered", "decision_revoked")),
                }
            self._add(e, "commitment.verified", verified, dept, "CNHC", data)
