"""`credit-ledger risk …` as an operator runs it (issue 19): load a model, list models, a trial
run, an effective run and its repeat on the same inputs; the ledger still verifies afterwards
(the run's events are leaves of the audit log like every event)."""

from __future__ import annotations

import json

from adapters.config import Settings
from adapters.database import Server
from api.bootstrap import Runtime
from bench.generate import generate
from tests.e2e.conftest import run_cli
from tests.integration.test_projection_parity import submit_in_steps
from tests.unit.test_risk_scoring import MODEL_FILE


def last_json(stdout: str) -> dict[str, object]:
    return dict(json.loads(stdout.strip().splitlines()[-1]))


def test_the_risk_commands_load_a_model_run_a_trial_and_an_effective_run_and_the_ledger_still_verifies(
    clean_db: Server, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    runtime = Runtime.open(Settings(DATABASE_URL=clean_db.conninfo))
    try:
        submit_in_steps(runtime, [list(generate(30, 3, profile="demo"))])
    finally:
        runtime.close()
    body = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    body.update(version="tj-2027.1", effective_from="2027-01-01")
    model = tmp_path / "tj-2027.1.json"
    model.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    loaded = run_cli(clean_db, "risk", "model", "load", str(model))
    assert loaded.returncode == 0 and "loaded: tj-2027.1" in loaded.stdout, loaded.stderr
    again = run_cli(clean_db, "risk", "model", "load", str(model))
    assert again.returncode == 0 and "already loaded" in again.stdout
    body["cutoffs"]["D"] = 99
    model.write_text(json.dumps(body), encoding="utf-8")
    changed = run_cli(clean_db, "risk", "model", "load", str(model))
    assert changed.returncode == 2 and "other content" in changed.stderr
    listed = run_cli(clean_db, "risk", "model", "list")
    assert "tj-2021.1-provisional: from 2021-10-31 provisional" in listed.stdout and "tj-2027.1" in listed.stdout

    trial = run_cli(clean_db, "risk", "run", "--kind", "trial", "--on", "2026-01-01", "--workers", "2")
    assert trial.returncode == 0, trial.stderr
    report = last_json(trial.stdout)
    assert report["kind"] == "trial" and report["enterprises"] == sum(report["by_class"].values()) > 20  # type: ignore[attr-defined]
    first = last_json(run_cli(clean_db, "risk", "run", "--kind", "effective", "--on", "2026-01-01").stdout)
    second = last_json(run_cli(clean_db, "risk", "run", "--kind", "effective", "--on", "2026-01-01").stdout)
    assert first["recorded"] and not second["recorded"] and second["repeated"]
    assert first["input_digest"] == second["input_digest"] == report["input_digest"]
    assert first["by_class"] == report["by_class"]
    wrong = run_cli(clean_db, "risk", "run", "--kind", "effective", "--on", "2026-01-01", "--model", "tj-2027.1")
    assert wrong.returncode == 2 and "TIME-04" in wrong.stderr
    verified = run_cli(clean_db, "verify", "--database")
    assert verified.returncode == 0, verified.stdout + verified.stderr
