"""`credit-ledger calendar …` and `credit-ledger reference …`: reference data an administrator loads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli_common import console, migrated_server

calendar_app = typer.Typer(help="Official holiday schedules (rulebook TIME-01).", no_args_is_help=True)
reference_app = typer.Typer(help="Reference values the rulebook marks UNCONFIRMED.", no_args_is_help=True)


@calendar_app.command("load")
def calendar_load(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="JSON: year, holidays, make_up_working_days, source")
    ],
) -> None:
    """Load a year's official schedule; later answers for that year are firm, not provisional.

    Restart running servers to apply it there."""
    import json
    from datetime import date

    from adapters import reference_store as reference
    from domain.calendar import YearSchedule

    try:
        body = json.loads(file.read_text(encoding="utf-8"))
        schedule = YearSchedule(
            int(body["year"]),
            frozenset(date.fromisoformat(d) for d in body["holidays"]),
            frozenset(date.fromisoformat(d) for d in body["make_up_working_days"]),
        )
        source = str(body["source"])
    except (ValueError, KeyError, TypeError) as exc:
        console.print(
            f"[red]{file}: {type(exc).__name__}: {exc}[/] (expected year, holidays, make_up_working_days, source)"
        )
        raise typer.Exit(2) from None
    server = migrated_server()
    reference.save_schedule(server, schedule, source)
    typer.echo(
        f"loaded {schedule.year}: {len(schedule.holidays)} holidays, {len(schedule.make_up_working_days)} make-up working days"
    )


@reference_app.command("set")
def reference_set(
    name: Annotated[str, typer.Argument(help="e.g. lower_fine_threshold_organisation, individual_business_threshold")],
    value: Annotated[
        str,
        typer.Argument(
            help="an amount in yuan, 'none', a period such as '3 WD', or a choice (natural_person, organisation)"
        ),
    ],
    effective_from: Annotated[str, typer.Option("--from", help="YYYY-MM-DD: applies to facts from this date")],
    source: Annotated[str, typer.Option(help="the document that sets the value")],
) -> None:
    """Set a reference value from a date on (the earlier value keeps applying before it)."""
    from datetime import date

    from adapters import reference_store as reference

    try:
        day = date.fromisoformat(effective_from)
        reference.parse_value(name, value)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    server = migrated_server()
    reference.save_value(server, name, day, value, source)
    typer.echo(f"{name} = {value} from {day}")


@reference_app.command("list")
def reference_list() -> None:
    """The reference values in force, with their dated versions."""
    from adapters import reference_store as reference

    server = migrated_server()
    context = reference.load(server)
    for name in sorted(reference.configurable_names()):
        versions = getattr(context.reference, name).versions
        shown = "; ".join(
            f"{'always' if d.year == 1 else 'from ' + d.isoformat()}: {'unset' if v is None else v}"
            for d, v in versions
        )
        typer.echo(f"{name}: {shown}")
