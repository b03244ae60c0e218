"""Public pages of segments below `/s/<salon_slug>/` (namespace `segments_public`, mounted by
salonbook/urls.py): a segment's link, and the embeddable booking widget (segments/embed.py)."""

from django.urls import path

from . import embed

urlpatterns = [
    path("link/<str:token>/", embed.link_landing, name="link"),
    path("embed/", embed.EmbedStartView.as_view(), name="embed"),
    path("embed/book/", embed.EmbedTimesView.as_view(), name="embed_times"),
    path("embed/details/", embed.EmbedDetailsView.as_view(), name="embed_details"),
    path("embed/done/<str:token>/", embed.EmbedDoneView.as_view(), name="embed_done"),
]
