"""The client's address, the one way every throttle of the project reads it.

Behind a reverse proxy every request comes from the proxy's address, so the real client is in
a header the proxy sets. A client can send any header too, so one is trusted only when the
setting `TRUSTED_PROXY_HEADER` names it (a `request.META` key such as
`HTTP_X_FORWARDED_FOR` or `HTTP_X_REAL_IP`): its *last* entry is the one our proxy appended
(or set), which a client cannot forge. Unset (the default), `REMOTE_ADDR` is used and forwarded
headers are ignored. `PASSCODE_TRUSTED_PROXY_HEADER` is read as the old name of the setting.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

MAX_LENGTH = 64


def trusted_proxy_header() -> str:
    """The `request.META` key of the trusted forwarded header, or "" (trust none)."""
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "") or getattr(
        settings, "PASSCODE_TRUSTED_PROXY_HEADER", ""
    )
    header = str(header or "").strip().upper().replace("-", "_")
    if header and not header.startswith("HTTP_") and header != "REMOTE_ADDR":
        header = f"HTTP_{header}"  # "X-Forwarded-For" → "HTTP_X_FORWARDED_FOR"
    return header


def client_ip(request: Any) -> str:
    """The client's address for throttling and logs (a Django or DRF request)."""
    meta = getattr(request, "META", {})
    header = trusted_proxy_header()
    if header:
        value = str(meta.get(header, "") or "")
        last = value.split(",")[-1].strip()
        if last:
            return last[:MAX_LENGTH]
    return str(meta.get("REMOTE_ADDR") or "unknown")[:MAX_LENGTH]
