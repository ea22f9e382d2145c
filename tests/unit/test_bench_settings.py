"""The benchmark command says when a design run's PostgreSQL is not set up like the recorded one."""

from __future__ import annotations

from bench.run import DESIGN_SETTINGS, settings_warning


def test_a_design_run_on_default_settings_is_told_which_differ() -> None:
    server = {**DESIGN_SETTINGS, "server_version": "18.6", "shared_buffers": "128MB", "max_wal_size": "1GB"}
    warning = settings_warning("design", server)
    assert warning is not None
    assert "shared_buffers 128MB (not 4GB)" in warning and "max_wal_size 1GB (not 16GB)" in warning
    assert "work_mem" not in warning


def test_a_design_run_on_the_recorded_settings_and_any_small_run_pass_silently() -> None:
    assert settings_warning("design", {**DESIGN_SETTINGS, "server_version": "18.6"}) is None
    assert settings_warning("small", {"shared_buffers": "128MB"}) is None
