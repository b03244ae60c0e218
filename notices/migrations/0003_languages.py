# Issue 16: a salon's notice texts per language, and the language each notice was written in.
# Texts edited before this were written in the salon's default language.
from django.db import migrations, models


def templates_in_salon_language(apps, schema_editor):
    NoticeTemplate = apps.get_model("notices", "NoticeTemplate")
    Salon = apps.get_model("bookings", "Salon")
    for salon_id, language in Salon.objects.values_list("pk", "default_language"):
        NoticeTemplate.objects.filter(salon_id=salon_id).update(language=language)


class Migration(migrations.Migration):
    dependencies = [("notices", "0002_performance"), ("bookings", "0001_initial")]

    operations = [
        migrations.AlterModelOptions(
            name="noticetemplate",
            options={
                "ordering": ("kind", "channel", "language"),
                "verbose_name": "notice template",
                "verbose_name_plural": "notice templates",
            },
        ),
        migrations.RemoveConstraint(
            model_name="noticetemplate",
            name="noticetemplate_unique_salon_kind_channel",
        ),
        migrations.AddField(
            model_name="notice",
            name="language",
            field=models.CharField(blank=True, max_length=8, verbose_name="language"),
        ),
        migrations.AddField(
            model_name="noticetemplate",
            name="language",
            field=models.CharField(
                choices=[('en', 'English'), ('et', 'Estonian'), ('da', 'Danish'), ('ro', 'Romanian'), ('fi', 'Finnish'), ('de', 'German')], default="en", max_length=8, verbose_name="language"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(templates_in_salon_language, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="noticetemplate",
            constraint=models.UniqueConstraint(
                fields=("salon", "kind", "channel", "language"),
                name="noticetemplate_unique_salon_kind_channel_language",
            ),
        ),
    ]
