"""Permits: planned first (penalties may revoke them), emitted last, with renewals and cancellations."""

from __future__ import annotations

from datetime import date

from bench.synthetic.base import _Enterprise, _GeneratorBase
from bench.synthetic.catalogue import _PERMIT_CATEGORIES
from bench.synthetic.dates import FIRST_DAY, LAST_DAY, _add_years, _iso
from bench.synthetic.reference import CITY_AUTHORITY
from domain.identifiers import TIANJIN_DISTRICTS


class _Permits(_GeneratorBase):
    def _permit_plans(self, e: _Enterprise) -> None:
        rng = self.rng
        sectors: list[str] = []
        if e.key:
            sectors.append(e.sector)
            if e.sector == "special_equipment" and rng.random() < 0.3:
                sectors.append(e.sector)
            elif e.sector == "special_food" and rng.random() < 0.25:
                sectors.append("food_production")
        elif e.kind in ("enterprise", "individual_business") and rng.random() < self.profile.other_permit_share:
            sectors.append("other")
        seen: set[str] = set()
        for sector in sectors:
            if e.reg == FIRST_DAY:  # the enterprise predates the ledger: its current permit cycle
                granted = self._day(FIRST_DAY, min(date(2023, 12, 31).toordinal(), e.act_end))
            else:
                granted = e.reg + rng.randrange(15, 200)
            if granted > e.act_end - 5:
                continue
            category, code = rng.choice(_PERMIT_CATEGORIES[sector])
            permit_no = self._permit_no(sector, code, e.district)
            if permit_no in seen:
                continue
            seen.add(permit_no)
            e.permits.append(
                {"sector": sector, "category": category, "permit_no": permit_no, "granted": granted, "revoked": None}
            )

    def _permit_no(self, sector: str, code: str, district: str) -> str:
        county = district[-2:]
        if sector in ("food_production", "special_food"):
            seq = self._next("SC", code + county) % 10_000
            digits = f"{code}1201{county}{seq:04d}"
            return f"SC{digits}{sum(int(c) for c in digits) % 10}"
        if sector == "special_equipment":
            return f"TS{code}12{self._next('TS', code) % 100_000:05d}"
        seq = self._next("OT", code + county) % 1_000_000
        if code == "JY":
            return f"JY11201{county}{seq:06d}{seq % 7}"
        if code == "XK":
            return f"（津）XK{seq % 100:02d}-{seq:06d}"
        return f"津AA{county}{seq:05d}"

    def _emit_permits(self, e: _Enterprise) -> None:
        rng = self.rng
        for permit in e.permits:
            sector = permit["sector"]
            if sector in ("food_production", "other"):
                dept, authority = e.bureau, f"天津市{TIANJIN_DISTRICTS[e.district]}市场监督管理局"
            elif sector == "special_food":
                dept, authority = "TJ-LIC", CITY_AUTHORITY
            else:
                dept, authority = "TJ-SE", CITY_AUTHORITY
            years = 4 if sector == "special_equipment" else 5  # KEY-06
            granted = permit["granted"]
            if granted > e.act_end:
                continue  # activity ended (licence revoked, closure) before the grant
            stop = permit["revoked"] or e.act_end
            valid_until = _add_years(granted, years) - 1
            self._add(
                e,
                "permit.granted",
                granted,
                dept,
                "XK",
                {
                    "permit_no": permit["permit_no"],
                    "sector": sector,
                    "category": permit["category"],
                    "valid_from": _iso(granted),
                    "valid_until": _iso(valid_until),
                    "issuing_authority": authority,
                },
            )
            last = granted
            ended = False
            while True:
                renew_on = valid_until - rng.randrange(20, 120)
                if renew_on > stop or renew_on <= last:
                    break
                if permit["revoked"] is not None or rng.random() < 0.85:
                    valid_until = _add_years(valid_until, years)
                    self._add(
                        e,
                        "permit.renewed",
                        renew_on,
                        dept,
                        "YX",
                        {"permit_no": permit["permit_no"], "valid_until": _iso(valid_until)},
                    )
                    last = renew_on
                else:  # not renewed: cancelled ex officio after expiry (KEY-04)
                    cancel_on = valid_until + rng.randrange(10, 60)
                    if cancel_on <= stop and permit["revoked"] is None:
                        self._add(
                            e,
                            "permit.cancelled",
                            cancel_on,
                            dept,
                            "ZXXK",
                            {"permit_no": permit["permit_no"], "reason": "许可有效期届满未申请延续，依法注销"},
                        )
                        ended = True
                    break
            if permit["revoked"] is not None:
                continue  # the penalty emitted permit.revoked
            if ended:
                continue
            if e.dereg is not None and e.dereg >= last:
                self._add(
                    e,
                    "permit.cancelled",
                    self._day(max(last, e.dereg - 30), e.dereg),
                    dept,
                    "ZXXK",
                    {"permit_no": permit["permit_no"], "reason": "企业申请注销，许可证件一并注销"},
                )
            elif e.dereg is None and e.act_end < LAST_DAY and e.act_end + 45 <= LAST_DAY:
                # Licence revoked or closed: the permit is cancelled ex officio (KEY-04).
                self._add(
                    e,
                    "permit.cancelled",
                    max(last, e.act_end + rng.randrange(5, 45)),
                    dept,
                    "ZXXK",
                    {"permit_no": permit["permit_no"], "reason": "营业执照被吊销，依法注销许可证件"},
                )
