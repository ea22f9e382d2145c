"""Penalties, the serious listings decided with them, permit and licence revocation."""

from __future__ import annotations

from typing import Any

from bench.synthetic.base import _Enterprise, _GeneratorBase
from bench.synthetic.catalogue import _VIOLATIONS
from bench.synthetic.dates import LAST_DAY, _add_years, _iso
from bench.synthetic.reference import CITY_AUTHORITY, NO_EARLY_STOP


class _Penalties(_GeneratorBase):
    def _penalties(self, e: _Enterprise) -> None:
        rng, p = self.rng, self.profile
        if rng.random() >= (p.penalty_key if e.key else p.penalty_ordinary):
            return
        x = rng.random()
        count = 1 if x < 0.75 else 2 if x < 0.93 else 3
        first = e.reg + 60
        if first >= e.act_end:
            return
        days = sorted(self._day(first, e.act_end) for _ in range(count))
        for day in days:
            if day > e.act_end:  # a closure or licence revocation ended activity
                break
            self._penalty(e, day)

    def _penalty(self, e: _Enterprise, day: int) -> None:
        rng = self.rng
        if e.key:
            x = rng.random()
            sector: str | None = e.sector if x < 0.8 else "other"
        else:
            x = rng.random()
            sector = "other" if x < 0.92 else "drug"
        violation, basis = rng.choice(_VIOLATIONS[sector])
        dept = "TJ-ENF" if rng.random() < 0.35 else e.bureau
        active_permits = [q for q in e.permits if q["granted"] < day and q["revoked"] is None]

        x = rng.random()
        procedure = "ordinary"
        fine: int | None = None
        confiscated: int | None = None
        years: int | None = None
        if x < 0.16:  # simplified procedure (当场处罚): warning or a small fine
            procedure = "simplified"
            kinds = ["warning"] if rng.random() < 0.45 else ["fine"]
            if kinds == ["fine"]:
                fine = rng.choice((50, 100, 200)) if e.kind == "individual_business" else rng.randrange(2, 31) * 100
        elif x < 0.27:
            kinds = ["warning"]
        elif x < 0.30:
            kinds = ["criticism"]
        elif x < 0.60:
            kinds = ["fine"]
        elif x < 0.68:
            kinds = ["warning", "fine"]
        elif x < 0.85:
            kinds = ["fine", "confiscation"]
        elif x < 0.89:
            kinds = ["fine", "confiscation", "suspension"]
        elif x < 0.92:
            kinds = ["fine", "permit_revocation"] if active_permits else ["fine", "confiscation"]
        elif x < 0.945:
            kinds = ["fine", "confiscation", "restriction"]
        elif x < 0.97:
            kinds = ["fine", "ban"]
        elif x < 0.98:
            kinds = ["qualification_downgrade"] if e.sector == "special_equipment" else ["fine", "suspension"]
        elif x < 0.992:
            kinds = ["fine", "licence_revocation"]
        else:
            kinds = ["fine", "confiscation", "closure"]
        if "fine" in kinds and fine is None:
            # Roughly log-uniform 2,000-500,000 yuan; heavier for key-sector violations.
            top = 5.7 if e.key else 5.3
            low = 4.5 if NO_EARLY_STOP & set(kinds) else 3.3  # severe measures come with larger fines
            fine = int(round(10 ** rng.uniform(low, max(top, low + 0.5)), -2))
        if "confiscation" in kinds:
            confiscated = int(round(10 ** rng.uniform(2.5, 5.0), -1))
        if "restriction" in kinds or "ban" in kinds:
            years = rng.choice((1, 3, 5, 5, 10)) if "ban" in kinds else rng.choice((1, 2, 3, 5))

        decision_no = self._decision_no(dept, day)
        data: dict[str, Any] = {"decision_no": decision_no, "procedure": procedure, "penalty_kinds": kinds}
        if fine is not None:
            data["fine_yuan"] = f"{fine}.00"
        if confiscated is not None:
            data["confiscated_yuan"] = f"{confiscated}.{rng.randrange(100):02d}"
        if years is not None:
            data["restriction_years"] = years
        data["violation"] = violation
        data["legal_basis"] = basis
        if rng.random() < 0.8:
            data["sector"] = sector
        if (fine or 0) >= 200_000:
            data["heavier_fine"] = True  # set under the heavier-punishment rule: may found a listing (SDL-01)
        published = None
        if procedure == "ordinary" and kinds != ["warning"]:  # PEN-01
            published = day + rng.randrange(3, 27)
            if published <= LAST_DAY:
                data["published_on"] = _iso(published)
            else:
                published = None
        heavy = bool(NO_EARLY_STOP & set(kinds)) or (fine or 0) >= 200_000
        dependents = False
        movable = True
        self._add(e, "penalty.decided", day, dept, "CF", data, record_id=decision_no)
        pen = {
            "decision_no": decision_no,
            "dept": dept,
            "day": day,
            "kinds": kinds,
            "fine": fine,
            "published": published,
            "procedure": procedure,
            "sector": sector,
            "serious": None,
            "revoked": None,
            "rec": e.events[-1],
        }
        e.penalties.append(pen)

        if "permit_revocation" in kinds:
            permit = rng.choice(active_permits)
            permit["revoked"] = day
            self._add(
                e,
                "permit.revoked",
                day,
                dept,
                "CX",
                {"permit_no": permit["permit_no"], "kind": "revoked", "decision_no": decision_no},
            )
            dependents = True
        if "licence_revocation" in kinds or "closure" in kinds:
            if "licence_revocation" in kinds:
                self._add(e, "enterprise.licence_revoked", day, dept, "DX", {"decision_no": decision_no})
            e.act_end = day  # no further activity; deregistration may follow
            if e.dereg is None and rng.random() < 0.6 and day + 30 < LAST_DAY:
                e.dereg = self._day(day + 20, min(day + 400, LAST_DAY))
            elif e.dereg is not None:
                e.dereg = max(e.dereg, day)
            dependents = True
        if heavy and rng.random() < self.profile.serious_given_heavy * (1.0 if e.key else 0.4):
            # SDL-10: decided together with the penalty by the same authority; SDL-12 approval.
            listing_id = f"{decision_no}-SX"
            serious: dict[str, Any] = {
                "listing_id": listing_id,
                "grounds": f"{violation}，情节严重，受到较重行政处罚",
                "penalty_decision_no": decision_no,
            }
            if dept != "TJ-ENF":
                serious["approved_by"] = CITY_AUTHORITY
            if years is not None and years > 3:
                serious["restriction_years"] = years
            self._add(e, "serious.listed", day, dept, "SX", serious)
            end = _add_years(day, max(3, years or 0))  # SDL-30: removal is derived, not recorded
            # SDL-31: no early removal while the measure period (the restriction) runs.
            pen["serious"] = {
                "listing_id": listing_id,
                "start": day,
                "end": end,
                "dept": dept,
                "measures_end": _add_years(day, years) if years else day,
            }
            e.serious.append(pen["serious"])
            dependents = True
        if procedure == "ordinary" and rng.random() < 0.02 and day + 40 < e.act_end:
            # Revoked on reconsideration; a listing built on it is revoked too (SDL-34).
            revoked_on = self._day(day + 30, min(day + 300, e.act_end))
            self._add(
                e,
                "penalty.revoked",
                revoked_on,
                dept,
                "CXCF",
                {"decision_no": decision_no, "reason": "经行政复议，原处罚决定被撤销"},
            )
            pen["revoked"] = revoked_on
            if pen["serious"] is not None:
                s = pen["serious"]
                self._add(
                    e,
                    "serious.removed",
                    self._day(revoked_on, min(revoked_on + 4, e.act_end)),
                    dept,
                    "SXYC",
                    {"listing_id": s["listing_id"], "kind": "penalty_annulled"},
                )
                s["end"] = min(s["end"], revoked_on)
            dependents = True
        pen["rec"][3] = movable and not dependents
