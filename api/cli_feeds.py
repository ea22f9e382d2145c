"""`credit-ledger relay` (issue 23): the change feed's webhooks and NATS publication alone."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer


def relay(
    once: Annotated[bool, typer.Option("--once", help="deliver what is due now, then exit")] = False,
) -> None:
    """Run the feed relay alone (the server runs one too unless CREDIT_LEDGER_RELAY=0): pushes the
    change feed to subscribed webhooks (Standard Webhooks, retried, dead letters after 24 hours)
    and, with CREDIT_LEDGER_NATS_URL set, to NATS JetStream. Several relays may run at once."""
    from api.bootstrap import Runtime

    runtime = Runtime.open()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    delivered = 0
    try:
        if once:
            while n := runtime.relay.step():
                delivered += n
        else:
            runtime.relay.start()
            while not stop.is_set():
                stop.wait(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        runtime.close()
    typer.echo(f"delivered={delivered}")
