"""Risk runs and explanations (issue 19, docs/risk.md; rulebook §9, S-TJ28 五(七)).

- `load_model`: a model file becomes a dated model version (immutable).
- `run`: a trial (带量测试) scores every enterprise and reports the distribution, changing
  nothing else; an effective run also records itself in the ledger as a record of the credit
  division (a `RiskRun`: model version, date, input cut and digest, every class). Same inputs
  (model, date, records): same digest, same run id, nothing recorded twice.
- `explain`: the score of a class the read model holds, computed again from the history the run
  or re-score read, with every contribution and override.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from application.ports import HistoryScan, RiskModels, RunLedger, RunReports
from domain.context import RuleContext
from domain.errors import InvalidInputError, Problem, RiskModelError
from domain.history import AnyFact
from domain.risk.model import KnownModel, ModelBook, RiskModel, parse_model
from domain.risk.run import CREDIT_DIVISION, ClassResult, RiskRun, distribution, input_digest, run_id
from domain.risk.scoring import Assessment, assess

KINDS = ("trial", "effective")


@dataclass(frozen=True)
class RunRequest:
    kind: str
    on: date
    model_version: str | None
    operator: str
    department: str = CREDIT_DIVISION


class RiskRuns:
    def __init__(
        self,
        models: RiskModels,
        scanner: HistoryScan,
        ledger: RunLedger,
        reports: RunReports,
        rules: Callable[[], RuleContext],
    ) -> None:
        self.models, self.scanner, self.ledger, self.reports, self.rules = models, scanner, ledger, reports, rules

    # --- models -----------------------------------------------------------------------

    def load_model(self, text: str | bytes, source: str) -> tuple[KnownModel, bool]:
        return self.models.load(parse_model(text), source)

    def book(self) -> ModelBook:
        return self.models.book()

    def model_for(self, on: date, version: str | None, book: ModelBook | None = None) -> RiskModel:
        """The model a run on `on` uses: the one named (which must be in force by then), or the
        one in force on `on` (TIME-04: a rule in the version in force on the date it applies)."""
        book = book or self.book()
        if version is not None:
            model = book.version(version)
            if model.effective_from > on:
                raise RiskModelError(
                    f"risk model {version} takes effect on {model.effective_from}, after {on}",
                    [Problem("model", f"not in force on {on}: effective from {model.effective_from}", "TIME-04")],
                )
            return model
        found = book.in_force(on)
        if found is None:
            raise RiskModelError(
                f"no risk model is in force on {on}",
                [Problem("on", "before every model's effective date", "RISK-08")],
            )
        return found

    # --- runs -------------------------------------------------------------------------

    def run(self, request: RunRequest, *, workers: int | None = None) -> dict[str, Any]:
        if request.kind not in KINDS:
            raise InvalidInputError("bad kind", [Problem("kind", f"one of {', '.join(KINDS)}, not {request.kind!r}")])
        model = self.model_for(request.on, request.model_version)
        ctx = self.rules()
        on = request.on

        def score(uscc: str, history: Sequence[AnyFact]) -> ClassResult | None:
            found = assess(history, model, on, ctx)
            if found is None:
                return None
            return ClassResult(uscc, found.risk_class, found.score, found.sector, found.district)

        started = time.perf_counter()
        scanned = self.scanner.scan(score, workers)
        scanned_in = time.perf_counter() - started
        digest = input_digest(model.digest, on, scanned.digests)
        rid = run_id(request.kind, digest)
        earlier = self.reports.report(rid)
        if earlier is not None:
            return {**earlier, "recorded": False, "repeated": True, "seconds": {"scan": round(scanned_in, 3)}}
        recorded = False
        if request.kind == "effective":
            run = RiskRun.record(
                on=on,
                model_version=model.version,
                model_digest=model.digest,
                input_position=scanned.position,
                input_cut=scanned.cut,
                digest=digest,
                department=request.department,
                operator=request.operator,
                results=scanned.results,
            )
            assert run.id == rid
            recorded = self.ledger.record_run(run)
        recorded_in = time.perf_counter() - started - scanned_in
        report = {
            "run_id": str(rid),
            "kind": request.kind,
            "on": on.isoformat(),
            "model_version": model.version,
            "model_digest": model.digest,
            "model_provisional": model.provisional,
            "input_digest": digest,
            "input_position": scanned.position,
            "input_cut": None if scanned.cut is None else scanned.cut.isoformat(),
            "department": request.department,
            "operator": request.operator,
            "events_read": scanned.events,
            **distribution(scanned.results).as_json(),
        }
        self.reports.save(rid, request.kind, on, model.version, report)
        seconds = {"scan": round(scanned_in, 3), "record": round(recorded_in, 3)}
        return {
            **report,
            "recorded": recorded,
            "repeated": not recorded and request.kind == "effective",
            "seconds": seconds,
        }

    # --- explanations -----------------------------------------------------------------

    def explain(
        self, history: Sequence[AnyFact], model_version: str, on: date, cut: datetime | None
    ) -> Assessment | None:
        """The assessment of a class the read model holds: `history` (raw, with recorded times)
        as the run or re-score read it (records recorded by `cut`), scored by its model on its date."""
        known = [f for f in history if cut is not None and f.recorded_at is not None and f.recorded_at <= cut]
        return assess(known, self.book().version(model_version), on, self.rules())


def run_uuid(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise InvalidInputError("bad run id", [Problem("run_id", f"not a run id: {text!r}")]) from None
