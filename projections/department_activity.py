"""Records entered per department, record type and effective year, as known at any moment.

Whoever handles a case enters its record and answers for it (谁办案、谁录入、谁负责, PEN-13;
S-TJ28 三: 谁产生、谁提供、谁负责): this read model shows who entered how much, and when. It is
also the smallest read model of the ledger, the worked example of a `LogModel`
(docs/architecture.md, "Adding a read model"): one module, one migration (0014), one line in
`projections/registry.py`.

A row is a running total: after the commit at `recorded_at`, (department, record_type, year)
had `total` records. As known at T, a count is the total of its latest row not after T.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from psycopg import Connection

from domain.context import RuleContext
from projections.log import Logged
from projections.readmodel import LogModel

Key = tuple[str, str, int]  # (department, record_type, year)


class DepartmentActivity(LogModel):
    name = "department_activity"
    title = "records entered per department, record type and effective year"

    def stored_tables(self) -> tuple[str, ...]:
        return ("department_activity",)

    def fold(self, conn: Connection[Any], records: Sequence[Logged], ctx: RuleContext) -> int:
        added: Counter[tuple[Key, datetime]] = Counter()
        for one in records:
            fact = one.fact
            assert fact.recorded_at is not None
            added[((fact.department, fact.type, fact.effective_on.year), fact.recorded_at)] += 1
        if not added:
            return 0
        totals = self._totals(conn, {key for key, _ in added})
        rows = []
        for (key, at), n in sorted(added.items(), key=lambda kv: kv[0][1]):
            totals[key] = totals.get(key, 0) + n
            rows.append((*key, at, totals[key]))
        with (
            conn.cursor() as cur,
            cur.copy("COPY department_activity (department, record_type, year, recorded_at, total) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return len(rows)

    def clear(self, conn: Connection[Any]) -> None:
        conn.execute("DELETE FROM department_activity")

    @staticmethod
    def _totals(conn: Connection[Any], keys: Iterable[Key]) -> dict[Key, int]:
        keys = list(keys)
        rows = conn.execute(
            "SELECT DISTINCT ON (a.department, a.record_type, a.year) a.department, a.record_type, a.year, a.total "
            "FROM department_activity a JOIN unnest(%s::text[], %s::text[], %s::int[]) AS k(d, t, y) "
            "ON a.department = k.d AND a.record_type = k.t AND a.year = k.y "
            "ORDER BY a.department, a.record_type, a.year, a.recorded_at DESC",
            ([k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]),
        ).fetchall()
        return {(d, t, y): int(total) for d, t, y, total in rows}


def activity(conn: Connection[Any], known_at: datetime, year: int | None = None) -> list[dict[str, Any]]:
    """The counts as the ledger knew them at `known_at`, per department and record type (and
    effective year, or of the effective year `year`)."""
    rows = conn.execute(
        "SELECT DISTINCT ON (department, record_type, year) department, record_type, year, total "
        "FROM department_activity WHERE recorded_at <= %(at)s AND (%(year)s::int IS NULL OR year = %(year)s) "
        "ORDER BY department, record_type, year, recorded_at DESC",
        {"at": known_at, "year": year},
    ).fetchall()
    return [{"department": d, "record_type": t, "year": y, "records": int(n)} for d, t, y, n in rows]
