"""The copy-paste snippet that embeds the booking flow in another website: an iframe of the
embed pages (segments/embed.py) and our small script (static/segments/embed.js) that sizes
the iframe to its content from the page's postMessage."""

from __future__ import annotations

from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from bookings.models import Salon

from .models import Segment


def embed_url(request: HttpRequest, salon: Salon, segment: Segment | None = None) -> str:
    url = reverse("segments_public:embed", kwargs={"salon_slug": salon.slug})
    if segment is not None:
        url += "?" + urlencode({"segment": segment.token})
    return request.build_absolute_uri(url)


def link_url(request: HttpRequest, segment: Segment) -> str:
    return request.build_absolute_uri(
        reverse(
            "segments_public:link",
            kwargs={"salon_slug": segment.salon.slug, "token": segment.token},
        )
    )


def embed_snippet(request: HttpRequest, salon: Salon, segment: Segment | None = None) -> str:
    """The HTML to paste into the website (text, shown in a read-only field)."""
    frame_id = f"salonbook-{salon.slug}" + (f"-{segment.pk}" if segment is not None else "")
    title = salon.name if segment is None else f"{salon.name} · {segment.name}"
    return str(
        format_html(
            '<iframe id="{}" src="{}" title="{}" style="width:100%;min-height:480px;border:0" '
            'loading="lazy"></iframe>\n<script src="{}" async></script>',
            frame_id,
            embed_url(request, salon, segment),
            title,
            request.build_absolute_uri(static("segments/embed.js")),
        )
    )
