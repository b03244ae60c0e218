"""The reports section of the dashboard (`dashboard:reports` …): the loyalty points report and
its exports (`points_urls`), the client report and the owner's home page figures
(`overview_urls`), and the pages of Excel exports written in the background (`jobs_urls`)."""

from reports.jobs_urls import urlpatterns as jobs_urlpatterns
from reports.overview_urls import urlpatterns as overview_urlpatterns
from reports.points_urls import urlpatterns as points_urlpatterns

urlpatterns = [*points_urlpatterns, *overview_urlpatterns, *jobs_urlpatterns]
