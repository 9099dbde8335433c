"""Local ports for test servers, held so that nobody else takes them between choosing and listening.

Choosing a port by binding port 0 and closing the socket leaves a window in which another test (or the
kernel, for someone's outgoing connection) takes it: the server then fails with EADDRINUSE, or, worse, the
test talks to somebody else's server. Here the port stays bound (SO_REUSEADDR, never listening) for as
long as the test holds it:
- the kernel hands it to nobody else, and a bind without SO_REUSEADDR fails;
- a server that binds with SO_REUSEADDR (asyncio, aiohttp, aiosmtpd, tornado: PTB's webhook) listens on it,
  in this process or in a child process;
- until then, and when nothing ever listens, a connection is refused at once: a "dead" port for tests of
  an unreachable server.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager


def _reserve() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def held_port() -> Iterator[int]:
    """A port on 127.0.0.1 held for the block: a server may listen on it; until then connections are refused."""
    with _reserve() as sock:
        yield int(sock.getsockname()[1])


@contextmanager
def held_ports(count: int) -> Iterator[list[int]]:
    """`count` distinct held ports."""
    with ExitStack() as stack:
        yield [stack.enter_context(held_port()) for _ in range(count)]
