"""The generator's per-enterprise state and the helpers every record family uses."""

from __future__ import annotations

import random
from typing import Any

from bench.synthetic.dates import _iso, _year
from bench.synthetic.identifiers import _MOD_INDIVIDUAL, _MOD_NEW, _MOD_NUMERIC
from bench.synthetic.profiles import Profile
from bench.synthetic.reference import _DISTRICT_ABBR, _GIVEN, _ROADS, _SURNAMES
from domain.identifiers import TIANJIN_DISTRICTS


class _Enterprise:
    """Everything about one enterprise while its records are being built."""

    __slots__ = (
        "uscc",
        "district",
        "bureau",
        "sector",
        "kind",
        "reg",
        "act_end",
        "dereg",
        "events",
        "n",
        "permits",
        "penalties",
        "abnormal",
        "serious",
        "key",
        "name",
        "brand",
        "address",
        "legal_rep",
    )


class _GeneratorBase:
    def __init__(self, seed: int, profile: Profile):
        self.rng = random.Random(seed)
        self._random = self.rng.random
        self.profile = profile
        self.counters: dict[tuple[str, str], int] = {}
        r = random.Random(f"uscc-{seed}")
        self.affine = {
            "numeric": (r.randrange(1, _MOD_NUMERIC // 10) * 10 + 3, r.randrange(_MOD_NUMERIC)),
            "individual": (r.randrange(1, _MOD_INDIVIDUAL // 10) * 10 + 7, r.randrange(_MOD_INDIVIDUAL)),
            "new": (r.randrange(1, 28_000_000) * 31 + 5, r.randrange(_MOD_NEW)),
        }

    # -- small helpers

    def _next(self, dept: str, kind: str) -> int:
        key = (dept, kind)
        n = self.counters.get(key, 0) + 1
        self.counters[key] = n
        return n

    def _rid(self, dept: str, kind: str, day: int) -> str:
        return f"{kind}-{_year(day)}-{self._next(dept, kind):07d}"

    def _decision_no(self, dept: str, day: int) -> str:
        year = _year(day)
        n = self._next(dept, f"decision-{year}")
        if dept == "TJ-ENF":
            return f"津市监执罚〔{year}〕{n}号"
        return f"津{_DISTRICT_ABBR[dept[-6:]]}市监罚〔{year}〕{n}号"

    def _day(self, lo: int, hi: int) -> int:
        return lo + int(self._random() * (hi - lo + 1)) if hi > lo else lo

    def _person(self) -> str:
        rng = self.rng
        given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
        return rng.choice(_SURNAMES) + given

    def _address(self, district: str) -> str:
        rng = self.rng
        addr = f"天津市{TIANJIN_DISTRICTS[district]}{rng.choice(_ROADS)}{rng.randrange(1, 999)}号"
        if rng.random() < 0.5:
            addr += f"{rng.randrange(1, 30)}号楼{rng.randrange(1, 25)}{rng.randrange(1, 20):02d}室"
        return addr

    def _add(
        self,
        e: _Enterprise,
        rtype: str,
        day: int,
        dept: str,
        kind: str,
        data: dict[str, Any],
        movable: bool = False,
        record_id: str | None = None,
    ) -> dict[str, Any]:
        rec = {
            "type": rtype,
            "uscc": e.uscc,
            "effective_on": _iso(day),
            "source": {
                "department": dept,
                "record_id": record_id or self._rid(dept, kind, day),
                "operator": f"officer-{int(self._random() * 399) + 1}",
            },
            "data": data,
        }
        e.n += 1
        e.events.append([day, e.n, rec, movable])
        return rec
