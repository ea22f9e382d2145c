"""Identifiers and reference codes (rulebook §2)."""

from __future__ import annotations

from functools import lru_cache

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

from domain.errors import InvalidUSCCError

# ID-10: current Tianjin district codes (GB/T 2260). 120000/120100 are the municipal levels.
TIANJIN_DISTRICTS: dict[str, str] = {
    "120101": "和平区",
    "120102": "河东区",
    "120103": "河西区",
    "120104": "南开区",
    "120105": "河北区",
    "120106": "红桥区",
    "120110": "东丽区",
    "120111": "西青区",
    "120112": "津南区",
    "120113": "北辰区",
    "120114": "武清区",
    "120115": "宝坻区",
    "120116": "滨海新区",
    "120117": "宁河区",
    "120118": "静海区",
    "120119": "蓟州区",
}


@lru_cache(maxsize=65_536)  # records arrive in runs about the same enterprises
def normalise_uscc(value: str) -> str:
    """Return the upper-cased USCC, or raise with the reason (ID-01, ID-02, ID-04).

    The check character (ID-02) is a hard rule; the organisation-code check of
    positions 9-17 (ID-03) is only a warning, see `uscc_warnings`.
    """
    code = value.strip().upper()
    if len(code) != 18:
        raise InvalidUSCCError(f"must have 18 characters, has {len(code)} (ID-01)")
    try:
        stdnum_uscc.validate(code)
    except StdnumValidationError as exc:
        reason = {
            "InvalidChecksum": "check character does not match",
            "InvalidFormat": "characters 1-8 must be digits and the rest from the USCC alphabet",
        }.get(type(exc).__name__, str(exc))
        raise InvalidUSCCError(f"{reason} (ID-02, GB 32100-2015)") from exc
    return code


def uscc_warnings(code: str) -> list[str]:
    """Soft checks that do not refuse a record (ID-03, ID-04)."""
    organisation_code = code[8:17]
    if not _organisation_code_is_valid(organisation_code):
        return [f"organisation code {organisation_code} fails the GB 11714 check (ID-03)"]
    return []


_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _organisation_code_is_valid(code: str) -> bool:
    def value(ch: str) -> int:
        return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10

    try:
        total = sum(value(ch) * w for ch, w in zip(code[:8], _GB11714_WEIGHTS, strict=True))
    except ValueError:
        return False
    remainder = 11 - total % 11
    expected = {10: "X", 11: "0"}.get(remainder, str(remainder))
    return code[8] == expected
