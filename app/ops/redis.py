"""One Redis client per process for everything shared between nodes (jobs, health checks)."""
from __future__ import annotations

from flask import current_app
from redis import Redis

_clients: dict[str, Redis] = {}


def redis_client() -> Redis:
    url = current_app.config["REDIS_URL"]
    if url not in _clients:
        _clients[url] = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return _clients[url]


def forget_clients() -> None:
    """In a forked worker: the master's clients (and their sockets) are not this process's to use."""
    _clients.clear()
