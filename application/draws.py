"""Random draws (双随机、一公开, issue 20, docs/draws.md; rulebook §10 DR-01 … DR-09).

- `load_items` / `load_inspectors`: the item list and the inspector directory, dated versions.
- `run`: a whole draw with the ledger as the only party (the command line and POST /v1/draws):
  plan → commit the inputs (saved before the secret is revealed) → reveal → seed → draw.
- `recuse`: a conflict found after the draw (DR-07): the pair removed, the next inspector in the
  same order added, both logged.
- `notice` (public, no class: RISK-02), `bundle` (auditors, DR-08).
Results are ordinary `inspection.concluded` records (kind double_random, the task id) that the
notice reads from the selected enterprises' histories, each with its publication deadline: 20
working days from the end of the inspection (DR-05, DR-06 Art 12).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from domain import hashrank
from domain.context import RuleContext
from domain.draws import BUILT_IN_ITEMS, PUBLICATION_DAYS, DrawTask, InspectionItem, Inspector, strata
from domain.errors import ConflictError, InvalidInputError, NotFoundError, Problem
from domain.history import AnyFact

ONLY_PARTY = "credit-ledger (the only party: no other party took part)"
LEDGER_PARTY = "credit-ledger"


class DrawData(Protocol):
    def load_items(self, items: Sequence[InspectionItem], source: str) -> list[tuple[str, str]]: ...
    def load_inspectors(self, inspectors: Sequence[Inspector], source: str) -> list[tuple[str, str]]: ...
    def items(self, as_of: date) -> list[InspectionItem]: ...
    def inspectors(self, as_of: date) -> list[Inspector]: ...


class Population(Protocol):
    def classes(self, on: date, sector: str | None, district: str | None) -> dict[str, str | None]:
        """Every enterprise matching on `on`, with its risk class then (None: none)."""
        ...

    def on_list(self, name: str, on: date) -> set[str]:
        """The members of a list (key-sector, abnormal, serious, exposure) on `on`."""
        ...

    def names(self, usccs: Sequence[str], on: date) -> dict[str, str]: ...


class TaskStore(Protocol):
    def get(self, task_id: str) -> DrawTask | None: ...
    def save(self, task: DrawTask) -> None: ...
    def history(self, uscc: str) -> list[AnyFact]: ...


@dataclass(frozen=True)
class DrawRequest:
    task_id: str
    item_id: str
    on: date
    department: str | None
    """The inspecting body drawing it (None: the item's, as the command line acts for it)."""
    operator: str
    sector: str | None = None
    district: str | None = None
    inspectors: Sequence[str] | None = None
    """The pool by id (default: every active inspector of the inspecting body on the date)."""
    publish: bool = True
    parties: Sequence[tuple[str, str]] = ()
    """Other parties (name, hex SHA-256 of their secret): the ledger commits too (party 0), then
    each reveals with `reveal`; the draw runs when the last secret is in."""


@dataclass
class Draws:
    data: DrawData
    population: Population
    tasks: TaskStore
    new_secret: Callable[[], str]
    rules: Callable[[], RuleContext]
    today: Callable[[], date] = field(default=date.today)

    # --- the directories ---------------------------------------------------------------

    def load_items(self, items: Sequence[InspectionItem], source: str) -> list[tuple[str, str]]:
        return self.data.load_items(items, source)

    def load_inspectors(self, inspectors: Sequence[Inspector], source: str) -> list[tuple[str, str]]:
        return self.data.load_inspectors(inspectors, source)

    def items(self, as_of: date) -> list[InspectionItem]:
        """The item list in force: the built-in DR-06 item, unless a loaded version replaces it,
        and every loaded item."""
        found = {i.item_id: i for i in BUILT_IN_ITEMS if i.effective_from <= as_of}
        found.update({i.item_id: i for i in self.data.items(as_of)})
        return sorted(found.values(), key=lambda i: i.item_id)

    def item(self, item_id: str, on: date) -> InspectionItem:
        for item in self.items(on):
            if item.item_id == item_id:
                return item
        raise NotFoundError(
            f"no inspection item {item_id} in force on {on}",
            [Problem("item_id", f"not in the item list on {on}: no inspection without a listed basis", "DR-01")],
        )

    # --- a draw -------------------------------------------------------------------------

    def run(self, request: DrawRequest) -> DrawTask:
        known = self.tasks.get(request.task_id)
        if known is not None:
            if (known.item_id, known.on) != (request.item_id, request.on):
                raise ConflictError(
                    f"task {request.task_id} is a draw of {known.item_id} on {known.on}",
                    [Problem("task_id", "taken by another draw: a task id names one draw", "DR-08")],
                )
            return known  # a repeat: the draw already recorded
        item = self.item(request.item_id, request.on)
        department = request.department or item.inspecting_body
        if department != item.inspecting_body:
            raise InvalidInputError(
                f"item {item.item_id} is drawn by {item.inspecting_body}",
                [Problem("item_id", f"not an item of {department}", "DR-01")],
            )
        sector = request.sector or item.object.sector
        district = request.district or item.object.district
        found = self.population.classes(request.on, sector, district)
        if item.object.on_list is not None:
            members = self.population.on_list(item.object.on_list, request.on)
            found = {u: c for u, c in found.items() if u in members}
        layers = strata(item, found)
        pool = self._pool(item, request)
        members = {u for s in layers for u in s["members"]}
        recusals = sorted(
            ({"inspector": p.id, "uscc": u} for p in pool for u in p.recusals if u in members),
            key=lambda r: (r["inspector"], r["uscc"]),
        )
        secret = self.new_secret()
        for n, (name, committed) in enumerate(request.parties):
            if len(committed) != 64 or any(c not in "0123456789abcdef" for c in committed) or not name:
                raise InvalidInputError(
                    "bad commitment",
                    [Problem(f"parties[{n}]", "a name and a lowercase hex SHA-256 of the secret's bytes", "DR-08")],
                )
        inputs: dict[str, Any] = {
            "algorithm": hashrank.ALGORITHM,
            "task_id": request.task_id,
            "item_id": item.item_id,
            "on": request.on.isoformat(),
            "parties": [ONLY_PARTY] if not request.parties else [LEDGER_PARTY, *(n for n, _ in request.parties)],
            "filters": {"sector": sector, "district": district, "on_list": item.object.on_list},
            "strata": layers,
            "inspectors": [{"id": p.id, "capacity": p.capacity} for p in pool],
            "recusals": recusals,
            "per_enterprise": item.per_enterprise,
            "commits": [hashrank.commit(secret), *(c for _, c in request.parties)],
        }
        if request.parties:
            return self._commit_only(request, item, department, sector, district, pool, inputs, secret)
        try:
            drawn = hashrank.draw(inputs, [secret])  # judged before anything is recorded
        except hashrank.PoolTooSmall as exc:
            raise InvalidInputError(
                "the inspectors' pool is too small", [Problem("inspectors", str(exc), "DR-06")]
            ) from None
        task = self._committed(request, item, department, sector, district, inputs)
        task.reveal(0, secret)
        task.fix_seed(drawn.seed)
        task.record_draw(drawn.as_json(), {p.id: p.name for p in pool})
        if request.publish:
            task.publish(self.today())
        self.tasks.save(task)
        return task

    def _committed(
        self,
        request: DrawRequest,
        item: InspectionItem,
        department: str,
        sector: str | None,
        district: str | None,
        inputs: dict[str, Any],
    ) -> DrawTask:
        """A new task with its inputs committed, recorded before any secret is revealed."""
        task = DrawTask(
            task_id=request.task_id,
            item_id=item.item_id,
            on=request.on,
            department=department,
            operator=request.operator,
            item=item.model_dump(mode="json"),
            filters={"sector": sector, "district": district},
        )
        task.commit_inputs(inputs, hashrank.inputs_digest(inputs))
        self.tasks.save(task)
        return task

    def _commit_only(
        self,
        request: DrawRequest,
        item: InspectionItem,
        department: str,
        sector: str | None,
        district: str | None,
        pool: Sequence[Inspector],
        inputs: dict[str, Any],
        secret: str,
    ) -> DrawTask:
        """Several parties: the inputs and every commitment recorded, then the ledger's secret
        revealed (the others' commitments are recorded already, so it can no longer help anyone
        choose theirs); the draw waits for the others' secrets (`reveal`)."""
        task = self._committed(request, item, department, sector, district, inputs)
        task.reveal(0, secret)
        self.tasks.save(task)
        return task

    def reveal(self, task_id: str, party: int, secret: str) -> DrawTask:
        """A party's secret (DR-08): checked against its commitment; the last one fixes the seed
        and draws. Revealing the same secret again is a repeat."""
        task = self.task(task_id)
        commits = (task.inputs or {}).get("commits", [])
        if not 0 <= party < len(commits):
            raise InvalidInputError("no such party", [Problem("party", f"0 … {len(commits) - 1}", "DR-08")])
        try:
            matches = hashrank.commit(secret) == commits[party]
        except ValueError:
            matches = False
        if not matches:
            raise InvalidInputError(
                "the secret is not the one committed",
                [Problem("secret", f"its SHA-256 is not commits[{party}]", "DR-08")],
            )
        if party in task.revealed:
            return task
        awaiting = [i for i in task.awaiting() if i != party]
        if not awaiting:
            assert task.inputs is not None
            try:
                drawn = hashrank.draw(task.inputs, [*task.secrets[:party], secret, *task.secrets[party:]])
            except hashrank.PoolTooSmall as exc:
                raise InvalidInputError(
                    "the inspectors' pool is too small", [Problem("inspectors", str(exc), "DR-06")]
                ) from None
        task.reveal(party, secret)
        if not awaiting:
            names = {p.id: p.name for p in self.data.inspectors(task.on)}
            task.fix_seed(drawn.seed)
            pool = (task.inputs or {}).get("inspectors", [])
            task.record_draw(drawn.as_json(), {i["id"]: names.get(i["id"], i["id"]) for i in pool})
            task.publish(self.today())
        self.tasks.save(task)
        return task

    def _pool(self, item: InspectionItem, request: DrawRequest) -> list[Inspector]:
        directory = {p.id: p for p in self.data.inspectors(request.on) if p.active}
        if request.inspectors is None:
            return sorted((p for p in directory.values() if p.department == item.inspecting_body), key=lambda p: p.id)
        missing = [i for i in request.inspectors if i not in directory]
        if missing:
            raise InvalidInputError(
                "unknown inspectors",
                [Problem("inspectors", f"not in the directory on {request.on}: {', '.join(missing)}", "DR-02")],
            )
        return sorted({i: directory[i] for i in request.inspectors}.values(), key=lambda p: p.id)

    def recuse(self, task_id: str, inspector: str, uscc: str, reason: str) -> dict[str, Any]:
        task = self.task(task_id)
        if task.seed is None or task.inputs is None:
            raise ConflictError(f"task {task_id} is not drawn yet", [Problem("task_id", "not drawn", "DR-07")])
        if any(r["inspector"] == inspector and r["uscc"] == uscc for r in task.redraws):
            return next(r for r in task.redraws if r["inspector"] == inspector and r["uscc"] == uscc)
        drawn = hashrank.verify(task.bundle())
        try:
            entry = hashrank.redraw(drawn, task.inputs, inspector, uscc)
        except hashrank.DrawInputError as exc:
            raise InvalidInputError("no such assignment", [Problem("inspector", str(exc), "DR-07")]) from None
        except hashrank.PoolTooSmall as exc:
            raise InvalidInputError("no inspector left", [Problem("inspector", str(exc), "DR-07")]) from None
        task.record_redraw(inspector, uscc, entry["replaced_by"], reason)
        self.tasks.save(task)
        return entry

    def publish(self, task_id: str) -> DrawTask:
        task = self.task(task_id)
        if task.seed is None:
            raise ConflictError(f"task {task_id} is not drawn yet", [Problem("task_id", "not drawn", "DR-05")])
        if task.published_on is None:
            task.publish(self.today())
            self.tasks.save(task)
        return task

    def task(self, task_id: str) -> DrawTask:
        task = self.tasks.get(task_id)
        if task is None:
            raise NotFoundError(f"no draw task {task_id}")
        return task

    def notice(self, task_id: str) -> dict[str, Any]:
        task = self.task(task_id)
        usccs = [s["uscc"] for s in task.selected]
        return task.notice(self.population.names(usccs, task.on), self.results(task))

    def results(self, task: DrawTask) -> dict[str, dict[str, Any]]:
        """Each selected enterprise's `inspection.concluded` of this task (kind double_random),
        with the date its publication is due: 20 working days after (DR-05; DR-06 Art 12)."""
        calendar = self.rules().calendar
        out: dict[str, dict[str, Any]] = {}
        for s in task.selected:
            for fact in self.tasks.history(s["uscc"]):
                data = fact.data
                if (
                    fact.type == "inspection.concluded"
                    and getattr(data, "task_id", None) == task.task_id
                    and getattr(data, "kind", None) == "double_random"
                ):
                    due = calendar.add_working_days(fact.effective_on, PUBLICATION_DAYS)
                    out[s["uscc"]] = {
                        "result": getattr(data, "result", None),
                        "concluded_on": fact.effective_on.isoformat(),
                        "publish_by": due.date.isoformat(),
                        "rule": "DR-05",
                    }
        return out

    def bundle(self, task_id: str) -> dict[str, Any]:
        task = self.task(task_id)
        if task.seed is None:
            raise ConflictError(f"task {task_id} is not drawn yet", [Problem("task_id", "not drawn", "DR-08")])
        return task.bundle()
