"""Production gunicorn settings for one app server: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Any setting can be changed on the command line (``--workers 8``) or in ``GUNICORN_CMD_ARGS``.
See docs/scaling.md for the whole topology (load balancer, N app servers, PostgreSQL, Redis).
"""

import multiprocessing

# Behind the load balancer or reverse proxy on the same host; it terminates TLS and buffers slow
# 2G clients, so a worker is never held by a phone trickling its upload.
bind = "127.0.0.1:8000"

# Requests mostly wait on PostgreSQL: two processes per core, a few threads each.
workers = multiprocessing.cpu_count() * 2
worker_class = "gthread"
threads = 4

timeout = 30  # a request that takes longer is a bug; the worker is replaced
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # recycle workers now and then, so no slow leak grows for weeks
max_requests_jitter = 500
worker_tmp_dir = "/dev/shm"  # noqa: S108 (heartbeats in memory never wait on a busy disk)

# No access log: a line per request would hold client addresses (Sesim filters the app's own
# logs; docs/deploying.md). Errors go to standard error, for journald.
accesslog = None
errorlog = "-"
loglevel = "warning"
