from __future__ import annotations

import io
import json
import urllib.error
import urllib.parse
from email.message import Message
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured

from notices import sms
from notices.sms import (
    ConsoleSmsBackend,
    FileSmsBackend,
    LocmemSmsBackend,
    PermanentDeliveryError,
    SmsDeliveryError,
    SmsMessage,
    TwilioSmsBackend,
    get_sms_backend,
)

MESSAGE = SmsMessage(to="+37251234567", body="Hello Ä")


def test_get_sms_backend_uses_the_setting(settings):
    settings.SMS_BACKEND = "notices.sms.FileSmsBackend"

    assert type(get_sms_backend()) is FileSmsBackend


def test_locmem_backend_appends_to_the_outbox():
    LocmemSmsBackend().send(MESSAGE)

    assert sms.outbox == [MESSAGE]


def test_console_backend_prints_the_message():
    stream = io.StringIO()

    ConsoleSmsBackend(stream=stream).send(MESSAGE)

    assert stream.getvalue() == f"SMS to +37251234567\nHello Ä\n{'-' * 40}\n"


def test_file_backend_writes_one_file_per_message(tmp_path, settings):
    # given
    settings.SMS_FILE_PATH = str(tmp_path / "sms")

    # when
    FileSmsBackend().send(MESSAGE)
    FileSmsBackend().send(MESSAGE)

    # then
    files = sorted((tmp_path / "sms").iterdir())
    assert len(files) == 2
    assert files[0].read_text(encoding="utf-8") == "To: +37251234567\n\nHello Ä\n"


@pytest.fixture
def twilio_settings(settings):
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = "secret-token"
    settings.TWILIO_FROM_NUMBER = "+15550001111"
    return settings


def test_twilio_needs_its_settings(settings):
    settings.TWILIO_ACCOUNT_SID = ""

    with pytest.raises(ImproperlyConfigured):
        TwilioSmsBackend()


def _response(payload: dict) -> mock.MagicMock:
    response = mock.MagicMock()
    response.__enter__.return_value.read.return_value = json.dumps(payload).encode()
    return response


def test_twilio_posts_the_message_to_the_rest_api(twilio_settings):
    # given
    with mock.patch("urllib.request.urlopen", return_value=_response({"sid": "SM1"})) as urlopen:
        # when
        message_id = TwilioSmsBackend().send(MESSAGE)

    # then
    assert message_id == "SM1"
    request = urlopen.call_args.args[0]
    assert urlopen.call_args.kwargs == {"timeout": 10}
    assert request.get_method() == "POST"
    assert request.full_url == "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"
    assert request.get_header("Authorization") == "Basic QUMxMjM6c2VjcmV0LXRva2Vu"
    assert urllib.parse.parse_qs(request.data.decode()) == {
        "To": ["+37251234567"],
        "From": ["+15550001111"],
        "Body": ["Hello Ä"],
    }


def _http_error(code: int, payload: dict) -> urllib.error.HTTPError:
    body = io.BytesIO(json.dumps(payload).encode())
    return urllib.error.HTTPError("https://api.twilio.com", code, "error", Message(), body)


def test_twilio_rejection_is_permanent(twilio_settings):
    error = _http_error(400, {"code": 21211, "message": "Invalid 'To' Phone Number"})

    with (
        mock.patch("urllib.request.urlopen", side_effect=error),
        pytest.raises(PermanentDeliveryError) as caught,
    ):
        TwilioSmsBackend().send(MESSAGE)

    assert str(caught.value) == "Twilio HTTP 400: 21211 Invalid 'To' Phone Number"


@pytest.mark.parametrize(
    ("side_effect", "expected"),
    [
        (_http_error(503, {"message": "busy"}), "Twilio HTTP 503: busy"),
        (
            _http_error(429, {"code": 20429, "message": "Too Many"}),
            "Twilio HTTP 429: 20429 Too Many",
        ),
        (urllib.error.URLError("timed out"), "Twilio unreachable: <urlopen error timed out>"),
    ],
)
def test_twilio_transient_failures_are_retryable(twilio_settings, side_effect, expected):
    with (
        mock.patch("urllib.request.urlopen", side_effect=side_effect),
        pytest.raises(SmsDeliveryError) as caught,
    ):
        TwilioSmsBackend().send(MESSAGE)

    assert type(caught.value) is SmsDeliveryError
    assert str(caught.value) == expected
