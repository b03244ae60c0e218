"""Background work of the reports (thin shells over reports/jobs/services.py)."""

from __future__ import annotations

from celery import shared_task

from reports.jobs import services


@shared_task(name="reports.tasks.export_job_run", acks_late=True)
def export_job_run(job_id: int) -> str:
    job = services.export_job_run(job_id=job_id)
    return job.status if job is not None else "skipped"


@shared_task(name="reports.tasks.export_jobs_sweep")
def export_jobs_sweep() -> dict[str, int]:
    return services.export_jobs_sweep()
