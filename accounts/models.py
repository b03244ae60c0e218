from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A global account: logs in by email. Its person inside a salon is a `bookings.Client`."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    # The dashboard's language for this person; empty: the salon's default language.
    language = models.CharField(
        _("dashboard language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: the salon's language."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[misc]

    def __str__(self) -> str:
        return self.email


class ApiToken(AbstractAuthToken):
    """An API token of one account (django-rest-knox, `KNOX_TOKEN_MODEL`; accounts/tokens.py).

    Only the SHA-512 digest of the token and its first characters (`token_key`, to find the
    row) are stored, so a leaked database leaks no live token. Each one expires
    (`API_TOKEN_TTL_DAYS`) and its owner may revoke it on the account page or through the API.
    """

    # A plain id for the pages and the API; the digest stays unique and is never shown.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    label = models.CharField(_("label"), max_length=100, blank=True)
    user_agent = models.CharField(_("client"), max_length=255, blank=True)
    created_ip = models.CharField(_("created from"), max_length=64, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ("-created", "-id")
        indexes = [models.Index(fields=["user", "expiry"], name="accounts_apitoken_user_exp")]

    def __str__(self) -> str:
        return f"{self.token_key}… ({self.user_id})"
