from __future__ import annotations

from api.bootstrap import Runtime
from domain.enterprise import Enterprise
from tests.builders import make_uscc, permit_granted, registered
from tests.conftest import officer


def test_loading_many_enterprises_at_once_gives_what_the_repository_gives(runtime: Runtime) -> None:
    usccs = [make_uscc(700 + n) for n in range(5)]
    runtime.intake.submit([registered(u) for u in usccs], author=officer("TJ-LIC"))
    runtime.intake.submit([permit_granted(u, f"SC{n}") for n, u in enumerate(usccs[:3])], author=officer("TJ-LIC"))
    absent = Enterprise.create_id(make_uscc(799))

    loaded = runtime.store.load([Enterprise.create_id(u) for u in usccs] + [absent])

    assert absent not in loaded
    assert len(loaded) == 5
    for uscc in usccs:
        expected: Enterprise = runtime.store.ledger.repository.get(Enterprise.create_id(uscc))
        got = loaded[Enterprise.create_id(uscc)]
        assert got.version == expected.version
        assert got.history == expected.history
