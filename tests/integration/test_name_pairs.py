"""`name_pairs` (migration 0012), the key of the search's index of character pairs, computes
what its plain definition (0011) did: each pair of adjacent characters, lower-cased, once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.database import Server

PLAIN_DEFINITION = (
    "SELECT coalesce(array_agg(lower(substr(%(name)s, i, 2))), '{}') "
    "FROM generate_series(1, char_length(%(name)s) - 1) AS i"
)
# Chinese names with their brackets and dots, Latin letters of both cases, digits, and the white
# space records accept (no other control characters: domain/records.py PRINTABLE)
NAME_CHARACTERS = st.sampled_from(list("天津市和平区有限公司（）()·.-, AaBbZz09Σσİi\t\n"))


@pytest.fixture(scope="module")
def conn(test_server: Server) -> Iterator[psycopg.Connection[Any]]:
    with test_server.connect(autocommit=True) as connection:
        yield connection


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(NAME_CHARACTERS, max_size=40))
def test_the_inlined_name_pairs_are_the_pairs_of_the_plain_definition(conn: psycopg.Connection[Any], name: str) -> None:
    inlined = conn.execute("SELECT name_pairs(%(name)s)", {"name": name}).fetchone()[0]  # type: ignore[index]
    plain = conn.execute(PLAIN_DEFINITION, {"name": name}).fetchone()[0]  # type: ignore[index]
    assert set(inlined) == set(plain)


def test_name_pairs_is_inlined_into_the_statement_not_run_as_a_query_per_name(
    conn: psycopg.Connection[Any],
) -> None:
    """Were it not inlined (a STRICT declaration is enough to prevent it), each name would pay for
    a query of its own: three times the time to build the index."""
    plan = "\n".join(
        r[0] for r in conn.execute("EXPLAIN VERBOSE SELECT name_pairs(n) FROM (VALUES ('天津'), ('和平')) v(n)")
    )
    assert "regexp_replace" in plan and "name_pairs" not in plan, plan
