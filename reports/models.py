"""Models of the reports app. Each lives in its subdomain's package and is imported here, so
that Django (and its migrations) find them: `home/models.py` keeps when each member last
opened the dashboard's home page; `jobs/models.py` the Excel exports written by a Celery task."""

from reports.home.models import HomeVisit
from reports.jobs.models import ExportJob

__all__ = ["ExportJob", "HomeVisit"]
