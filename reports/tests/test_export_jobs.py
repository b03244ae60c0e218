"""Excel exports too large for a request (more rows than REPORTS_XLSX_MAX_ROWS) are written by a
Celery job (reports/jobs/): the export answers with the job's page, which polls until the file
is ready and then offers it; the file has exactly the rows and totals of a direct export. Only
the salon's members reach a job (another salon's token: 404, pages and API); files are
salon-scoped, named by an unguessable token, and expire. Tasks run eagerly here (the test
settings); reports/tests/test_export_worker.py runs one in a real worker process."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from reports.jobs.models import ExportJob
from reports.jobs.services import export_job_create, export_job_run, export_jobs_sweep
from reports.tests.points_data import MARCH, build_ledger
from tests.factories import ClientFactory

JOB_URL = re.compile(r"^/dashboard/alpha/reports/exports/([A-Za-z0-9_-]{43})/$")


@pytest.fixture
def world(salon, other_salon, owner) -> dict[str, Any]:
    return build_ledger(salon, other_salon, actor=owner)


@pytest.fixture
def export_dir(settings, tmp_path) -> Path:
    settings.REPORTS_EXPORT_DIR = str(tmp_path / "exports")
    settings.REPORTS_XLSX_MAX_ROWS = 3  # March has 4 rows
    return tmp_path / "exports"


@pytest.fixture
def staff_http(staff_user) -> HttpClient:
    http = HttpClient()
    http.force_login(staff_user)
    return http


def xlsx_url(slug: str = "alpha") -> str:
    return reverse("dashboard:reports_points_export_xlsx", kwargs={"salon_slug": slug})


def sheet_values(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def start_job(http: HttpClient, capture: Any, query: dict[str, str] | None = None) -> ExportJob:
    with capture(execute=True):
        response = http.get(xlsx_url(), query or MARCH)
    assert response.status_code == 302, response
    match = JOB_URL.match(response["Location"])
    assert match, response["Location"]
    return ExportJob.objects.get(token=match.group(1))


def test_a_large_export_is_a_job_whose_file_has_the_rows_of_a_direct_export(
    world, staff_http, export_dir, settings, django_capture_on_commit_callbacks
):
    # when a staff member exports March (4 rows, above the limit of 3)
    job = start_job(staff_http, django_capture_on_commit_callbacks)

    # then the job ran (eagerly, after the commit) and its page offers the file
    job.refresh_from_db()
    assert (job.status, job.row_count, job.report) == ("done", 4 + 4, "points")
    page = staff_http.get(f"/dashboard/alpha/reports/exports/{job.token}/").content.decode()
    download = f"/dashboard/alpha/reports/exports/{job.token}/download/"
    assert download in page and "every 2s" not in page
    response = staff_http.get(download)
    assert response.status_code == 200
    assert (
        'filename="alpha-loyalty-points-2026-03-01-2026-03-31.xlsx"'
        in (response["Content-Disposition"])
    )
    from_job = sheet_values(b"".join(response.streaming_content))
    # the same rows and totals as an export written during the request
    settings.REPORTS_XLSX_MAX_ROWS = 1000
    direct = staff_http.get(xlsx_url(), MARCH)
    assert direct.status_code == 200
    assert from_job == sheet_values(b"".join(direct.streaming_content))
    assert from_job[-1][:5] == ["Net", None, None, None, 10]
    # the file is the salon's, named by the token, and nothing half-written is left
    assert job.file_path == f"{world['kati'].salon_id}/{job.token}.xlsx"
    assert sorted(p.name for p in (export_dir / str(job.salon_id)).iterdir()) == [
        f"{job.token}.xlsx"
    ]
    assert job.expires_at - job.finished_at == dt.timedelta(hours=24)


def test_the_report_page_says_the_file_comes_later_and_lists_the_members_exports(
    world, owner_client, export_dir, django_capture_on_commit_callbacks
):
    job = start_job(owner_client, django_capture_on_commit_callbacks)
    page = owner_client.get(reverse("dashboard:reports", kwargs={"salon_slug": "alpha"}), MARCH)
    text = page.content.decode()
    assert "4 rows: the Excel file is prepared in the background" in text
    assert f"/dashboard/alpha/reports/exports/{job.token}/" in text


def test_a_pending_job_page_polls_and_htmx_gets_the_status_only(world, owner_client, export_dir):
    # given a job whose task has not run (no commit callbacks executed)
    response = owner_client.get(xlsx_url(), MARCH)
    job = ExportJob.objects.get()
    assert response["Location"] == f"/dashboard/alpha/reports/exports/{job.token}/"

    # when
    page = owner_client.get(response["Location"]).content.decode()
    partial = owner_client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()

    # then
    assert job.status == "pending"
    assert 'hx-trigger="every 2s"' in page and "/download/" not in page
    assert partial.lstrip().startswith('<div id="export-job"') and "<html" not in partial
    assert owner_client.get(f"{response['Location']}download/").status_code == 404

    # and once it ran, the next poll shows the link and stops polling
    export_job_run(job_id=job.pk)
    partial = owner_client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "/download/" in partial and "hx-trigger" not in partial


def test_only_the_salons_members_reach_a_job(
    world,
    owner_client,
    other_owner_client,
    stranger,
    export_dir,
    django_capture_on_commit_callbacks,
):
    job = start_job(owner_client, django_capture_on_commit_callbacks)
    ours = f"/dashboard/alpha/reports/exports/{job.token}/"
    theirs = f"/dashboard/beta/reports/exports/{job.token}/"
    # another salon's owner: neither through our salon's URL nor through theirs
    for path in (ours, f"{ours}download/", theirs, f"{theirs}download/"):
        assert other_owner_client.get(path).status_code == 404, path
    # an unknown or absurd token
    assert owner_client.get("/dashboard/alpha/reports/exports/nope/").status_code == 404
    assert owner_client.get(f"/dashboard/alpha/reports/exports/{'x' * 300}/").status_code == 404
    # no membership, no login
    http = HttpClient()
    http.force_login(stranger)
    assert http.get(f"{ours}download/").status_code == 404
    assert HttpClient().get(f"{ours}download/").status_code == 302  # to log in


def test_an_expired_file_is_gone_and_the_sweep_deletes_it(
    world, owner_client, export_dir, django_capture_on_commit_callbacks
):
    job = start_job(owner_client, django_capture_on_commit_callbacks)
    path = export_dir / job.file_path
    assert path.is_file()
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    page = owner_client.get(f"/dashboard/alpha/reports/exports/{job.token}/").content.decode()
    assert "This file has expired" in page
    assert (
        owner_client.get(f"/dashboard/alpha/reports/exports/{job.token}/download/").status_code
        == 404
    )

    assert export_jobs_sweep()["files_removed"] == 1
    assert not path.exists()
    # a week later the job itself goes
    assert export_jobs_sweep(now=timezone.now() + dt.timedelta(days=8))["jobs_deleted"] == 1
    assert not ExportJob.objects.exists()


def test_a_job_runs_once(world, salon, export_dir):
    job = export_job_create(salon=salon, report="points", query=MARCH, filename="x.xlsx")
    assert export_job_run(job_id=job.pk).status == "done"
    assert export_job_run(job_id=job.pk) is None  # already done: nothing written again


def test_a_stale_running_job_is_taken_over_and_a_lost_one_published_again(
    world, salon, export_dir, monkeypatch
):
    from reports.jobs import services

    published: list[int] = []
    monkeypatch.setattr(services, "publish", lambda task, job_id: published.append(job_id) or True)
    lost = export_job_create(salon=salon, report="points", query=MARCH, filename="a.xlsx")
    died = export_job_create(salon=salon, report="points", query=MARCH, filename="b.xlsx")
    ExportJob.objects.filter(pk=died.pk).update(
        status="running", started_at=timezone.now() - dt.timedelta(hours=1)
    )
    later = timezone.now() + dt.timedelta(minutes=5)

    assert export_jobs_sweep(now=later)["republished"] == 2
    assert sorted(published) == sorted([lost.pk, died.pk])
    assert export_job_run(job_id=died.pk).status == "done"


def test_filters_no_longer_valid_fail_the_job_with_a_message(world, salon, export_dir):
    job = export_job_create(
        salon=salon, report="points", query={"date_from": "2026-13-45"}, filename="x.xlsx"
    )
    job = export_job_run(job_id=job.pk)
    assert (job.status, job.error) == ("failed", "The report's filters are no longer valid.")
    assert not list(export_dir.rglob("*.xlsx"))


def test_a_large_client_export_is_a_job_too(
    salon, owner_client, export_dir, settings, django_capture_on_commit_callbacks
):
    for name in ("Anna", "Berta", "Cilli", "Diana"):
        ClientFactory(salon=salon, first_name=name, last_name="Kask")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.get(
            "/dashboard/alpha/reports/clients/export.xlsx", {"q": "kask", "sort": "-name"}
        )
    job = ExportJob.objects.get()
    assert response["Location"] == f"/dashboard/alpha/reports/exports/{job.token}/"
    assert (job.report, job.status, job.row_count) == ("clients", "done", 4)
    rows = sheet_values(
        b"".join(owner_client.get(f"{response['Location']}download/").streaming_content)
    )
    assert [row[0] for row in rows[1:]] == ["Diana Kask", "Cilli Kask", "Berta Kask", "Anna Kask"]


# --- API ------------------------------------------------------------------------------------


def test_the_api_answers_202_with_the_job_then_its_file(
    world, staff_user, export_dir, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.get("/api/v1/salons/alpha/reports/points/export.xlsx", MARCH)
    assert response.status_code == 202
    data = response.json()
    assert response["Location"] == data["url"]
    assert data["url"].endswith(f"/api/v1/salons/alpha/reports/exports/{data['id']}/")
    job = api.get(data["url"]).json()
    assert (job["status"], job["row_count"], job["expired"]) == ("done", 8, False)
    download = api.get(job["download_url"])
    assert download.status_code == 200
    assert sheet_values(b"".join(download.streaming_content))[-1][:5] == [
        "Net",
        None,
        None,
        None,
        10,
    ]


def test_the_api_gives_another_salons_job_a_404(
    world, owner_client, other_owner, export_dir, django_capture_on_commit_callbacks
):
    job = start_job(owner_client, django_capture_on_commit_callbacks)
    api = APIClient()
    api.force_authenticate(other_owner)
    for slug in ("alpha", "beta"):
        base = f"/api/v1/salons/{slug}/reports/exports/{job.token}/"
        assert api.get(base).status_code == 404
        assert api.get(f"{base}download").status_code == 404
