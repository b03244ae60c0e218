# API tokens stored hashed, expiring and revocable (django-rest-knox's AbstractAuthToken;
# issue 14). Tokens of DRF's rest_framework.authtoken are not carried over: they stop working.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_languages")]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("token_key", models.CharField(db_index=True, max_length=25)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("expiry", models.DateTimeField(blank=True, null=True)),
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("digest", models.CharField(max_length=128, unique=True)),
                ("label", models.CharField(blank=True, max_length=100, verbose_name="label")),
                (
                    "user_agent",
                    models.CharField(blank=True, max_length=255, verbose_name="client"),
                ),
                (
                    "created_ip",
                    models.CharField(blank=True, max_length=64, verbose_name="created from"),
                ),
                (
                    "last_used_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last used"),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="auth_token_set",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
                "ordering": ("-created", "-id"),
                "indexes": [
                    models.Index(fields=["user", "expiry"], name="accounts_apitoken_user_exp")
                ],
            },
        ),
    ]
