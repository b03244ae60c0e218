"""Test-only pieces for tests that run a real Celery worker process.

`SlowLogSmsBackend` appends "start <number>" to the file `$WORKER_SMS_LOG`, waits
`$WORKER_SMS_SECONDS`, then appends "sent <number>": a worker killed while it waits has started
a send that never reached the "provider". The worker runs with `tests.worker_settings`.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from notices.sms import BaseSmsBackend, SmsMessage


def _log(line: str) -> None:
    path = Path(os.environ["WORKER_SMS_LOG"])
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())


class SlowLogSmsBackend(BaseSmsBackend):
    def send(self, message: SmsMessage) -> str:
        _log(f"start {message.to} pid={os.getpid()}")
        time.sleep(float(os.environ.get("WORKER_SMS_SECONDS", "0")))
        _log(f"sent {message.to} pid={os.getpid()}")
        return uuid.uuid4().hex
