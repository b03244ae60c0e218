# Issue 16: the language of a client's notices and reminders (empty: the salon's language).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("bookings", "0009_performance")]

    operations = [
        migrations.AddField(
            model_name="client",
            name="preferred_language",
            field=models.CharField(
                blank=True, choices=[('en', 'English'), ('et', 'Estonian'), ('da', 'Danish'), ('ro', 'Romanian'), ('fi', 'Finnish'), ('de', 'German')], max_length=8, verbose_name="preferred language"
            ),
        ),
    ]
