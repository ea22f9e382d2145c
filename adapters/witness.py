"""A witness's memory: the trusted key and the last checkpoint it accepted, in a file of its own
(docs/audit.md, "Witness mode"). A checkpoint that does not extend it is refused."""

from __future__ import annotations

import base64
import json
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.audit import accept_checkpoint
from domain.errors import CheckpointRefusedError
from domain.signed_note import Checkpoint, VerifierKey, open_checkpoint


@dataclass(frozen=True)
class WitnessState:
    key: VerifierKey
    note: str | None

    @property
    def checkpoint(self) -> Checkpoint | None:
        return open_checkpoint(self.note, self.key) if self.note else None


def load_state(path: Path, key: VerifierKey | None) -> WitnessState:
    """The state in `path`; a new one with `key` if there is none yet (a witness must be told
    which key to trust the first time; after that, the file remembers it)."""
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        state = WitnessState(VerifierKey.parse(data["key"]), data.get("note"))
        if key is not None and key != state.key:
            raise CheckpointRefusedError(f"{path} trusts key {state.key.encode()}, not {key.encode()}")
        state.checkpoint  # noqa: B018 (a state file edited by hand is refused here)
        return state
    if key is None:
        raise CheckpointRefusedError(f"no witness state in {path} yet: give the key to trust (--key)")
    return WitnessState(key, None)


def save_state(path: Path, key: VerifierKey, note: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"key": key.encode(), "note": note}, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)  # atomic: a witness stopped midway keeps its previous state


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (the operator's URL)
        return json.loads(response.read())


def witness_server(base_url: str, state: WitnessState) -> tuple[Checkpoint, str]:
    """Fetch the server's latest checkpoint and the proof that it extends the witnessed one;
    the new checkpoint and its note if it does."""
    base = base_url.rstrip("/")
    note = _get(f"{base}/v1/audit/checkpoints/latest")["note"]
    previous = state.checkpoint
    proof: list[bytes] = []
    if previous is not None and previous.size:
        size = open_checkpoint(note, state.key).size
        if size > previous.size:
            query = urllib.parse.urlencode({"from": previous.size, "to": size})
            proof = [base64.b64decode(h) for h in _get(f"{base}/v1/audit/consistency?{query}")["proof"]]
    return accept_checkpoint(previous, note, state.key, proof), note
