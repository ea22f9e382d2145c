"""Checkpoints as C2SP tlog-checkpoint notes, signed as C2SP signed-note says, with Ed25519.

A checkpoint's text is `<origin>\\n<tree size>\\n<base64 root>\\n`; the note adds a blank line
and one signature line per signer, `— <key name> <base64(key id ‖ signature)>`. Keys are written
as Go's `golang.org/x/mod/sumdb/note` writes them, so its tools (and any witness that speaks the
format) read ours:

    verifier key  <name>+<hex key id>+<base64(0x01 ‖ 32-byte public key)>
    signer key    PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 ‖ 32-byte seed)>
    key id        the first 4 bytes of SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from domain.errors import CheckpointRefusedError

ED25519 = b"\x01"
SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space, never "--"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


@dataclass(frozen=True)
class VerifierKey:
    name: str
    public_key: bytes

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.public_key)

    def encode(self) -> str:
        return f"{self.name}+{self.id.hex()}+{_b64(ED25519 + self.public_key)}"

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        try:
            name, hex_id, material = text.strip().split("+", 2)
            raw = _unb64(material)
            key = cls(name, raw[1:])
            ok = _valid_name(name) and raw[:1] == ED25519 and len(raw) == 33 and bytes.fromhex(hex_id) == key.id
        except (ValueError, binascii.Error):
            ok = False
        if not ok:
            raise CheckpointRefusedError(f"not an Ed25519 verifier key (name+id+base64): {text.strip()[:80]!r}")
        return key

    def verifies(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SignerKey:
    name: str
    seed: bytes

    @classmethod
    def generate(cls, name: str) -> SignerKey:
        if not _valid_name(name):
            raise ValueError(f"a key name has no spaces and no '+': {name!r}")
        return cls(name, Ed25519PrivateKey.generate().private_bytes_raw())

    @property
    def _private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def verifier(self) -> VerifierKey:
        return VerifierKey(self.name, self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))

    def encode(self) -> str:
        return f"PRIVATE+KEY+{self.name}+{self.verifier.id.hex()}+{_b64(ED25519 + self.seed)}"

    @classmethod
    def parse(cls, text: str) -> SignerKey:
        try:
            private, key_word, name, hex_id, material = text.strip().split("+", 4)
            raw = _unb64(material)
            key = cls(name, raw[1:])
            ok = (private, key_word) == ("PRIVATE", "KEY") and raw[:1] == ED25519 and len(raw) == 33
            ok = ok and bytes.fromhex(hex_id) == key.verifier.id
        except (ValueError, binascii.Error):
            ok = False
        if not ok:
            raise ValueError("not an Ed25519 signer key (PRIVATE+KEY+name+id+base64)")
        return key

    def sign(self, text: str) -> str:
        """The signed note of `text` (which ends with a newline)."""
        signature = self._private.sign(text.encode())
        return f"{text}\n{SIGNATURE_PREFIX}{self.name} {_b64(self.verifier.id + signature)}\n"


def open_note(note: str, key: VerifierKey) -> str:
    """The text of `note` if `key` signed it; refused otherwise (signatures of other keys are ignored)."""
    text, sep, signatures = note.rpartition("\n\n")
    if not sep or not note.endswith("\n"):
        raise CheckpointRefusedError("not a signed note: no blank line before the signatures")
    text += "\n"
    for line in signatures.splitlines():
        if not line.startswith(SIGNATURE_PREFIX):
            raise CheckpointRefusedError(f"not a signature line: {line[:80]!r}")
        name, _, blob = line[len(SIGNATURE_PREFIX) :].partition(" ")
        try:
            raw = _unb64(blob)
        except (ValueError, binascii.Error):
            raise CheckpointRefusedError(f"a signature of {name!r} is not base64") from None
        if name != key.name or raw[:4] != key.id:
            continue
        if not key.verifies(text.encode(), raw[4:]):
            raise CheckpointRefusedError(f"the signature of key {key.name}+{key.id.hex()} does not verify")
        return text
    raise CheckpointRefusedError(f"not signed by the trusted key {key.name}+{key.id.hex()}")


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{_b64(self.root)}\n"

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        try:
            origin, size, root = lines[0], lines[1], _unb64(lines[2])
            ok = bool(origin) and size.isdigit() and (size == "0" or not size.startswith("0")) and len(root) == 32
        except (IndexError, ValueError, binascii.Error):
            ok = False
        if not ok:
            raise CheckpointRefusedError("not a checkpoint: origin, tree size and base64 root on three lines")
        return cls(origin, int(size), root)


def sign_checkpoint(checkpoint: Checkpoint, signer: SignerKey) -> str:
    return signer.sign(checkpoint.text())


def open_checkpoint(note: str, key: VerifierKey, origin: str | None = None) -> Checkpoint:
    """The checkpoint of a note signed by `key` (and of `origin`, when given); refused otherwise."""
    checkpoint = Checkpoint.from_text(open_note(note, key))
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointRefusedError(f"a checkpoint of another log: {checkpoint.origin!r}, not {origin!r}")
    return checkpoint
