"""Renders docs/records.md from the pydantic models, so the document cannot drift from them.

Regenerate with `python -m domain.vocabulary_doc > docs/records.md`; a test compares.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from domain.records import DATA_MODELS, Source

HEADER = """# Record vocabulary

Every record is one JSON object (one per line in bulk files, the same object over HTTP):

```json
{"type": "penalty.decided", "uscc": "91120116MA05JK122G", "effective_on": "2024-03-01",
 "source": {"department": "TJ-ENF", "record_id": "津市监罚〔2024〕123号", "operator": "officer-17"},
 "data": {"decision_no": "津市监罚〔2024〕123号", "procedure": "ordinary", "penalty_kinds": ["fine"],
          "fine_yuan": "20000.00", "violation": "…", "legal_basis": "…"}}
```

- `uscc`: 18 characters, GB 32100-2015 check character (rulebook ID-01, ID-02); lower case is accepted and stored upper case.
- `effective_on`: the legal date of the act (China Standard Time); a date in the future is refused (LEDGER-01).
- `source`: `(department, record_id)` is the idempotency key: the same record again is a `duplicate`, a different record under a used key is `rejected` (LEDGER-08). `operator` is not part of what makes two records the same. Over HTTP and in `import`, `department` and `operator` may be left out: the token's (or `--department`'s) department and operator fill them in, whatever the record says of the operator (`docs/access.md`).
- Amounts are decimal strings with at most 2 decimals. Unknown fields are refused.
- Fields marked **personal** are recorded but never shown in a public view (rulebook PEN-03, KEY-07).
- The ledger adds the recorded time (UTC, from the database clock, in log order) to every record.

The same schemas are in the OpenAPI document (`/docs`, components `Record` and one per `data` schema).
This file is generated from `domain/records.py` by `python -m domain.vocabulary_doc`.
"""


def _type_of(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return _type_of(defs[name], defs) if "enum" in defs.get(name, {}) else name
    if "anyOf" in prop:
        kinds = [p for p in prop["anyOf"] if p.get("type") != "null"]
        if {p.get("type") for p in kinds} == {"number", "string"}:
            return "decimal (string)"
        return " or ".join(_type_of(p, defs) for p in kinds)
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    if prop.get("type") == "array":
        return f"list of {_type_of(prop.get('items', {}), defs)}"
    if prop.get("format") in ("date", "date-time"):
        return str(prop["format"])
    return str(prop.get("type", "object"))


def _table(model: type[Any]) -> list[str]:
    schema = TypeAdapter(model).json_schema(ref_template="{model}")
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    rows = ["| field | type | required | notes |", "| --- | --- | --- | --- |"]
    for name, prop in schema.get("properties", {}).items():
        notes = [prop.get("description", "")]
        if prop.get("x-personal"):
            notes.insert(0, "**personal**")
        kind = _type_of(prop, defs)
        rows.append(
            f"| `{name}` | {kind} | {'yes' if name in required else 'no'} | {' '.join(n for n in notes if n)} |"
        )
    if len(rows) == 2:
        rows.append("| (none) | | | |")
    return rows


def render() -> str:
    lines = [HEADER, "## source", "", *_table(Source), ""]
    for type_name, model in DATA_MODELS.items():
        lines += [f"## `{type_name}`", ""]
        lines += [*_table(model), ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
