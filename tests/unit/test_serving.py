import socket

from api.serving import listening_socket


def test_connections_accepted_by_the_shared_socket_are_tcp_so_asyncio_disables_nagle() -> None:
    # asyncio sets TCP_NODELAY only on sockets whose proto is IPPROTO_TCP (base_events._set_nodelay).
    server = listening_socket("127.0.0.1", 0)
    server.listen()
    client = socket.create_connection(server.getsockname())
    accepted, _ = server.accept()
    try:
        assert accepted.proto == socket.IPPROTO_TCP
    finally:
        for s in (accepted, client, server):
            s.close()
