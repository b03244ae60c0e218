"""SMS backends, chosen by the `SMS_BACKEND` setting (like Django's `EMAIL_BACKEND`).

- `ConsoleSmsBackend`: prints each message (development default).
- `FileSmsBackend`: writes one file per message into the folder `SMS_FILE_PATH`.
- `LocmemSmsBackend`: appends to `notices.sms.outbox` (tests; clear it between tests).
- `TwilioSmsBackend`: Twilio's REST API with `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`,
  `TWILIO_FROM_NUMBER`.

A backend raises `SmsDeliveryError` for failures worth retrying and `PermanentDeliveryError`
for those that are not (for example a number the provider rejects).
"""

from __future__ import annotations

import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsDeliveryError(Exception):
    """Sending failed; trying again later may work."""


class PermanentDeliveryError(SmsDeliveryError):
    """Sending failed in a way retrying cannot fix."""


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


outbox: list[SmsMessage] = []


class BaseSmsBackend:
    def send(self, message: SmsMessage) -> str:
        """Send one message; return the provider's message id (or a local one)."""
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: SmsMessage) -> str:
        self.stream.write(f"SMS to {message.to}\n{message.body}\n{'-' * 40}\n")
        self.stream.flush()
        return uuid.uuid4().hex


class FileSmsBackend(BaseSmsBackend):
    def __init__(self, path: str | None = None) -> None:
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, message: SmsMessage) -> str:
        self.path.mkdir(parents=True, exist_ok=True)
        message_id = uuid.uuid4().hex
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{message_id}.txt"
        (self.path / name).write_text(f"To: {message.to}\n\n{message.body}\n", encoding="utf-8")
        return message_id


class LocmemSmsBackend(BaseSmsBackend):
    def send(self, message: SmsMessage) -> str:
        outbox.append(message)
        return f"locmem-{len(outbox)}"


class TwilioSmsBackend(BaseSmsBackend):
    API_URL = "https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"
    TIMEOUT_SECONDS = 10

    def __init__(
        self,
        account_sid: str | None = None,
        auth_token: str | None = None,
        from_number: str | None = None,
    ) -> None:
        self.account_sid = account_sid or settings.TWILIO_ACCOUNT_SID
        self.auth_token = auth_token or settings.TWILIO_AUTH_TOKEN
        self.from_number = from_number or settings.TWILIO_FROM_NUMBER
        if not (self.account_sid and self.auth_token and self.from_number):
            raise ImproperlyConfigured(
                "TwilioSmsBackend needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
                "TWILIO_FROM_NUMBER."
            )

    def send(self, message: SmsMessage) -> str:
        data = urllib.parse.urlencode(
            {"To": message.to, "From": self.from_number, "Body": message.body}
        ).encode()
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(
            self.API_URL.format(sid=urllib.parse.quote(self.account_sid, safe="")),
            data=data,
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            timeout = getattr(settings, "SMS_TIMEOUT", self.TIMEOUT_SECONDS)
            with urllib.request.urlopen(request, timeout=timeout) as response:
                payload = json.loads(response.read().decode() or "{}")
        except urllib.error.HTTPError as exc:
            detail = _twilio_error(exc)
            # 4xx (but "too many requests") means the request itself is wrong: do not retry.
            if 400 <= exc.code < 500 and exc.code != 429:
                raise PermanentDeliveryError(f"Twilio HTTP {exc.code}: {detail}") from exc
            raise SmsDeliveryError(f"Twilio HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsDeliveryError(f"Twilio unreachable: {exc}") from exc
        return str(payload.get("sid", ""))


def _twilio_error(exc: urllib.error.HTTPError) -> str:
    try:
        payload: Any = json.loads(exc.read().decode())
        return f"{payload.get('code', '')} {payload.get('message', '')}".strip()
    except (ValueError, AttributeError, OSError):
        return str(exc.reason)


def get_sms_backend(path: str | None = None, **kwargs: Any) -> BaseSmsBackend:
    return import_string(path or settings.SMS_BACKEND)(**kwargs)
