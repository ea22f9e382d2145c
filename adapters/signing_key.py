"""The key that signs checkpoints: a file outside the database (docs/audit.md).

`CREDIT_LEDGER_SIGNING_KEY` names the file (which must exist); unset, the key is
`CREDIT_LEDGER_HOME/signing-key`, generated on first start. Whoever can write the database
cannot sign with it: that is what makes a checkpoint worth checking.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from adapters.config import Settings
from domain.signed_note import SignerKey

KEY_FILE = "signing-key"


def key_path(settings: Settings) -> Path:
    return settings.signing_key or settings.home / KEY_FILE


def load_signing_key(settings: Settings) -> tuple[SignerKey, bool]:
    """The signer key, and whether it was generated just now."""
    path = key_path(settings)
    if settings.signing_key is not None and not path.exists():
        raise FileNotFoundError(f"CREDIT_LEDGER_SIGNING_KEY names {path}, which does not exist")
    created = False
    if not path.exists():
        created = _create(path, SignerKey.generate(settings.log_origin))
    return SignerKey.parse(path.read_text(encoding="utf-8")), created


def _create(path: Path, key: SignerKey) -> bool:
    """Write the key readable by its owner only; False if another process wrote one first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(key.encode() + "\n")
        # A link fails if the name exists, so concurrent first starts (server workers) keep one key.
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(tmp)
