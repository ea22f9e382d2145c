"""Profiles (the rates that shape the data) and the named scales."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """Rates that shape the data; `standard` aims at about 10 records per enterprise."""

    sector_shares: tuple[float, float, float] = (0.045, 0.012, 0.025)
    other_permit_share: float = 0.06
    penalty_ordinary: float = 0.07
    penalty_key: float = 0.24
    inspection_ordinary_per_year: float = 0.7
    inspection_key_per_year: float = 2.0
    abnormal_per_year: float = 0.1
    changes_mean: float = 1.8
    commitment_share: float = 0.3
    deregistration_share: float = 0.12
    serious_given_heavy: float = 0.35
    repair_share: float = 0.35
    correction_rate: float = 0.012
    retraction_rate: float = 0.004
    late_rate: float = 0.04
    window: int = 32


PROFILES = {
    "standard": Profile(),
    "demo": Profile(
        sector_shares=(0.36, 0.2, 0.24),
        other_permit_share=0.4,
        penalty_ordinary=0.35,
        penalty_key=0.55,
        inspection_ordinary_per_year=0.5,
        inspection_key_per_year=0.6,
        abnormal_per_year=0.06,
        changes_mean=1.0,
        commitment_share=0.35,
        deregistration_share=0.06,
        serious_given_heavy=0.6,
        repair_share=0.8,
        correction_rate=0.05,
        retraction_rate=0.01,
        late_rate=0.05,
        window=6,
    ),
}
SCALES: dict[str, tuple[int, str]] = {
    "small": (10_000, "standard"),
    "design": (1_000_000, "standard"),
    "demo": (50, "demo"),
}
