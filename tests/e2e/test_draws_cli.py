"""`credit-ledger inspectors|items load`, `draw run`, `draw bundle` and `verify-draw` as an
operator runs them (issue 20, docs/draws.md): a whole draw with the command line as the only
party, its bundle re-run offline, and a bundle with one selected USCC swapped refused by name."""

from __future__ import annotations

import json
from pathlib import Path

from adapters.config import Settings
from adapters.database import Server
from api.bootstrap import Runtime
from bench.generate import generate
from tests.e2e.conftest import run_cli
from tests.integration.test_projection_parity import submit_in_steps

ITEMS = [
    {
        "item_id": "TJ-SJ-ALL-01",
        "name": "企业公示信息抽查",
        "legal_basis": "《企业信息公示暂行条例》第十四条",
        "inspecting_body": "TJ-CREDIT",
        "object": {},
        "ratios": {"A": 0.1, "B": 0.2, "C": 0.5, "D": 1},
        "per_enterprise": 2,
        "effective_from": "2026-01-01",
    }
]
INSPECTORS = [
    {"id": f"TJ-CREDIT-{i:02d}", "name": f"检查员{i}", "department": "TJ-CREDIT", "capacity": 8, "recusals": []}
    for i in range(1, 9)
]


def test_a_whole_draw_from_the_command_line_re_runs_offline_and_a_swapped_uscc_is_named(
    clean_db: Server, tmp_path: Path
) -> None:
    runtime = Runtime.open(Settings(DATABASE_URL=clean_db.conninfo))
    try:
        submit_in_steps(runtime, [list(generate(30, 3, profile="demo"))])
    finally:
        runtime.close()
    assert run_cli(clean_db, "risk", "run", "--kind", "effective", "--on", "2026-01-01").returncode == 0
    items, inspectors = tmp_path / "items.json", tmp_path / "inspectors.json"
    items.write_text(json.dumps(ITEMS, ensure_ascii=False), encoding="utf-8")
    inspectors.write_text(json.dumps(INSPECTORS, ensure_ascii=False), encoding="utf-8")
    loaded = run_cli(clean_db, "items", "load", str(items))
    assert loaded.returncode == 0 and "loaded: TJ-SJ-ALL-01" in loaded.stdout, loaded.stderr
    assert "already loaded" in run_cli(clean_db, "items", "load", str(items)).stdout
    assert run_cli(clean_db, "inspectors", "load", str(inspectors)).returncode == 0
    bundle = tmp_path / "bundle.json"
    drawn = run_cli(
        clean_db,
        "draw",
        "run",
        "--item",
        "TJ-SJ-ALL-01",
        "--on",
        "2026-03-02",
        "--task",
        "TJ-DR-CLI-1",
        "--bundle",
        str(bundle),
    )
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout.strip().splitlines()[-1] == "TJ-DR-CLI-1"
    ok = run_cli(clean_db, "verify-draw", str(bundle))
    assert ok.returncode == 0 and ok.stdout.startswith("OK TJ-DR-CLI-1"), ok.stderr
    body = json.loads(bundle.read_text(encoding="utf-8"))
    assert body["selected"] and body["inputs"]["parties"][0].startswith("credit-ledger (the only party")
    others = [
        u for s in body["inputs"]["strata"] for u in s["members"] if u not in {x["uscc"] for x in body["selected"]}
    ]
    body["selected"][0]["uscc"] = others[0]
    bundle.write_text(json.dumps(body), encoding="utf-8")
    bad = run_cli(clean_db, "verify-draw", str(bundle))
    assert bad.returncode == 1 and "selected[0].uscc" in bad.stderr
    verified = run_cli(clean_db, "verify", "--database")
    assert verified.returncode == 0, verified.stdout + verified.stderr  # a task's events are audit leaves too
    rebuilt = run_cli(clean_db, "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr  # a task's events are skipped by read models
