from pathlib import Path

from domain.records import DATA_MODELS
from domain.vocabulary_doc import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "records.md"


def test_docs_records_md_is_generated_from_the_models_and_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "run: python -m domain.vocabulary_doc > docs/records.md"


def test_every_record_type_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert all(f"## `{name}`" in text for name in DATA_MODELS)
