"""The abnormal operations list, and whether an enterprise is listed on a day."""

from __future__ import annotations

from datetime import date

from bench.synthetic.base import _Enterprise, _GeneratorBase
from bench.synthetic.catalogue import _ABNORMAL_REMOVAL
from bench.synthetic.dates import _year
from domain.reference import DEFAULT_REFERENCE

ORDER_101 = DEFAULT_REFERENCE.order_101_effective.toordinal()


class _Lists(_GeneratorBase):
    def _abnormal(self, e: _Enterprise) -> None:
        rng, p = self.rng, self.profile
        open_until = 0
        for year in range(_year(e.reg) + 1, _year(e.act_end) + 1):
            if rng.random() >= p.abnormal_per_year:
                continue
            x = rng.random()
            if x < 0.75:  # AOL-03: within 10 WD after 30 June
                reason, day = "annual_report", date(year, 7, 1).toordinal() + rng.randrange(0, 14)
            else:
                day = date(year, 1, 1).toordinal() + rng.randrange(365)
                # AOL-02: false information was a ground under Order 68, a name not changed is one under Order 101
                reason = (
                    "unreachable"
                    if x < 0.9
                    else "instant_info"
                    if x < 0.96
                    else ("name_change" if day >= ORDER_101 else "false_info")
                )
            if day <= max(open_until, e.reg) or day > e.act_end:
                continue
            self._list_abnormal(e, day, reason)
            open_until = e.abnormal[-1]["end"] or 10**9

    def _list_abnormal(self, e: _Enterprise, day: int, reason: str) -> None:
        rng = self.rng
        listing_id = self._rid(e.bureau, "YC", day)
        self._add(e, "abnormal.listed", day, e.bureau, "YCLR", {"listing_id": listing_id, "reason": reason})
        listing = {"listing_id": listing_id, "start": day, "end": None, "reason": reason, "repair": False}
        e.abnormal.append(listing)
        if rng.random() < 0.7:
            removed = day + int(rng.expovariate(1 / 150)) + 10
            if removed <= e.act_end:
                listing["end"] = removed
                listing["repair"] = rng.random() < self.profile.repair_share
                if not listing["repair"]:
                    self._add(
                        e,
                        "abnormal.removed",
                        removed,
                        e.bureau,
                        "YCYC",
                        {"listing_id": listing_id, "reason": _ABNORMAL_REMOVAL[reason]},
                    )

    def _abnormal_at(self, e: _Enterprise, day: int) -> bool:
        return any(a["start"] <= day and (a["end"] is None or day < a["end"]) for a in e.abnormal)

    def _serious_at(self, e: _Enterprise, day: int) -> bool:
        return any(s["start"] <= day < s["end"] for s in e.serious)
