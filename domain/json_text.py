"""JSON texts read one way only: RFC 8259 as restricted by I-JSON (RFC 7493).

Anything in front of the ledger (a gateway, a log, an auditor's tool) reads a body with its own
parser. Where parsers disagree, the record it logs is not the record stored: a duplicated member
name (`"uscc"` twice) is the first value for some parsers and the last for others; a UTF-16 body
is decoded by some and refused by others; `1e400`, `NaN` or a lone surrogate are read three ways.
So the ledger refuses every such text, naming what it found, and records nothing:

- INPUT-01: the text is UTF-8 (RFC 8259 §8.1, RFC 7493 §2.1) without a byte order mark; UTF-16
  and UTF-32 (with or without a mark) are named.
- INPUT-02: member names are unique in each object (RFC 7493 §2.3), compared after escapes
  are decoded (`"uscc"` and `"\\u0075scc"` are one name); each duplicate is named by its
  JSON Pointer (RFC 6901).
- INPUT-03: values every parser reads alike (RFC 7493 §2.1, §2.2): no surrogate or noncharacter
  code point, no number outside IEEE 754 binary64, no integer beyond ±(2**53 − 1), and none of
  Python's extensions (`NaN`, `Infinity`).

Pure: bytes in, a value or a `MalformedInputError` out.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from domain.errors import (
    INVALID_UTF8,
    DuplicateMemberError,
    JsonEncodingError,
    JsonValueError,
    MalformedInputError,
    Problem,
)

MAX_SAFE_INTEGER = 2**53 - 1  # RFC 7493 §2.2
_RFC_ENCODING = "JSON exchanged between systems is UTF-8 (RFC 8259 §8.1, RFC 7493 §2.1)"

_BOMS = (  # longest first: the UTF-32LE mark begins with the UTF-16LE one
    (b"\x00\x00\xfe\xff", "UTF-32BE"),
    (b"\xff\xfe\x00\x00", "UTF-32LE"),
    (b"\xef\xbb\xbf", "UTF-8 with a byte order mark"),
    (b"\xfe\xff", "UTF-16BE"),
    (b"\xff\xfe", "UTF-16LE"),
)
# Code points I-JSON forbids (surrogates, noncharacters), raw or as \\u escapes in the text.
_FORBIDDEN = re.compile(
    "[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(1, 17))
    + "]"
)
_FORBIDDEN_ESCAPE = re.compile(r"\\u(?:[dD][89a-fA-F]|[fF][dD][dDeE]|[fF]{3}[eEfF])")


def encoding_of(body: bytes) -> str | None:
    """The encoding `body` is in when it is not plain UTF-8 (by its byte order mark, or by the
    pattern of NUL bytes of RFC 4627 §3), else None (it may still be invalid UTF-8)."""
    for mark, name in _BOMS:
        if body.startswith(mark):
            return name
    head = body[:4]
    if len(head) == 4:
        nul = tuple(b == 0 for b in head)
        if nul == (True, True, True, False):
            return "UTF-32BE"
        if nul == (False, True, True, True):
            return "UTF-32LE"
        if nul[0] and nul[2] and not nul[1]:
            return "UTF-16BE"
        if nul[1] and nul[3] and not nul[0]:
            return "UTF-16LE"
    elif len(head) >= 2 and head[0] != 0 and head[1] == 0:
        return "UTF-16LE"
    elif len(head) >= 2 and head[0] == 0 and head[1] != 0:
        return "UTF-16BE"
    return None


def decode(body: bytes, *, allow_bom: bool = False) -> str:
    """The text of a UTF-8 body; `JsonEncodingError` naming the encoding otherwise."""
    if allow_bom and body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    found = encoding_of(body)
    if found is not None:
        raise JsonEncodingError(found, f"the body is {found}; {_RFC_ENCODING}")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = body[exc.start]
        raise JsonEncodingError(
            INVALID_UTF8,
            f"not UTF-8 (byte {exc.start + 1} is 0x{byte:02X}; GB 18030, GBK and other encodings are refused: "
            f"{_RFC_ENCODING})",
        ) from None


def loads(body: bytes, *, allow_bom: bool = False) -> Any:
    """Parse one JSON text under RFC 8259 and I-JSON; `MalformedInputError` names what is wrong."""
    text = decode(body, allow_bom=allow_bom)
    try:
        value = json.loads(
            text,
            object_pairs_hook=_object,
            parse_constant=_constant,
            parse_float=_float,
            parse_int=_int,
        )
    except _Duplicated:
        raise _duplicates_error(text) from None
    except json.JSONDecodeError as exc:
        raise MalformedInputError(
            "the body is not JSON", [Problem("body", f"malformed JSON: {exc.msg} (line {exc.lineno})")]
        ) from None
    except RecursionError:
        raise MalformedInputError(
            "the body is not JSON", [Problem("body", "malformed JSON: nested too deeply")]
        ) from None
    except ValueError as exc:  # Python's own limit on the digits of an integer
        raise JsonValueError("body", f"a number every JSON parser reads alike: {exc}") from None
    if _FORBIDDEN.search(text) or _FORBIDDEN_ESCAPE.search(text):
        for pointer, string in _strings(value, ""):
            found = _FORBIDDEN.search(string)
            if found:
                raise JsonValueError(
                    pointer or "/",
                    f"U+{ord(found.group()):04X} is a surrogate or a noncharacter, which parsers read "
                    "differently (RFC 7493 §2.1)",
                )
    return value


class _Duplicated(Exception):
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        raise _Duplicated()
    return value


class _Pairs(list[tuple[str, Any]]):
    """An object as its members in order (duplicates kept), to find where they are."""


def _duplicates_error(text: str) -> DuplicateMemberError:
    tree = json.loads(text, object_pairs_hook=_Pairs)
    problems = []
    for pointer, pairs in _objects(tree, ""):
        counts: dict[str, int] = {}
        for name, _ in pairs:
            counts[name] = counts.get(name, 0) + 1
        for name, count in counts.items():
            if count > 1:
                problems.append(
                    Problem(
                        f"{pointer}/{_escape(name)}",
                        f'the member "{name}" appears {count} times in the object at {pointer or "/"}: '
                        "parsers that keep the first value and parsers that keep the last read different "
                        "records (RFC 8259 §4, RFC 7493 §2.3)",
                        "INPUT-02",
                    )
                )
    names = ", ".join(p.field for p in problems)
    return DuplicateMemberError(f"duplicated member names: {names}", problems)


def _objects(value: Any, pointer: str) -> Iterator[tuple[str, _Pairs]]:
    if isinstance(value, _Pairs):
        yield pointer, value
        for name, member in value:
            yield from _objects(member, f"{pointer}/{_escape(name)}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _objects(item, f"{pointer}/{index}")


def _strings(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, dict):
        for name, member in value.items():
            yield f"{pointer}/{_escape(name)}", name
            yield from _strings(member, f"{pointer}/{_escape(name)}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{pointer}/{index}")


def _escape(name: str) -> str:
    """A member name as a JSON Pointer reference token (RFC 6901 §4)."""
    return name.replace("~", "~0").replace("/", "~1")


def _constant(name: str) -> Any:
    raise JsonValueError("body", f"{name} is not JSON (RFC 8259 §6)")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise JsonValueError("body", f"the number {text[:40]} is beyond IEEE 754 binary64 (RFC 7493 §2.2)")
    return value


def _int(text: str) -> int:
    value = int(text)
    if abs(value) > MAX_SAFE_INTEGER:
        raise JsonValueError(
            "body",
            f"the integer {text[:40]} is beyond ±(2**53 − 1), which many parsers round (RFC 7493 §2.2)",
        )
    return value
