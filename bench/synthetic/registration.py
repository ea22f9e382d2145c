"""Registration (identity, name, address) and later changes of an enterprise."""

from __future__ import annotations

from datetime import date
from typing import Any

from bench.synthetic.base import _Enterprise, _GeneratorBase
from bench.synthetic.dates import _iso
from bench.synthetic.identifiers import _MOD_INDIVIDUAL, _MOD_NEW, _MOD_NUMERIC, _base31, make_uscc
from bench.synthetic.reference import _BRAND, _COOP_KIND, _INDIVIDUAL_SHOPS, _INDUSTRY, _LEGACY_REGISTRAR, _SURNAMES
from domain.identifiers import TIANJIN_DISTRICTS


class _Registration(_GeneratorBase):
    def _identity(self, e: _Enterprise, index: int, established: int) -> None:
        rng = self.rng
        registrar = e.district
        if established < date(2016, 1, 1).toordinal() and e.district in _LEGACY_REGISTRAR and rng.random() < 0.5:
            registrar = rng.choice(_LEGACY_REGISTRAR[e.district])
        elif rng.random() < 0.06:
            registrar = "120000"  # municipal registrar (ID-11)
        prefix = {"individual_business": "92", "cooperative": "93"}.get(e.kind, "91")
        if e.kind == "individual_business":
            a, b = self.affine["individual"]
            body = f"L{(a * index + b) % _MOD_INDIVIDUAL:07d}"
        elif established < date(2015, 10, 1).toordinal():
            a, b = self.affine["numeric"]
            body = f"{(a * index + b) % _MOD_NUMERIC:08d}"
        else:
            a, b = self.affine["new"]
            body = "MA" + _base31((a * index + b) % _MOD_NEW, 6)
        e.uscc = make_uscc(prefix, registrar, body)

        dname = TIANJIN_DISTRICTS[e.district]
        brand = e.brand = rng.choice(_BRAND) + rng.choice(_BRAND)
        if e.kind == "individual_business":
            e.name = f"{dname}{rng.choice(_SURNAMES)}记{rng.choice(_INDIVIDUAL_SHOPS)}"
        elif e.kind == "cooperative":
            e.name = f"天津市{dname}{brand}{rng.choice(_COOP_KIND)}专业合作社"
        else:
            industry = rng.choice(_INDUSTRY["ordinary" if not e.key else e.sector])
            x = rng.random()
            form = "股份有限公司" if x < 0.05 else "有限责任公司" if x < 0.2 else "有限公司"
            x = rng.random()
            if x < 0.5:
                e.name = f"天津{brand}{industry}{form}"
            elif x < 0.8:
                e.name = f"天津市{brand}{industry}{form}"
            elif x < 0.93:
                e.name = f"天津{dname.removesuffix('区').removesuffix('新')}{brand}{industry}{form}"
            else:
                e.name = f"{brand}（天津）{industry}{form}"
            if e.kind == "branch":
                e.name += f"{dname.removesuffix('区').removesuffix('新')}分公司"
        e.address = self._address(e.district)
        e.legal_rep = self._person()
        data = {
            "name": e.name,
            "district_code": e.district,
            "entity_kind": e.kind,
            "established_on": _iso(established),
            "address": e.address,
        }
        if e.kind != "branch":
            data["legal_representative"] = e.legal_rep
        self._add(e, "enterprise.registered", e.reg, e.bureau, "DJ", data)

    def _changes(self, e: _Enterprise) -> None:
        rng = self.rng
        mean = self.profile.changes_mean
        count = 0
        while rng.random() < mean / (mean + 1):
            count += 1
        for _ in range(count):
            if e.reg + 10 >= e.act_end:
                return
            day = self._day(e.reg + 10, e.act_end)
            data: dict[str, Any] = {}
            x = rng.random()
            if x < 0.55:
                data["address"] = self._address(e.district)
            if x > 0.4 and e.kind != "branch":
                data["legal_representative"] = self._person()
            if (not data or rng.random() < 0.05) and e.kind in ("enterprise", "branch"):
                brand = rng.choice(_BRAND) + rng.choice(_BRAND)
                e.name, e.brand = e.name.replace(e.brand, brand, 1), brand
                data["name"] = e.name
            if not data:
                data["address"] = self._address(e.district)
            self._add(e, "enterprise.changed", day, e.bureau, "BG", data, movable=True)
