"""Credit repairs (PEN-11/12, SDL-31, AOL-10)."""

from __future__ import annotations

from typing import Any

from bench.synthetic.base import _Enterprise
from bench.synthetic.catalogue import _ABNORMAL_REMOVAL
from bench.synthetic.dates import _add_years
from bench.synthetic.lists import _Lists
from bench.synthetic.reference import LOWER_AMOUNT_FINE, NO_EARLY_STOP


class _Repairs(_Lists):
    def _repair(
        self,
        e: _Enterprise,
        dept: str,
        applied: int,
        kind: str,
        ref: str,
        *,
        effect: tuple[str, dict[str, Any]] | None = None,
        finish_on: int | None = None,
    ) -> int | None:
        """Emit applied → accepted → granted/denied (or rejected).

        Returns the day the repair took effect (the grant, or the removal it causes), or None.
        With `finish_on`, the application is granted and its effect falls on that day.
        """
        rng = self.rng
        if finish_on is not None:
            effect_on = finish_on
            decided = effect_on - rng.randrange(0, 3)
            accepted = decided - rng.randrange(3, 6)  # AOL-10: 5 WD
            applied = accepted - rng.randrange(1, 3)
        else:
            accepted = applied + rng.randrange(1, 4)  # SDL-32: 2 WD
            decided = accepted + rng.randrange(5, 22)  # SDL-32: 15 WD
            effect_on = decided + rng.randrange(0, 4)  # SDL-33: 3 WD
            if effect_on > e.act_end:
                return None
        app_id = self._rid(dept, "XFSQ", applied)
        self._add(
            e, "repair.applied", applied, dept, "XF", {"application_id": app_id, "target_kind": kind, "target_ref": ref}
        )
        if finish_on is None and rng.random() < 0.08:
            self._add(
                e,
                "repair.rejected",
                accepted,
                dept,
                "XF",
                {"application_id": app_id, "reason": "申请材料不齐全，不予受理"},
            )
            return None
        self._add(e, "repair.accepted", accepted, dept, "XF", {"application_id": app_id})
        if finish_on is None and rng.random() < 0.2:
            self._add(
                e,
                "repair.denied",
                decided,
                dept,
                "XF",
                {"application_id": app_id, "reason": "经核查，不符合信用修复条件"},
            )
            return None
        self._add(e, "repair.granted", decided, dept, "XF", {"application_id": app_id})
        if effect is None:
            return decided
        rtype, data = effect
        self._add(e, rtype, effect_on, dept, "YCYC" if rtype == "abnormal.removed" else "SXYC", data)
        return effect_on

    def _repairs(self, e: _Enterprise) -> None:
        rng, p = self.rng, self.profile
        # Abnormal list: removals planned as repairs (REP-03, AOL-10: decision within 5 WD).
        for a in e.abnormal:
            if a["repair"]:
                removal = (
                    "abnormal.removed",
                    {"listing_id": a["listing_id"], "reason": _ABNORMAL_REMOVAL[a["reason"]]},
                )
                if a["start"] + 12 < a["end"] < _add_years(a["start"], 3) - 30:  # AOL-11 (2014 regime)
                    self._repair(e, e.bureau, 0, "abnormal", a["listing_id"], effect=removal, finish_on=a["end"])
                else:
                    self._add(e, removal[0], a["end"], e.bureau, "YCYC", removal[1])
        # Serious list: early removal after at least 1 Y listed (SDL-31), not while measures run.
        for s in e.serious:
            if rng.random() >= p.repair_share:
                continue
            applied = max(_add_years(s["start"], 1), s["measures_end"]) + 14 + rng.randrange(0, 500)
            if applied >= s["end"] - 30 or applied > e.act_end:
                continue
            if any(s["start"] < q["day"] <= applied + 30 for q in e.penalties):
                continue  # a further penalty blocks it (SDL-31(3))
            removed = self._repair(
                e,
                s["dept"],
                applied,
                "serious",
                s["listing_id"],
                effect=("serious.removed", {"listing_id": s["listing_id"], "kind": "early_repair"}),
            )
            if removed is not None:
                s["end"] = removed
        # Penalty publicity: early stop after 1 Y (food, drug, special equipment) or 6 M (PEN-11),
        # never for the PEN-12 kinds nor for a warning, criticism or lower-amount fine alone.
        for q in e.penalties:
            if q["published"] is None or q["revoked"] is not None or q["serious"] is not None:
                continue
            kinds = set(q["kinds"])
            if kinds & NO_EARLY_STOP:
                continue
            if kinds <= {"warning", "criticism", "fine"} and (q["fine"] or 0) < LOWER_AMOUNT_FINE:
                continue
            if rng.random() >= p.repair_share:
                continue
            strict = e.key or q["sector"] in ("food_production", "special_food", "special_equipment", "drug")
            minimum = _add_years(q["published"], 1) if strict else q["published"] + 184
            applied = minimum + 14 + rng.randrange(0, 400)  # 14: a period ending on a holiday rolls on
            if applied >= _add_years(q["published"], 3) - 30 or applied > e.act_end:
                continue
            if any(q["day"] < r["day"] <= applied + 30 for r in e.penalties if r is not q):
                continue  # penalised again (PEN-11(3)); keep away from any later penalty
            if any(self._abnormal_at(e, d) or self._serious_at(e, d) for d in (applied, applied + 30)):
                continue  # PEN-11(4)
            self._repair(e, q["dept"], applied, "penalty", q["decision_no"])
            q["rec"][3] = False
