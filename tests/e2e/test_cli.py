from __future__ import annotations

import json
from pathlib import Path

from adapters.database import Server
from tests.builders import make_uscc, record, registered
from tests.e2e.conftest import run_cli

DEPARTMENT = "TJ-D120116"  # the district bureau the files are imported as (--department)


def _inspection(uscc: str, n: int) -> dict:
    data = {"task_id": f"T-{n}", "item": "食品生产日常检查", "kind": "key_supervision", "result": "compliant"}
    return record("inspection.concluded", uscc, "2024-05-10", data, department=DEPARTMENT, record_id=f"INS-{n}")


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _count(server: Server) -> int:
    with server.connect() as conn:
        return int(conn.execute("SELECT count(*) FROM record_log").fetchone()[0])


def test_importing_a_file_with_three_bad_lines_records_the_rest_and_reports_them(
    clean_db: Server, tmp_path: Path
) -> None:
    uscc = make_uscc(31)
    good = [json.dumps(registered(uscc, department=DEPARTMENT), ensure_ascii=False)] + [
        json.dumps(_inspection(uscc, n), ensure_ascii=False) for n in range(999)
    ]
    bad = [
        '{"type": "inspection.concluded", truncated',
        json.dumps({**_inspection(uscc, 5000), "uscc": "91120116MA05JK122H"}),
        "[]",
    ]
    lines = good[:400] + [bad[0]] + good[400:700] + [bad[1]] + good[700:] + [bad[2]]
    file = _write(tmp_path / "records.jsonl", lines)

    result = run_cli(clean_db, "import", str(file), "--department", DEPARTMENT)
    assert result.returncode == 0, result.stderr
    assert "recorded=1000 duplicate=0 rejected=3" in result.stdout
    assert _count(clean_db) == 1000

    report = [json.loads(line) for line in (tmp_path / "records.jsonl.report.jsonl").read_text().splitlines()]
    assert [r["line"] for r in report] == [401, 702, 1003]
    assert "malformed JSON" in report[0]["errors"][0]["reason"]
    assert report[1]["errors"][0]["field"] == "uscc" and report[1]["errors"][0]["rule"] == "ID-02"
    assert report[2]["errors"][0]["field"] == "record"


def test_importing_the_same_file_twice_records_each_record_once(clean_db: Server, tmp_path: Path) -> None:
    uscc = make_uscc(32)
    lines = [json.dumps(registered(uscc, department=DEPARTMENT))] + [
        json.dumps(_inspection(uscc, n)) for n in range(50)
    ]
    file = _write(tmp_path / "twice.jsonl", lines)
    first = run_cli(clean_db, "import", str(file), "--department", DEPARTMENT)
    second = run_cli(clean_db, "import", str(file), "--department", DEPARTMENT)
    assert "recorded=51 duplicate=0 rejected=0" in first.stdout
    assert "recorded=0 duplicate=51 rejected=0" in second.stdout
    assert _count(clean_db) == 51


def test_the_demo_loads_and_is_safe_to_load_again(clean_db: Server) -> None:
    first = run_cli(clean_db, "demo")
    assert first.returncode == 0, first.stderr
    recorded = int(first.stdout.split("recorded=")[1].split()[0])
    assert recorded >= 200
    assert "rejected=0" in first.stdout
    again = run_cli(clean_db, "demo")
    assert f"recorded=0 duplicate={recorded} rejected=0" in again.stdout
    # the risk classification of its enterprises (issue 19): a trial, then the yearly run, once
    assert "risk trial run on 2026-01-01" in first.stdout and "reported" in first.stdout
    assert "risk effective run on 2026-01-01" in first.stdout and ", recorded;" in first.stdout
    assert "risk effective run on 2026-01-01" in again.stdout and ", repeated;" in again.stdout
    # random draws and key-supervision plans (issue 20): the same draws again, not new ones
    draws = [line for line in first.stdout.splitlines() if line.startswith("draw TJ-SJ-2026-")]
    assert len(draws) == 2 and all(" 0 selected" not in line for line in draws), first.stdout
    assert [line for line in again.stdout.splitlines() if line.startswith("draw TJ-SJ-2026-")] == draws
    assert "key-supervision plan TJ-ZD-2026-SFOOD:" in first.stdout
    # joint punishment (issue 23): subscriptions, a typical case and a department's feedback, once
    assert "typical case 津市监典型〔2025〕1号 recorded" in first.stdout
    assert "typical case 津市监典型〔2025〕1号 duplicate" in again.stdout
    assert "feedback sdl-22-procurement: recorded" in first.stdout
    assert "feedback sdl-22-procurement: duplicate" in again.stdout


def test_a_missing_file_is_a_clear_error(clean_db: Server, tmp_path: Path) -> None:
    result = run_cli(clean_db, "import", str(tmp_path / "absent.jsonl"), "--department", DEPARTMENT)
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_a_bom_a_gbk_line_and_deep_nesting_are_reported_not_fatal(clean_db: Server, tmp_path: Path) -> None:
    uscc = make_uscc(33)
    reg = json.dumps(registered(uscc, department=DEPARTMENT), ensure_ascii=False).encode("utf-8")
    gbk = json.dumps(_inspection(uscc, 1), ensure_ascii=False).encode("gbk")
    deep = b"[" * 100_000 + b"]" * 100_000
    good = json.dumps(_inspection(uscc, 2), ensure_ascii=False).encode("utf-8")
    file = tmp_path / "mixed.jsonl"
    file.write_bytes(b"\xef\xbb\xbf" + reg + b"\n" + gbk + b"\n" + deep + b"\n" + good + b"\n")

    result = run_cli(clean_db, "import", str(file), "--department", DEPARTMENT)
    assert result.returncode == 0, result.stderr
    assert "recorded=2 duplicate=0 rejected=2" in result.stdout
    report = [json.loads(line) for line in (tmp_path / "mixed.jsonl.report.jsonl").read_text().splitlines()]
    assert [(r["line"], r["errors"][0]["reason"].split(" (")[0]) for r in report] == [
        (2, "not UTF-8"),
        (3, "malformed JSON: nested too deeply"),
    ]


def test_importing_with_two_workers_keeps_each_enterprises_records_in_file_order(
    clean_db: Server, tmp_path: Path
) -> None:
    usccs = [make_uscc(40 + k) for k in range(12)]
    lines: list[str] = []
    for n in range(40):  # interleaved: every enterprise's registration, then their inspections
        for k, uscc in enumerate(usccs):
            rec = registered(uscc, department=DEPARTMENT) if n == 0 else _inspection(uscc, 1000 * k + n)
            lines.append(json.dumps(rec, ensure_ascii=False))
    lines.insert(100, '{"type": "inspection.concluded", truncated')
    lines.append(json.dumps({**_inspection(usccs[0], 99_999), "uscc": "91120116MA05JK122H"}))
    file = _write(tmp_path / "parallel.jsonl", lines)

    first = run_cli(clean_db, "import", str(file), "--department", DEPARTMENT, "--workers", "2", "--batch", "50")
    again = run_cli(clean_db, "import", str(file), "--department", DEPARTMENT, "--workers", "2", "--batch", "50")

    assert first.returncode == 0, first.stderr
    assert "recorded=480 duplicate=0 rejected=2" in first.stdout
    assert "recorded=0 duplicate=480 rejected=2" in again.stdout
    report = [json.loads(line) for line in (tmp_path / "parallel.jsonl.report.jsonl").read_text().splitlines()]
    assert sorted(r["line"] for r in report) == [101, 482]
    with clean_db.connect() as conn:
        rows = conn.execute("SELECT uscc, record_id FROM record_log ORDER BY uscc, originator_version").fetchall()
    for uscc in usccs:  # the registration first (LEDGER-03 would refuse anything before it), then file order
        ids = [record_id for u, record_id in rows if u == uscc]
        expected = [json.loads(line)["source"]["record_id"] for line in lines if f'"{uscc}"' in line]
        assert ids == [i for i in expected if i != "INS-99999"]


def test_an_import_reports_duplicated_members_and_utf16_lines_as_bad_lines(clean_db: Server, tmp_path: Path) -> None:
    uscc = make_uscc(34)
    reg = json.dumps(registered(uscc, department=DEPARTMENT), ensure_ascii=False)
    twice = json.dumps(_inspection(uscc, 1), ensure_ascii=False).replace(
        '"source": {', '"source": {"record_id": "INS-OTHER", ', 1
    )
    utf16 = json.dumps(_inspection(uscc, 2), ensure_ascii=False).encode("utf-16-le")
    good = json.dumps(_inspection(uscc, 3), ensure_ascii=False)
    file = tmp_path / "hostile.jsonl"
    file.write_bytes(b"\n".join([reg.encode(), twice.encode(), utf16, good.encode()]) + b"\n")

    result = run_cli(clean_db, "import", str(file), "--department", DEPARTMENT)
    assert result.returncode == 0, result.stderr
    assert "recorded=2 duplicate=0 rejected=2" in result.stdout
    report = [json.loads(line) for line in (tmp_path / "hostile.jsonl.report.jsonl").read_text().splitlines()]
    assert [(r["line"], r["errors"][0]["field"], r["errors"][0]["rule"]) for r in report] == [
        (2, "/source/record_id", "INPUT-02"),
        (3, "line", "INPUT-01"),
    ]
    assert "UTF-16LE" in report[1]["errors"][0]["reason"]
    assert _count(clean_db) == 2
