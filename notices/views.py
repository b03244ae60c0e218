"""Dashboard pages of the notices module: the salon's texts per kind and channel, the log of
sent notices, and "send a test to me". Every page is owner/manager only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from bookings.dashboard.mixins import SalonViewMixin
from bookings.selectors import tenant_get
from notices import services
from notices.forms import NoticeFilterForm, NoticeTemplateForm, NoticeTestForm
from notices.models import Notice
from notices.registry import Channel, NoticeKind, kind_get, kind_list
from notices.renderer import render, render_subject, supported_language, validate_template
from notices.selectors import notice_content_get, notice_kind_overview, notice_list

RECENT_NOTICES = 50


def _notice_language(request: HttpRequest, salon: Any) -> str:
    """The language whose texts the owner is looking at (`?language=`, a form's `language`),
    else the salon's default language."""
    chosen = request.POST.get("language") or request.GET.get("language")
    return supported_language(chosen) or salon.default_language


def _language_context(request: HttpRequest, salon: Any) -> dict[str, Any]:
    return {
        "notice_language": _notice_language(request, salon),
        "notice_languages": settings.LANGUAGES,
    }


def _kind_labels() -> dict[str, Any]:
    return {kind.key: kind.label for kind in kind_list()}


class NoticeOverviewView(SalonViewMixin, TemplateView):
    template_name = "notices/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filter_form = NoticeFilterForm(self.request.GET or None)
        status = filter_form.cleaned_data["status"] if filter_form.is_valid() else None
        notices = list(notice_list(salon=self.salon, status=status or None)[:RECENT_NOTICES])
        labels = _kind_labels()
        for notice in notices:
            notice.kind_label = labels.get(notice.kind, notice.kind)  # type: ignore[attr-defined]
        context.update(_language_context(self.request, self.salon))
        context.update(
            overview=notice_kind_overview(salon=self.salon, language=context["notice_language"]),
            filter_form=filter_form,
            notices=notices,
            test_form=kwargs.get("test_form") or NoticeTestForm(initial={"channel": "email"}),
            statuses=Notice.Status,
        )
        return context


class NoticeSendTestView(NoticeOverviewView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = NoticeTestForm(request.POST)
        if form.is_valid():
            channel = form.cleaned_data["channel"]
            recipient = (
                request.user.email if channel == Channel.EMAIL else form.cleaned_data["phone"]
            )
            try:
                notice = services.notice_send_test(
                    salon=self.salon, channel=channel, recipient=recipient
                )
            except ValidationError as exc:
                field = "phone" if channel == Channel.SMS else None
                form.add_error(field, exc.message_dict.get("recipient", exc.messages))
            else:
                messages.success(
                    request,
                    _("A test message to %(recipient)s is on its way.")
                    % {"recipient": notice.recipient},
                )
                return redirect("dashboard:notices", salon_slug=self.salon.slug)
        return self.render_to_response(self.get_context_data(test_form=form))


class NoticeTemplateEditView(SalonViewMixin, TemplateView):
    template_name = "notices/template_edit.html"
    kind: NoticeKind
    channel: str

    def _resolve(self, kwargs: dict[str, Any]) -> None:
        # After the membership check of SalonViewMixin.dispatch, so strangers learn nothing.
        try:
            self.kind = kind_get(kwargs["kind"])
        except LookupError:
            raise Http404("No such notice kind.") from None
        if kwargs["channel"] not in Channel.values:
            raise Http404("No such channel.")
        self.channel = kwargs["channel"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._resolve(kwargs)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(_language_context(self.request, self.salon))
        content = notice_content_get(
            salon=self.salon,
            kind=self.kind,
            channel=self.channel,
            language=context["notice_language"],
        )
        form = kwargs.get("form") or NoticeTemplateForm(
            channel=self.channel, initial={"subject": content.subject, "body": content.body}
        )
        context.update(
            kind=self.kind,
            channel=self.channel,
            channel_label=Channel(self.channel).label,
            content=content,
            form=form,
            preview_url=reverse(
                "dashboard:notice_template_preview",
                kwargs={
                    "salon_slug": self.salon.slug,
                    "kind": self.kind.key,
                    "channel": self.channel,
                },
            ),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._resolve(kwargs)
        form = NoticeTemplateForm(request.POST, channel=self.channel)
        if form.is_valid():
            try:
                services.notice_template_save(
                    salon=self.salon,
                    kind=self.kind.key,
                    channel=self.channel,
                    subject=form.cleaned_data.get("subject", ""),
                    body=form.cleaned_data["body"],
                    language=_notice_language(request, self.salon),
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, _("The text was saved."))
                return _to_overview(request, self.salon)
        return self.render_to_response(self.get_context_data(form=form))


SMS_SEGMENT_GSM, SMS_SEGMENT_UNICODE = 160, 70


class NoticeTemplatePreviewView(NoticeTemplateEditView):
    """The editor's live preview (htmx, POST of the form as typed): the text rendered with the
    kind's example values and the salon's name, per channel (an SMS shows its length and how
    many messages it takes); a syntax error or unknown variable is shown instead. Nothing is
    saved."""

    http_method_names = ["post"]
    template_name = "notices/_template_preview.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._resolve(kwargs)
        subject = request.POST.get("subject", "").replace("\x00", "")[:1000]
        body = request.POST.get("body", "").replace("\x00", "")[:5000]
        allowed = self.kind.variable_names
        values = {**self.kind.example_context(), "salon_name": self.salon.name}
        errors: list[str] = []
        rendered_subject = rendered_body = ""
        try:
            for text in (subject, body) if self.channel == Channel.EMAIL else (body,):
                validate_template(text, allowed=allowed)
        except ValidationError as exc:
            errors = exc.messages
        else:
            rendered_body = render(body, values, allowed=allowed)
            if self.channel == Channel.EMAIL:
                rendered_subject = render_subject(subject, values, allowed=allowed)
        context = {
            "kind": self.kind,
            "channel": self.channel,
            "errors": errors,
            "subject": rendered_subject,
            "body": rendered_body,
            "length": len(rendered_body),
            "segments": _sms_segments(rendered_body) if self.channel == Channel.SMS else 0,
        }
        return self.response_class(request=request, template=[self.template_name], context=context)


def _sms_segments(text: str) -> int:
    """How many SMS one text takes: 160 characters each in the GSM alphabet (153 when split),
    70 in Unicode (67 when split)."""
    if not text:
        return 0
    gsm = all(ord(char) < 128 for char in text)
    single, multi = (SMS_SEGMENT_GSM, 153) if gsm else (SMS_SEGMENT_UNICODE, 67)
    return 1 if len(text) <= single else -(-len(text) // multi)


def _add_service_errors(form: NoticeTemplateForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class NoticeTemplateResetView(SalonViewMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            services.notice_template_reset(
                salon=self.salon,
                kind=kwargs["kind"],
                channel=kwargs["channel"],
                language=_notice_language(request, self.salon),
            )
        except ValidationError:
            raise Http404("No such notice kind or channel.") from None
        messages.success(request, _("The default text is used again."))
        return _to_overview(request, self.salon)


def _to_overview(request: HttpRequest, salon: Any) -> HttpResponse:
    url = reverse("dashboard:notices", kwargs={"salon_slug": salon.slug})
    language = _notice_language(request, salon)
    if language != salon.default_language:
        url += f"?language={language}"
    return HttpResponseRedirect(url)


class NoticeDetailView(SalonViewMixin, TemplateView):
    template_name = "notices/notice_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        notice = tenant_get(
            Notice,
            salon=self.salon,
            pk=kwargs["pk"],
            queryset=Notice.objects.select_related("client"),
        )
        context.update(notice=notice, kind_label=_kind_labels().get(notice.kind, notice.kind))
        return context


class NoticeRetryView(SalonViewMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        notice = tenant_get(Notice, salon=self.salon, pk=kwargs["pk"])
        try:
            services.notice_retry(salon=self.salon, notice=notice)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The notice was put back in the queue."))
        return HttpResponseRedirect(
            reverse(
                "dashboard:notice_detail", kwargs={"salon_slug": self.salon.slug, "pk": notice.pk}
            )
        )
