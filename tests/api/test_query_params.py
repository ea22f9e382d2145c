"""Query parameters of search and lists: control characters refused, search paged in SQL."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from projections import lists
from tests.builders import make_uscc, registered

PROBLEM = "application/problem+json"


def _load(client: TestClient, auth: Callable[..., dict[str, str]], n: int = 7) -> list[str]:
    usccs = []
    for k in range(n):
        uscc = make_uscc(500 + k)
        # Every other name holds full-width brackets, where pg_trgm splits words.
        data = {"name": f"天津市津南第{k}食品有限公司" if k % 2 == 0 else f"华和（天津）津南第{k}食品有限公司"}
        assert client.post("/v1/records", json=[registered(uscc, data=data)], headers=auth("TJ-LIC")).status_code == 200
        usccs.append(uscc)
    client.app.state.runtime.projector.catch_up()  # type: ignore[attr-defined]
    return sorted(usccs)


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/v1/enterprises", "q"),
        ("/v1/lists/key-sector", "district"),
        ("/v1/lists/key-sector", "sector"),
        ("/v1/lists/key-sector", "cursor"),
    ],
)
@pytest.mark.parametrize("control", ["\x00", "\x01", "\x1b", "\x1f", "\r"])
def test_a_control_character_in_a_text_query_parameter_is_refused_with_422_naming_it(
    client: TestClient, path: str, param: str, control: str
) -> None:
    params = {"q": "有限公司"} if param != "q" else {}
    if param == "cursor":  # a cursor this API returned but for the control characters (base64 would skip them)
        value = lists.encode_cursor((make_uscc(500), "food_production", "0" * 40))
        value = value[:2] + control * 4 + value[2:]
    else:
        value = "12" + control + "0116"
    response = client.get(path, params={**params, param: value})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert [e["field"] for e in response.json()["errors"]] == [param]
    if param != "cursor":
        assert response.json()["errors"][0]["reason"] == "control characters (such as NUL) are not allowed"


def test_tab_and_newline_in_a_text_query_parameter_are_not_refused(client: TestClient) -> None:
    assert client.get("/v1/enterprises", params={"q": "有限\t公司"}).status_code == 200
    assert client.get("/v1/lists/key-sector", params={"district": "12\n0116"}).status_code == 200


def test_a_forged_cursor_that_decodes_to_a_nul_is_a_bad_cursor_not_an_internal_error(client: TestClient) -> None:
    forged = base64.urlsafe_b64encode(json.dumps(["\x00", "a", "b"]).encode()).decode().rstrip("=")
    response = client.get("/v1/lists/key-sector", params={"cursor": forged})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "cursor"


def _old_search(conn: Any, q: str, limit: int) -> list[dict[str, Any]]:
    """The search before it was paged in SQL: every match fetched, cut in Python (the oracle)."""
    pattern = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = conn.execute(
        "SELECT uscc, name, district, upper(effective) FROM projection_items "
        "WHERE name IS NOT NULL AND upper_inf(recorded) AND (uscc LIKE %(prefix)s OR name ILIKE %(part)s) "
        "ORDER BY uscc, upper(effective) DESC NULLS FIRST",
        {"prefix": pattern.upper() + "%", "part": "%" + pattern + "%"},
    ).fetchall()
    seen: dict[str, dict[str, Any]] = {}
    for uscc, name, district, _ in rows:
        if uscc not in seen:
            seen[uscc] = {"uscc": uscc, "name": name, "district_code": district}
        elif name != seen[uscc]["name"]:
            seen[uscc].setdefault("former_names", []).append(name)
    return list(seen.values())[:limit]


class _Counting:
    """A connection that remembers its statements and counts the rows fetched from them."""

    def __init__(self, conn: Any):
        self.conn, self.statements, self.fetched = conn, [], 0

    def execute(self, query: Any, params: Any = None, **kw: Any) -> Any:
        self.statements.append((query, params))
        cursor = self.conn.execute(query, params, **kw)
        rows = cursor.fetchall()
        self.fetched += len(rows)
        return _Rows(rows)


class _Rows:
    def __init__(self, rows: list[tuple]):
        self.rows = rows

    def fetchall(self) -> list[tuple]:
        return self.rows

    def __iter__(self) -> Any:
        return iter(self.rows)


@pytest.mark.parametrize("window", [1, 3, 10_000])  # the hits way; either, by the part; the head way
def test_search_answers_as_before_but_fetches_only_the_page_from_a_query_with_a_sql_limit(
    client: TestClient, auth: Callable[..., dict[str, str]], window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    usccs = _load(client, auth)
    monkeypatch.setattr(lists, "SEARCH_WINDOW", window)
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with runtime.server.connect() as conn:
        for q, limit in [
            ("有限公司", 2),
            ("有限公司", 7),
            ("有限公司", 20),
            ("津南第3", 1),
            ("第3", 2),  # two characters: the index of character pairs (migration 0011)
            ("食品", 3),
            ("司天", 3),  # a pair in no name, though both characters are in every one
            ("x_", 5),
            ("和（天津）", 2),  # punctuation: the index of character pairs
            ("（天", 3),
            ("）津南第", 5),
            ("华和（", 2),
            (usccs[0][:12], 3),
            (usccs[0][:2].lower(), 3),
            ("x_%", 5),
        ]:
            assert lists.search(conn, q, limit) == _old_search(conn, q, limit), (q, limit)
        counting = _Counting(conn)
        found = lists.search(counting, "有限公司", 2)
        assert [r["uscc"] for r in found] == usccs[:2]
        assert counting.fetched == 2  # one basic_info row each for two enterprises, not all seven
        for query, params in counting.statements:
            plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + query, params).fetchall())
            assert "Limit" in plan, plan
    over_http = client.get("/v1/enterprises", params={"q": "有限公司", "limit": 3}).json()["results"]
    assert [r["uscc"] for r in over_http] == usccs[:3]


@pytest.mark.parametrize("q", ["第3", "（天"])
def test_the_search_by_character_pairs_reads_their_index(client: TestClient, q: str) -> None:
    """The search's expression must be the index's (migrations 0011, 0012): were they to differ,
    the index would never be read and a rare pair would walk every name."""
    # On this near-empty table any index is as cheap as another: the btree ones, which a large
    # table would not use for it, are dropped for the plan, so only a matching expression helps.
    without = ("_open", "_uscc", "_by_enterprise")
    plan = _plan(client, "SELECT uscc FROM projection_items p WHERE p.name IS NOT NULL AND " + lists._PAIRS, q, without)
    assert "_name_pairs" in plan, plan


def test_a_search_with_punctuation_keeps_off_the_trigram_index(client: TestClient) -> None:
    """pg_trgm splits words at punctuation and keeps the trigrams of their edges: for '和（天津）'
    those of '天津', in most Tianjin names. The planner, which estimates any part as rare, would
    take that index over the pairs' if both conditions were in one scan. (Here the table is
    small: the btree indexes, which a large table would not use, are dropped for the plan.)"""
    plan = _plan(client, lists._PART_PAIR, "和（天津）", without=("_open", "_uscc", "_by_enterprise"))
    assert "_name_pairs" in plan and "_name " not in plan, plan


def _plan(client: TestClient, statement: str, q: str, without: tuple[str, ...] = ()) -> str:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with runtime.server.connect() as conn, conn.transaction(force_rollback=True):
        slot = conn.execute("SELECT slot FROM projection_state WHERE name = 'items'").fetchone()[0]  # type: ignore[index]
        for index in without:  # undone with the transaction
            conn.execute(f"DROP INDEX projection_items_{slot}{index}")  # type: ignore[arg-type]
        conn.execute("SET LOCAL enable_seqscan = off")
        return "\n".join(r[0] for r in conn.execute("EXPLAIN " + statement, {"part": f"%{q}%", "q": q}))


def test_a_search_repeated_on_one_connection_is_never_planned_generically(
    client: TestClient, auth: Callable[..., dict[str, str]]
) -> None:
    """A generic plan cannot use the USCC prefix index and walks every name: psycopg prepares a
    statement after five executions, and PostgreSQL may then plan it generically."""
    _load(client, auth, n=3)
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with runtime.server.connect() as conn:
        for _ in range(8):
            assert len(lists.search(conn, "津南第", 5)) == 3
        prepared = conn.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%name ILIKE%%'")
        assert prepared.fetchone()[0] == 0  # type: ignore[index]
