"""gunicorn settings of the image (Dockerfile, docker-compose.yml): `gunicorn -c gunicorn.conf.py`.

Command-line options given after `-c` still override these.
"""

from __future__ import annotations

import os

from gunicorn.http import wsgi

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"
# X-Forwarded-Proto is believed from any peer: the app is only reachable through the proxy.
forwarded_allow_ips = "*"

# No "Server: gunicorn" header on responses: it tells a prober what to attack.
_default_headers = wsgi.Response.default_headers


def _headers_without_server(self: wsgi.Response) -> list[str]:
    return [h for h in _default_headers(self) if not h.lower().startswith("server:")]


wsgi.Response.default_headers = _headers_without_server  # type: ignore[method-assign]
