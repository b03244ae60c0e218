"""English as our salons' clients read it: Django's English formats, but weeks start on
Monday (ISO 8601, as in every country SalonBook serves; `FORMAT_MODULE_PATH`)."""

from django.conf.locale.en.formats import *  # noqa: F403

FIRST_DAY_OF_WEEK = 1  # Monday
