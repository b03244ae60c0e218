"""Estonian: Django's formats, and weeks start on Monday (Django's Estonian formats do not say,
so its default, Sunday, would apply)."""

from django.conf.locale.et.formats import *  # noqa: F403

FIRST_DAY_OF_WEEK = 1  # Monday
