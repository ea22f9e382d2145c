"""Running the HTTP server, in one process or several workers."""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

APP = "api.main:create_app"


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket for the workers to share, created with an explicit IPPROTO_TCP.

    uvicorn's own (`socket.socket(family=…)`) has protocol 0, which asyncio's accepted
    connections inherit; asyncio then does not set TCP_NODELAY on them, and every response
    written in two sends waits ~40 ms for the client's delayed ACK (bench/run.py found it).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def run(host: str, port: int, workers: int) -> None:
    if workers == 1:
        uvicorn.run(APP, factory=True, host=host, port=port, log_level="info")
        return
    config = uvicorn.Config(APP, factory=True, host=host, port=port, workers=workers, log_level="info")
    Multiprocess(config, sockets=[listening_socket(host, port)]).run()
