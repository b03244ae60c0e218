# Issue 16: a person's own dashboard language.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[('en', 'English'), ('et', 'Estonian'), ('da', 'Danish'), ('ro', 'Romanian'), ('fi', 'Finnish'), ('de', 'German')],
                help_text="Empty: the salon's language.",
                max_length=8,
                verbose_name="dashboard language",
            ),
        ),
    ]
