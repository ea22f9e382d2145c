"""Risk runs: a trial (带量测试, a distribution report that changes nothing) or an effective run
(a record of the credit division in the ledger), and the digest of their inputs.

An effective run is recorded as one `RiskRun` aggregate in the ledger's event log (docs/risk.md):
a `Recorded` event (kind, date, model version and digest, the input cut, the input digest, the
counts) followed by `Classified` events holding the class and score of every enterprise it
classified, all in one transaction. Its id is derived from the digest of its inputs, so that
running it again on the same inputs records nothing new and answers the run already recorded.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

CREDIT_DIVISION = "TJ-CREDIT"
"""信用监管处: sets the base score and runs the classification (S-TJ28 五(七)1)."""
RUN_NAMESPACE = uuid5(NAMESPACE_URL, "https://scjg.tj.gov.cn/credit-ledger/risk-run")
CHUNK = 5_000
"""Enterprises per `Classified` event."""
Kind = Literal["trial", "effective"]


def enterprise_digest(uscc: str, records: Iterable[tuple[str, str, str]]) -> str:
    """One enterprise's inputs: its records' (department, record_id, fingerprint) in log order."""
    h = hashlib.sha256(uscc.encode())
    for department, record_id, fingerprint in records:
        h.update(f"\x1e{department}\x1f{record_id}\x1f{fingerprint}".encode())
    return h.hexdigest()[:32]


def input_digest(model_digest: str, on: date, enterprises: Iterable[tuple[str, str]]) -> str:
    """A run's inputs: the model, the date, and every enterprise's digest in USCC order."""
    h = hashlib.sha256(f"risk-run/1\x1f{model_digest}\x1f{on.isoformat()}".encode())
    for uscc, digest in sorted(enterprises):
        h.update(f"\x1e{uscc}\x1f{digest}".encode())
    return h.hexdigest()


def run_id(kind: str, digest: str) -> UUID:
    return uuid5(RUN_NAMESPACE, f"{kind}:{digest}")


@dataclass(frozen=True)
class ClassResult:
    """One enterprise's result in a run."""

    uscc: str
    risk_class: str
    score: int
    sector: str
    district: str | None

    def as_row(self) -> list[Any]:
        return [self.uscc, self.risk_class, self.score, self.sector, self.district]

    @classmethod
    def of_row(cls, row: Sequence[Any]) -> ClassResult:
        return cls(str(row[0]), str(row[1]), int(row[2]), str(row[3]), None if row[4] is None else str(row[4]))


@dataclass(frozen=True)
class Distribution:
    enterprises: int
    by_class: dict[str, int]
    by_sector: dict[str, dict[str, int]]
    by_district: dict[str, dict[str, int]]
    scores: dict[str, int] = field(default_factory=dict)
    """min, median, max of the scores."""

    def as_json(self) -> dict[str, Any]:
        return {
            "enterprises": self.enterprises,
            "by_class": self.by_class,
            "by_sector": self.by_sector,
            "by_district": self.by_district,
            "scores": self.scores,
        }


def distribution(results: Sequence[ClassResult]) -> Distribution:
    by_class = Counter(r.risk_class for r in results)
    by_sector: dict[str, Counter[str]] = {}
    by_district: dict[str, Counter[str]] = {}
    for r in results:
        by_sector.setdefault(r.sector, Counter())[r.risk_class] += 1
        by_district.setdefault(r.district or "outside", Counter())[r.risk_class] += 1
    scores = sorted(r.score for r in results)
    stats = {"min": scores[0], "median": scores[len(scores) // 2], "max": scores[-1]} if scores else {}
    return Distribution(
        len(results),
        {c: by_class.get(c, 0) for c in ("A", "B", "C", "D")},
        {s: dict(sorted(c.items())) for s, c in sorted(by_sector.items())},
        {d: dict(sorted(c.items())) for d, c in sorted(by_district.items())},
        stats,
    )


class RiskRun(Aggregate):
    """An effective run as the ledger records it. Event class paths are stored topics."""

    class Recorded(Aggregate.Created):
        kind: str
        on: date
        model_version: str
        model_digest: str
        input_position: int
        input_cut: str | None
        """ISO timestamp: the run's input is every record recorded by then (None: none)."""
        input_digest: str
        department: str
        operator: str
        distribution: dict[str, Any]
        chunks: int

    class Classified(Aggregate.Event):
        entries: list[list[Any]]
        """[uscc, class, score, sector, district] of each enterprise of this chunk."""

        def apply(self, aggregate: Aggregate) -> None:
            pass  # the results live in the read model (projections/risk_classes.py), not in memory

    def __init__(
        self,
        kind: str,
        on: date,
        model_version: str,
        model_digest: str,
        input_position: int,
        input_cut: str | None,
        input_digest: str,
        department: str,
        operator: str,
        distribution: dict[str, Any],
        chunks: int,
    ) -> None:
        self.kind, self.on, self.model_version = kind, on, model_version
        self.input_digest, self.input_position = input_digest, input_position

    @classmethod
    def record(
        cls,
        *,
        on: date,
        model_version: str,
        model_digest: str,
        input_position: int,
        input_cut: datetime | None,
        digest: str,
        department: str,
        operator: str,
        results: Sequence[ClassResult],
    ) -> RiskRun:
        chunks = [results[i : i + CHUNK] for i in range(0, len(results), CHUNK)]
        run = cls._create(
            cls.Recorded,
            id=run_id("effective", digest),
            kind="effective",
            on=on,
            model_version=model_version,
            model_digest=model_digest,
            input_position=input_position,
            input_cut=None if input_cut is None else input_cut.isoformat(),
            input_digest=digest,
            department=department,
            operator=operator,
            distribution=distribution(results).as_json(),
            chunks=len(chunks),
        )
        assert isinstance(run, RiskRun)
        for chunk in chunks:
            run.trigger_event(cls.Classified, entries=[r.as_row() for r in chunk])
        return run
