"""The read models this ledger runs, in one explicit list (no registration by import).

Adding one: a module with a `ReadModel` subclass, a migration with its tables and its row in
`projection_state`, and a line here (docs/architecture.md, "Adding a read model").
"""

from __future__ import annotations

from projections.department_activity import DepartmentActivity
from projections.public_items import PublicItems
from projections.readmodel import ReadModel
from projections.repair_cases import RepairCases
from projections.risk_classes import RiskClasses


def read_models() -> list[ReadModel]:
    return [PublicItems(), DepartmentActivity(), RiskClasses(), RepairCases()]
