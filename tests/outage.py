"""Real database failures for the "nothing is lost" tests: the same instance (keys, spool, uploads)
served by an app whose database is read-only or whose server does not answer."""

from __future__ import annotations

import os
import socket

from sqlalchemy.engine import make_url


def read_only_url(url: str) -> str:
    """The test database opened read-only: SQLite in ``mode=ro``, PostgreSQL with read-only
    transactions. Reads work, every write fails in the driver."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///file:{parsed.database}?mode=ro&uri=true"
    return parsed.update_query_dict({"options": "-c default_transaction_read_only=on"}) \
        .render_as_string(hide_password=False)


def unreachable_url() -> str:
    """A PostgreSQL URL on a port nobody listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"postgresql://sesim@127.0.0.1:{port}/sesim"


def spool_files(app) -> list:
    folder = os.path.join(app.instance_path, "spool")
    if not os.path.isdir(folder):
        return []
    return sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".spool"))


def replay(app):
    """What ``sesim worker`` does every SESIM_SPOOL_INTERVAL, through the real command."""
    result = app.test_cli_runner().invoke(args=["spool", "replay"])
    return result
