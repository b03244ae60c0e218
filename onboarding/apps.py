from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = _("Onboarding")

    def ready(self) -> None:
        from . import (
            notice_kinds,  # noqa: F401  (staff invitation, booking e-mails to salons)
            salon_notices,
        )

        salon_notices.connect()
