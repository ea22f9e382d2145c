from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from adapters.config import Settings
from api.bootstrap import worker_intake
from application.parallel_import import import_file_parallel
from domain.access import EVERY_TYPE, Author
from tests.builders import make_uscc, registered

AUTHOR = Author("TJ-LIC", "officer-1", EVERY_TYPE)


def test_a_worker_that_cannot_start_stops_the_import_with_its_reason_instead_of_hanging(tmp_path: Path) -> None:
    file = tmp_path / "records.jsonl"
    file.write_text(json.dumps(registered(make_uscc(77), department="TJ-LIC")) + "\n", encoding="utf-8")
    unreachable = Settings(DATABASE_URL="postgresql://postgres@127.0.0.1:1/nowhere")
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="import worker failed.*run it again"):
        import_file_parallel(worker_intake, unreachable, file, io.StringIO(), author=AUTHOR, workers=2, batch_size=10)
    assert time.monotonic() - started < 60
