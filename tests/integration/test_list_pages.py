"""List pages (projections/lists.py) find their members three ways: the head of the list in USCC
order, the GiST hits of a sparse answer, the walk to the end. Whichever way a page takes, the
pages put together are the answer of one plain query over the read model."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from api.bootstrap import Runtime
from bench.generate import generate
from projections import lists, public_items
from projections.readmodel import save_derivation
from tests.builders import corrected, food_licence_no, make_uscc, permit_granted, registered
from tests.integration.test_projection_parity import submit_in_steps

# (WINDOW, SPARSE): which way a page of a non-empty answer takes
WAYS = {"head": (10_000, 0), "hits": (0, 10_000), "walk": (0, 0)}


def every_page(conn: Any, list_name: str, as_of: date, known_at: datetime, limit: int, **filters: str) -> list[tuple]:
    keys, cursor = [], None
    while True:
        page = lists.members(conn, list_name, as_of, known_at, cursor=cursor, limit=limit, **filters)
        keys += [(m["uscc"], m["subject"], m["from"], m["until"], tuple(m["records"])) for m in page["members"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return keys


def plain_answer(conn: Any, list_name: str, as_of: date, known_at: datetime, **filters: str) -> list[tuple]:
    """Every member at once: the rows of the list kind valid then, filtered by the enterprise's
    basic information and key-sector rows valid then, in USCC order."""
    rows = conn.execute(
        "SELECT i.uscc, i.subject, lower(i.effective), upper(i.effective), i.body, i.fingerprint "
        "FROM projection_items i WHERE i.kind = %(kind)s AND i.recorded @> %(k)s AND i.effective @> %(d)s "
        "AND (%(district)s::text IS NULL OR EXISTS (SELECT 1 FROM projection_items b WHERE b.uscc = i.uscc "
        "  AND b.kind = 'basic_info' AND b.district = %(district)s AND b.recorded @> %(k)s AND b.effective @> %(d)s)) "
        "AND (%(sector)s::text IS NULL OR (i.kind = 'key_sector_list' AND i.subject = %(sector)s) "
        "  OR (i.kind <> 'key_sector_list' AND EXISTS (SELECT 1 FROM projection_items s WHERE s.uscc = i.uscc "
        "  AND s.kind = 'key_sector_list' AND s.subject = %(sector)s AND s.recorded @> %(k)s AND s.effective @> %(d)s))) "
        "ORDER BY i.uscc, i.subject, i.fingerprint",
        {
            "kind": lists.LISTS[list_name],
            "k": known_at,
            "d": as_of,
            "district": filters.get("district"),
            "sector": filters.get("sector"),
        },
    ).fetchall()
    return [
        (uscc, subject, lo and lo.isoformat(), hi and hi.isoformat(), tuple(body.get("records", [])))
        for uscc, subject, lo, hi, body, _ in rows
    ]


@pytest.fixture
def loaded(runtime: Runtime) -> tuple[Runtime, list[datetime]]:
    records = list(generate(80, 11, profile="demo"))
    recorded = submit_in_steps(runtime, [records[i : i + 60] for i in range(0, len(records), 60)])
    runtime.projector.catch_up()
    return runtime, recorded


@pytest.mark.parametrize("derivation", [2, 1], ids=["facets", "probes"])
@pytest.mark.parametrize("way", WAYS)
def test_list_pages_taken_any_way_put_together_are_the_plain_answer(
    loaded: tuple[Runtime, list[datetime]], way: str, derivation: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With facets (derivation 2) a district or sector condition walks facet rows; a read model
    projected before them (derivation 1) is answered by probing each candidate's other rows."""
    runtime, recorded = loaded
    monkeypatch.setattr(lists, "WINDOW", WAYS[way][0])
    monkeypatch.setattr(lists, "SPARSE", WAYS[way][1])
    rng = random.Random(way)
    with runtime.server.connect(autocommit=True) as conn:
        save_derivation(conn, public_items.NAME, derivation)
        assert lists.facets_ready(conn) is (derivation == 2)
        districts = [
            r[0] for r in conn.execute("SELECT DISTINCT district FROM projection_items WHERE district IS NOT NULL")
        ]
        non_empty = 0
        for _ in range(50):
            list_name = rng.choice(list(lists.LISTS))
            known_at = rng.choice([*recorded, recorded[-1] + timedelta(days=1), recorded[0] - timedelta(seconds=1)])
            as_of = date(2019, 1, 1) + timedelta(days=rng.randrange(2900))
            filters = rng.choice(
                [
                    {},
                    {},
                    {"district": rng.choice(districts)},
                    {"sector": rng.choice(["food_production", "special_food"])},
                    {"district": rng.choice(districts), "sector": rng.choice(["food_production", "special_food"])},
                ]
            )
            expected = plain_answer(conn, list_name, as_of, known_at, **filters)
            assert every_page(conn, list_name, as_of, known_at, rng.choice([1, 2, 7]), **filters) == expected
            non_empty += bool(expected)
        assert non_empty >= 10  # the moments drawn reach answers with members


@pytest.mark.parametrize("derivation", [2, 1], ids=["facets", "probes"])
@pytest.mark.parametrize("way", WAYS)
def test_pages_with_a_district_and_a_sector_on_the_other_lists_are_the_plain_answer(
    loaded: tuple[Runtime, list[datetime]], way: str, derivation: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both conditions on a list other than key-sector (facets by district, probes for the
    sector), at dates chosen so that each answer has a member: random draws rarely reach one."""
    runtime, recorded = loaded
    monkeypatch.setattr(lists, "WINDOW", WAYS[way][0])
    monkeypatch.setattr(lists, "SPARSE", WAYS[way][1])
    names = {kind: name for name, kind in lists.LISTS.items()}
    known_at = recorded[-1] + timedelta(days=1)
    with runtime.server.connect(autocommit=True) as conn:
        save_derivation(conn, public_items.NAME, derivation)
        combos = [
            combo
            for kind in ("abnormal_list", "serious_list", "exposure_board")
            for combo in conn.execute(
                "SELECT DISTINCT l.kind, greatest(lower(l.effective), lower(k.effective)), b.district, k.subject "
                "FROM projection_items l "
                "JOIN projection_items k ON k.uscc = l.uscc AND k.kind = 'key_sector_list' "
                "  AND upper_inf(k.recorded) AND k.effective && l.effective "
                "JOIN projection_items b ON b.uscc = l.uscc AND b.kind = 'basic_info' AND upper_inf(b.recorded) "
                "  AND b.effective @> greatest(lower(l.effective), lower(k.effective)) "
                "WHERE l.kind = %s AND upper_inf(l.recorded) ORDER BY 1, 2, 3, 4 LIMIT 4",
                (kind,),
            )
        ]
        assert len({kind for kind, *_ in combos}) >= 2
        for kind, as_of, district, sector in combos:
            expected = plain_answer(conn, names[kind], as_of, known_at, district=district, sector=sector)
            assert expected, (kind, as_of, district, sector)
            for limit in (1, 7):
                found = every_page(conn, names[kind], as_of, known_at, limit, district=district, sector=sector)
                assert found == expected


@pytest.mark.parametrize("derivation", [2, 1], ids=["facets", "probes"])
def test_a_corrected_district_moves_the_member_between_district_pages_from_the_correction_on(
    runtime: Runtime, derivation: int
) -> None:
    uscc = make_uscc(4242)
    registration = registered(uscc, "2020-06-01", department="TJ-REG")
    permit = permit_granted(uscc, food_licence_no(4242), "2021-01-04", data={"valid_until": "2030-01-03"})
    correction = corrected(uscc, registration, {**registration["data"], "district_code": "120101"}, department="TJ-REG")
    recorded = submit_in_steps(runtime, [[registration, permit], [correction]])
    runtime.projector.catch_up()
    before, after = recorded[-2], recorded[-1]  # the permit's commit, the correction's
    with runtime.server.connect(autocommit=True) as conn:
        save_derivation(conn, public_items.NAME, derivation)
        for known_at, district in [(before, "120116"), (after, "120101")]:
            for code in ("120116", "120101"):
                page = every_page(conn, "key-sector", date(2024, 1, 1), known_at, 7, district=code)
                assert page == plain_answer(conn, "key-sector", date(2024, 1, 1), known_at, district=code)
                assert [m[0] for m in page] == ([uscc] if code == district else [])


def slot_indexes(runtime: Runtime, name: str) -> list[str]:
    """The definitions of both slots' indexes `<slot table>_<name>` and `_<name>_order`."""
    with runtime.server.connect() as conn:
        return [
            d
            for (d,) in conn.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename IN ('projection_items_a', 'projection_items_b') "
                "AND indexname IN ('projection_items_a_' || %(n)s, 'projection_items_b_' || %(n)s, "
                "'projection_items_a_' || %(n)s || '_order', 'projection_items_b_' || %(n)s || '_order')",
                {"n": name},
            )
        ]


def test_both_list_indexes_cover_every_list_kind(runtime: Runtime) -> None:
    """The list indexes are partial (migration 0008): a list kind outside their predicate would
    be read by walking the whole table."""
    definitions = slot_indexes(runtime, "list")
    assert len(definitions) == 4
    for definition in definitions:
        for kind in lists.LISTS.values():
            assert f"'{kind}'" in definition, (kind, definition)


def test_each_list_row_has_a_district_facet_wherever_the_enterprise_has_a_district(
    loaded: tuple[Runtime, list[datetime]],
) -> None:
    """Facets split list rows, never stretch them: over a list row's effective range (as the
    ledger holds it now), its district facets cover exactly where the enterprise has a district."""
    runtime, _ = loaded
    with runtime.server.connect() as conn:
        assert lists.facets_ready(conn)
        rows = conn.execute(
            "SELECT l.kind, l.effective, "
            "  (SELECT range_agg(f.effective) FROM projection_items f WHERE f.uscc = l.uscc "
            "     AND f.kind = l.kind || '/district' AND f.member = l.fingerprint AND upper_inf(f.recorded)), "
            "  (SELECT range_agg(b.effective * l.effective) FROM projection_items b WHERE b.uscc = l.uscc "
            "     AND b.kind = 'basic_info' AND b.district IS NOT NULL AND upper_inf(b.recorded) "
            "     AND b.effective && l.effective) "
            "FROM projection_items l WHERE l.kind = ANY(%s) AND upper_inf(l.recorded)",
            (list(lists.LISTS.values()),),
        ).fetchall()
    assert len(rows) > 20
    for kind, effective, facets, districts in rows:
        assert facets == districts, (kind, effective)
        assert facets is not None


def test_the_facet_indexes_cover_every_facet_row(runtime: Runtime) -> None:
    """Facet rows are found by their own partial indexes (migration 0009), keyed by the facet."""
    definitions = slot_indexes(runtime, "facet")
    assert len(definitions) == 4
    for definition in definitions:
        assert "(facet IS NOT NULL)" in definition and "kind, facet" in definition, definition


def test_autovacuum_visits_each_slot_after_one_per_cent_new_rows(runtime: Runtime) -> None:
    """List pages are index-only where heap pages are all-visible; the projector's rows become so
    when autovacuum visits (migration 0008)."""
    with runtime.server.connect() as conn:
        options = dict(
            conn.execute(
                "SELECT relname, reloptions FROM pg_class WHERE relname IN ('projection_items_a', 'projection_items_b')"
            ).fetchall()
        )
    assert options == {
        t: ["autovacuum_vacuum_insert_scale_factor=0.01"] for t in ("projection_items_a", "projection_items_b")
    }
