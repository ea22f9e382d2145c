"""Corrections and retractions, and records that arrive late."""

from __future__ import annotations

from typing import Any

from bench.synthetic.base import _Enterprise, _GeneratorBase
from bench.synthetic.dates import LAST_DAY
from bench.synthetic.reference import LOWER_AMOUNT_FINE

_CORRECTABLE = frozenset(
    {
        "enterprise.registered",
        "penalty.decided",
        "inspection.concluded",
        "permit.granted",
        "commitment.made",
        "enterprise.changed",
    }
)
_RETRACTABLE = frozenset({"inspection.concluded", "enterprise.changed", "penalty.decided"})


class _Amendments(_GeneratorBase):
    # -- corrections and retractions

    def _amendments(self, e: _Enterprise) -> None:
        rng, p = self.rng, self.profile
        targets = [ev for ev in e.events if ev[2]["type"] in _CORRECTABLE]
        for ev in targets:
            x = rng.random()
            rec = ev[2]
            if x < p.correction_rate:
                replacement = self._corrected(e, rec)
                if replacement is None:
                    continue
            elif x < p.correction_rate + p.retraction_rate and ev[3] and rec["type"] in _RETRACTABLE:
                replacement = None
            else:
                continue
            src = rec["source"]
            day = min(ev[0] + rng.randrange(1, 120), LAST_DAY)
            target = {"department": src["department"], "record_id": src["record_id"]}
            if replacement is not None:
                self._add(e, "record.corrected", day, src["department"], "GZ", {"target": target, "data": replacement})
            else:
                self._add(
                    e,
                    "record.retracted",
                    day,
                    src["department"],
                    "CH",
                    {"target": target, "reason": rng.choice(("录入错误，该记录不属于本企业", "重复录入"))},
                )
            ev[3] = False  # an amended record stays before its amendment

    def _corrected(self, e: _Enterprise, rec: dict[str, Any]) -> dict[str, Any] | None:
        rng = self.rng
        data = dict(rec["data"])
        rtype = rec["type"]
        if rtype == "enterprise.registered":
            data["address"] = self._address(e.district)
        elif rtype == "penalty.decided":
            if "fine_yuan" in data and rng.random() < 0.6:
                old = int(data["fine_yuan"][:-3])
                new = max(100, int(round(old * rng.uniform(0.8, 1.25), -2)))
                if (old < LOWER_AMOUNT_FINE) != (new < LOWER_AMOUNT_FINE) or new == old:
                    new = old + 100 if old + 100 < LOWER_AMOUNT_FINE or old >= LOWER_AMOUNT_FINE else old - 100
                data["fine_yuan"] = f"{new}.00"
            else:
                data["legal_basis"] = data["legal_basis"] + "、第一百三十二条"
        elif rtype == "inspection.concluded":
            data["result"] = rng.choice(
                [r for r in ("compliant", "issues_found", "rectification_ordered") if r != data["result"]]
            )
        elif rtype == "permit.granted":
            data["category"] = data["category"] + "（" + rng.choice(("含分装", "不含分装", "限本厂区")) + "）"
        elif rtype == "commitment.made":
            data["consent_to_publish"] = not data["consent_to_publish"]
        else:
            return None
        return data

    # -- late arrival

    def _arrive_late(self, events: list[list[Any]]) -> None:
        rng, rate = self.rng, self.profile.late_rate
        i = 1
        n = len(events)
        while i < n - 1:
            ev = events[i]
            if ev[3] and rng.random() < rate:
                j = min(n - 1, i + rng.randrange(2, 9))
                if events[j][0] > ev[0]:
                    events.insert(j, events.pop(i))  # emitted after records with later dates
                    ev[3] = False
                    continue
            i += 1
