"""The per-enterprise generator: one class combining the record families, and its main method."""

from __future__ import annotations

from datetime import date
from typing import Any

from bench.synthetic.amendments import _Amendments
from bench.synthetic.base import _Enterprise
from bench.synthetic.dates import FIRST_DAY, LAST_DAY
from bench.synthetic.penalties import _Penalties
from bench.synthetic.permits import _Permits
from bench.synthetic.reference import _DISTRICT_CUM, DISTRICTS
from bench.synthetic.registration import _Registration
from bench.synthetic.repairs import _Repairs
from bench.synthetic.supervision import _Supervision


class _Generator(_Registration, _Permits, _Penalties, _Supervision, _Repairs, _Amendments):
    # -- one enterprise

    def enterprise(self, index: int) -> list[dict[str, Any]]:
        rng, p = self.rng, self.profile
        e = _Enterprise()
        e.events, e.n, e.permits, e.penalties, e.abnormal, e.serious = [], 0, [], [], [], []

        x = rng.random()
        shares = p.sector_shares
        if x < shares[0]:
            e.sector = "food_production"
        elif x < shares[0] + shares[1]:
            e.sector = "special_food"
        elif x < shares[0] + shares[1] + shares[2]:
            e.sector = "special_equipment"
        else:
            e.sector = "ordinary"
        e.key = e.sector != "ordinary"
        x = rng.random()
        if e.key:
            e.kind = "branch" if x < 0.08 else "enterprise"
        else:
            e.kind = (
                "enterprise"
                if x < 0.8
                else "individual_business"
                if x < 0.92
                else "branch"
                if x < 0.98
                else "cooperative"
            )
        e.district = rng.choices(DISTRICTS, _DISTRICT_CUM)[0]
        e.bureau = f"TJ-D{e.district}"

        # Established: a long tail back to 1992, most recently (enterprise growth).
        x = rng.random()
        if x < 0.48:
            established = self._day(FIRST_DAY, LAST_DAY - 200)
        elif x < 0.85:
            established = self._day(date(2010, 1, 1).toordinal(), FIRST_DAY - 1)
        else:
            established = self._day(date(1992, 1, 1).toordinal(), date(2010, 1, 1).toordinal())
        e.reg = max(established, FIRST_DAY)
        self._identity(e, index, established)

        # Deregistration (and its horizon): every other record falls on or before it.
        e.dereg = None
        e.act_end = LAST_DAY
        if rng.random() < p.deregistration_share * (0.5 if e.key else 1.0) and e.reg + 200 < LAST_DAY:
            e.dereg = self._day(e.reg + 180, LAST_DAY)
            e.act_end = e.dereg

        self._permit_plans(e)
        self._penalties(e)
        self._abnormal(e)
        self._inspections(e)
        self._commitments(e)
        self._changes(e)
        self._repairs(e)
        self._emit_permits(e)
        if e.dereg is not None:
            self._add(e, "enterprise.deregistered", e.dereg, e.bureau, "ZX", {})
        self._amendments(e)

        events = e.events
        events.sort(key=lambda ev: (ev[0], ev[1]))
        self._arrive_late(events)
        return [ev[2] for ev in events]
