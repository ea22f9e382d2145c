"""USCCs: GB 11714 organisation codes, the GB 32100 check character and unique bodies per run."""

from __future__ import annotations

from stdnum.cn.uscc import calc_check_digit

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_GB11714_VALUE = {ch: (int(ch) if ch.isdigit() else ord(ch) - 55) for ch in _USCC_ALPHABET}


def organisation_code(body: str) -> str:
    """The 9-character organisation code for 8 body characters (GB 11714, rulebook ID-03)."""
    remainder = 11 - sum(_GB11714_VALUE[ch] * w for ch, w in zip(body, _GB11714_WEIGHTS, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(remainder, str(remainder))


def make_uscc(prefix: str, registrar: str, body: str) -> str:
    """USCC from the 2-character prefix, the 6-digit registrar code and an 8-character body."""
    code = prefix + registrar + organisation_code(body)
    return code + calc_check_digit(code)


def _base31(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 31)
        out.append(_USCC_ALPHABET[r])
    return "".join(reversed(out))


# Each scheme is an affine permutation of the enterprise index, so codes never repeat in a run.
_MOD_NUMERIC, _MOD_INDIVIDUAL, _MOD_NEW = 10**8, 10**7, 31**6
