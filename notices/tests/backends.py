"""Backends that always fail, for delivery-failure tests (select them with settings)."""

from __future__ import annotations

from typing import Any

from django.core.mail.backends.base import BaseEmailBackend

from notices.sms import BaseSmsBackend, PermanentDeliveryError, SmsDeliveryError, SmsMessage


class FailingSmsBackend(BaseSmsBackend):
    def send(self, message: SmsMessage) -> str:
        raise SmsDeliveryError("provider down")


class RejectingSmsBackend(BaseSmsBackend):
    def send(self, message: SmsMessage) -> str:
        raise PermanentDeliveryError("number rejected")


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("smtp down")
