"""Typical dishonesty cases (失信典型案例; issue 23): shown only while what they link to is public.

Seed 七(十二): "适时发布失信典型案例，加大对违法失信行为的曝光力度"; 八(十四): the enforcement corps
(执法总队) publishes them. A `case.published` record links a case to penalties and listings of the
enterprise; the case is shown on the public view and the exposure board over the union of the
public spans of what it links to (GSXT-06: shown only while the records behind it are public), so
it drops off when their publicity ends (expiry, repair, annulment) and is back for dates before.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.context import RuleContext
from domain.history import AnyFact
from domain.records import CasePublished
from domain.rules.abnormal import abnormal_list
from domain.rules.common import Interval, facts_of, merge
from domain.rules.penalty import publicity
from domain.rules.serious import serious_list

TYPICAL_CASE = "typical_case"
LINKED_KINDS = {"penalty": "penalty_publicity", "serious": "serious_list", "abnormal": "abnormal_list"}


def typical_cases(facts: Sequence[AnyFact], ctx: RuleContext) -> list[Interval]:
    cases = facts_of(facts, CasePublished)
    if not cases:
        return []
    public = [*publicity(facts, ctx), *serious_list(facts, ctx), *abnormal_list(facts, ctx)]
    out = []
    for case in cases:
        wanted = {(LINKED_KINDS[link.kind], link.ref) for link in case.data.links}
        linked = [i for i in public if (i.kind, i.subject) in wanted]
        spans = merge(
            (max(i.start, case.effective_on), i.end) for i in linked if i.end is None or i.end > case.effective_on
        )
        records = (case.key, *dict.fromkeys(k for i in linked for k in i.records))
        for start, end in spans:
            out.append(Interval(TYPICAL_CASE, case.data.case_id, start, end, ("GSXT-06",), records))
    return out
