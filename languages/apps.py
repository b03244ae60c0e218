from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LanguagesConfig(AppConfig):
    """Languages of the product: the catalogue tooling (`manage.py i18n_sync`), which language a
    page or a notice uses (`languages.choice`), and formats that follow it (`languages.money`)."""

    name = "languages"
    verbose_name = _("Languages")
