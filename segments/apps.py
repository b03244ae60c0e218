from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SegmentsConfig(AppConfig):
    name = "segments"
    verbose_name = _("Segments")

    def ready(self) -> None:
        # bookings never imports segments: the link scope and the booking record plug in here.
        from bookings.checkout import register_booking_hook
        from bookings.public.extensions import (
            BookingScopeProvider,
            register_booking_scope_provider,
        )

        from .selectors import segment_scope_for_booking, segment_scope_for_token
        from .services.segments import segment_booking_record

        register_booking_scope_provider(
            BookingScopeProvider(
                resolve=segment_scope_for_token, for_appointment=segment_scope_for_booking
            )
        )
        register_booking_hook(segment_booking_record)
