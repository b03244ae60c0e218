"""Owner API of segments: create, read, edit, regenerate, switch off; bad input; isolation."""

from __future__ import annotations

import pytest

from segments.models import Segment, SegmentService, SegmentStaff
from tests.factories import ServiceFactory, StaffMemberFactory

URL = "/api/v1/salons/alpha/segments/"


def test_owner_creates_reads_and_edits_a_segment(vip, owner_api):
    # when
    created = owner_api.post(
        URL,
        {
            "name": "Members",
            "services": [vip["vip_cut"].pk],
            "staff": [vip["olga"].pk],
            "embed_domains": ["https://alpha-hair.test/"],
        },
        format="json",
    )

    # then
    assert created.status_code == 201, created.json()
    body = created.json()
    segment = Segment.objects.get(name="Members")
    assert body["id"] == segment.pk
    assert (body["services"], body["staff"]) == ([vip["vip_cut"].pk], [vip["olga"].pk])
    assert body["link"] == f"http://testserver/s/alpha/link/{segment.token}/"
    assert body["embed_url"] == f"http://testserver/s/alpha/embed/?segment={segment.token}"
    assert body["embed_domains"] == ["https://alpha-hair.test"]
    assert body["months"] == [] and body["is_active"] is True

    # when
    patched = owner_api.patch(
        f"{URL}{segment.pk}/", {"staff": [], "name": "Members 2026"}, format="json"
    )
    listed = owner_api.get(URL)

    # then
    assert patched.status_code == 200
    assert patched.json()["staff"] == [] and patched.json()["services"] == [vip["vip_cut"].pk]
    assert [s["name"] for s in listed.json()["results"]] == ["Members 2026", "VIP"]


def test_regenerate_and_deactivate(vip, owner_api, api_client):
    # given
    segment = vip["segment"]
    old = segment.token

    # when
    regenerated = owner_api.post(f"{URL}{segment.pk}/regenerate-link/")
    new = regenerated.json()["token"]
    old_link = api_client.get(
        "/api/v1/public/alpha/services/", {"location": vip["location"].pk, "segment": old}
    )
    new_link = api_client.get(
        "/api/v1/public/alpha/services/", {"location": vip["location"].pk, "segment": new}
    )
    off = owner_api.post(f"{URL}{segment.pk}/deactivate/")
    after_off = api_client.get(
        "/api/v1/public/alpha/services/", {"location": vip["location"].pk, "segment": new}
    )
    on = owner_api.post(f"{URL}{segment.pk}/activate/")

    # then
    assert regenerated.status_code == 200 and new != old
    assert old_link.status_code == 404 and old_link.json()["code"] == "link_invalid"
    assert new_link.status_code == 200
    assert off.json()["is_active"] is False and after_off.status_code == 404
    assert on.json()["is_active"] is True


@pytest.mark.parametrize(
    "case, field",
    [
        ("no-services", "services"),
        ("other-salon-service", "services"),
        ("other-salon-staff", "staff"),
        ("unknown-service", "services"),
        ("duplicate-name", "name"),
        ("bad-domain", "embed_domains"),
        ("not-a-list", "services"),
    ],
)
def test_bad_input_is_400_per_field_and_writes_nothing(vip, owner_api, other_salon, case, field):
    # given
    body = {"name": "Members", "services": [vip["vip_cut"].pk]}
    if case == "no-services":
        body["services"] = []
    elif case == "other-salon-service":
        body["services"] = [ServiceFactory(salon=other_salon).pk]
    elif case == "other-salon-staff":
        body["staff"] = [StaffMemberFactory(salon=other_salon).pk]
    elif case == "unknown-service":
        body["services"] = [999999999]
    elif case == "duplicate-name":
        body["name"] = "VIP"
    elif case == "bad-domain":
        body["embed_domains"] = ["https://a.test/path"]
    else:
        body["services"] = "abc"
    before = (Segment.objects.count(), SegmentService.objects.count(), SegmentStaff.objects.count())

    # when
    response = owner_api.post(URL, body, format="json")

    # then
    assert response.status_code == 400
    assert field in response.json()
    assert (
        Segment.objects.count(),
        SegmentService.objects.count(),
        SegmentStaff.objects.count(),
    ) == before


def test_patch_to_no_services_is_refused(vip, owner_api):
    # when
    response = owner_api.patch(f"{URL}{vip['segment'].pk}/", {"services": []}, format="json")

    # then
    assert response.status_code == 400 and "services" in response.json()
    assert list(vip["segment"].services.all()) == [vip["vip_cut"]]


def test_another_salons_ids_are_404(vip, other_owner, other_salon):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(other_owner)
    segment = vip["segment"]
    other_base = "/api/v1/salons/beta/segments/"

    # then: through their own salon's URL, and through ours
    for method, path in (
        ("get", f"{other_base}{segment.pk}/"),
        ("patch", f"{other_base}{segment.pk}/"),
        ("post", f"{other_base}{segment.pk}/regenerate-link/"),
        ("post", f"{other_base}{segment.pk}/deactivate/"),
        ("get", f"{URL}{segment.pk}/"),
        ("get", URL),
    ):
        assert getattr(api, method)(path, {}, format="json").status_code == 404, path
    assert api.get(other_base).json()["results"] == []
    old = segment.token
    segment.refresh_from_db()
    assert (segment.token, segment.is_active) == (old, True)


def test_staff_members_read_but_do_not_write(vip, staff_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(staff_user)

    # then
    assert api.get(URL).status_code == 200
    assert api.post(f"{URL}{vip['segment'].pk}/regenerate-link/").status_code == 403


def test_embed_settings_api(vip, owner_api, other_owner):
    # when
    bad = owner_api.put(f"{URL}embed-settings/", {"embed_domains": ["ftp://x"]}, format="json")
    good = owner_api.put(
        f"{URL}embed-settings/", {"embed_domains": ["https://alpha-hair.test"]}, format="json"
    )

    # then
    assert bad.status_code == 400 and "embed_domains" in bad.json()
    assert good.status_code == 200
    assert good.json()["embed_domains"] == ["https://alpha-hair.test"]
    assert "/s/alpha/embed/" in good.json()["embed_snippet"]


def test_list_queries_do_not_grow(vip, owner_api, django_assert_max_num_queries):
    from segments.services.segments import segment_create

    for n in range(6):
        segment_create(
            salon=vip["salon"], name=f"G{n}", services=[vip["vip_cut"]], staff=[vip["olga"]]
        )
    with django_assert_max_num_queries(12):
        response = owner_api.get(URL)
    assert response.json()["count"] == 7


def test_schema_lists_the_segments_api_and_the_link_parameter(api_client, db):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/salons/{salon_slug}/segments/" in schema["paths"]
    assert "/api/v1/salons/{salon_slug}/segments/{segment_id}/regenerate-link/" in schema["paths"]
    services = schema["paths"]["/api/v1/public/{salon_slug}/services/"]["get"]
    assert "segment" in [p["name"] for p in services["parameters"]]
    assert "404" in services["responses"]
