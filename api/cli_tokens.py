"""`credit-ledger tokens …` (issue 6, docs/access.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from api.cli_common import console, migrated_server

if TYPE_CHECKING:
    from adapters.database import Server
    from adapters.tokens import TokenStore

tokens_app = typer.Typer(help="API tokens: one department and one role each (docs/access.md).", no_args_is_help=True)


@tokens_app.command("create")
def tokens_create(
    department: Annotated[str, typer.Option(help="the department the token acts for, e.g. TJ-ENF")],
    role: Annotated[str, typer.Option(help="officer, reviewer, auditor or admin")],
    label: Annotated[str | None, typer.Option(help="who holds it; becomes source.operator of its records")] = None,
) -> None:
    """Create a token and print its secret — the only time it is shown (only its hash is kept)."""
    from domain.access import Role

    if role not in Role.__members__:
        console.print(f"role {role!r}: choose officer, reviewer, auditor or admin", markup=False)
        raise typer.Exit(2)
    try:
        info, secret = token_store(migrated_server()).create(department, role, label)
    except ValueError as exc:
        console.print(str(exc), markup=False)
        raise typer.Exit(2) from None
    console.print(
        f"created token {info.id}: {info.role.value} of {info.department}; the secret is shown only now:",
        markup=False,
        soft_wrap=True,
    )
    typer.echo(secret)


@tokens_app.command("list")
def tokens_list(
    all_: Annotated[bool, typer.Option("--all", help="include revoked tokens")] = False,
) -> None:
    """The tokens (never their secrets): id, department, role, label, created, revoked."""
    tokens = token_store(migrated_server()).all_tokens(include_revoked=all_)
    for t in tokens:
        revoked = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
        typer.echo(
            f"{t.id}  {t.department:<12} {t.role.value:<9} {t.label or '-':<30} {t.created_at:%Y-%m-%d %H:%M}  {revoked}"
        )
    if not tokens:
        console.print("no tokens", markup=False)


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[str, typer.Argument(help="the id shown by `tokens list`")]) -> None:
    """Revoke a token at once; requests with it get 401 from then on."""
    info = token_store(migrated_server()).revoke(token_id)
    if info is None:
        console.print(f"no token with id {token_id!r}", markup=False)
        raise typer.Exit(1)
    typer.echo(f"revoked {info.id} ({info.role.value} of {info.department})")


def token_store(server: Server) -> TokenStore:
    from psycopg.rows import dict_row

    from adapters.tokens import TokenStore

    return TokenStore(lambda: server.connect(row_factory=dict_row))
