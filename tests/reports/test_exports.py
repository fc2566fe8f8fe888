"""Completion downloads: CSV with a byte order mark, XLSX, formula neutralisation,
the export_completion command and exports made in the background."""

import csv
import io
import os
import re
import time
import uuid
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import openpyxl
import pytest
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from courses.certificates.services import (
    issue_certificate,
    revoke_certificate,
    verification_url,
)
from courses.models import CoursePage, Enrolment
from courses.services import enrol_learner
from reports.jobs import _save_job, export_job
from reports.spreadsheets import AGENCY_HEADINGS, LEARNER_HEADINGS, neutralise
from tests.factories import AgencyFactory, UserFactory
from tests.reports.test_completion_report import REPORT

pytestmark = pytest.mark.django_db

# `world` (tests/reports/conftest.py): the report tests' agencies, people and
# enrolments (see build_world), built once for the module.

DANGEROUS = ['=HYPERLINK("http://x")', "+1+2", "-3+4", "@SUM(A1)", "\tx", "\r=1"]


def _vi(text) -> str:
    """A heading as a Vietnamese-speaking user (the default) gets it."""
    with translation.override("vi"):
        return str(text)


def _body(response) -> bytes:
    return (
        b"".join(response.streaming_content) if response.streaming else response.content
    )


def _csv(response) -> list[list[str]]:
    body = _body(response)
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with the mark
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _learners_url(agency, **params):
    url = reverse("reports:learners", args=[agency.pk])
    return url + (
        "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    )


def test_neutralise_prefixes_formula_like_text_only():
    assert [neutralise(v) for v in DANGEROUS] == ["'" + v for v in DANGEROUS]
    assert neutralise("Nguyễn Văn A") == "Nguyễn Văn A"
    assert neutralise(-3) == -3  # numbers are numbers, not text
    assert neutralise("a=b") == "a=b"


def test_the_agency_csv_has_a_byte_order_mark_and_vietnamese_text(client, world):
    client.force_login(world.people.admin)
    response = client.get(REPORT, {"course": world.course.pk, "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        'filename="completion-by-agency-ky-nang.csv"' in response["Content-Disposition"]
    )
    rows = _csv(response)
    by_code = {row[0]: row for row in rows[1:]}
    # Every level, not only the two on screen; roll-up figures with one decimal.
    assert set(by_code) == {"P", "P-S", "P-D", "P-D-O", "P-D-R", "P-X"}
    assert by_code["P-D"][1] == "Huyện Đông"
    assert by_code["P-D"][3:] == [
        "1",
        "P",
        "6",
        "2",
        "1",
        "3",
        "2",
        "50.0",
        "85.0",
        "10.0",
    ]
    assert by_code["P-D-O"][3:5] == ["2", "P-D"]


def test_the_agency_xlsx_matches_the_report(client, world):
    client.force_login(world.people.admin)
    response = client.get(REPORT, {"course": world.course.pk, "export": "xlsx"})
    rows = _xlsx(_body(response))
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["P-D"][5:10] == [6, 2, 1, 3, 2]
    assert float(by_code["P-D"][10]) == 50.0


def test_formulas_are_neutralised_in_csv_and_xlsx(client, world):
    unit = AgencyFactory(code="P-D-Z", name="=cmd|' /C calc'!A0", parent=world.district)
    for i, text in enumerate(DANGEROUS):
        learner = UserFactory(full_name=f"Người {i}", position=text, agency=unit)
        enrol_learner(learner=learner, course=world.course)
    client.force_login(world.people.admin)
    url = _learners_url(unit, course=world.course.pk)

    rows = _csv(client.get(url + "&export=csv"))
    header = rows[0]
    position = header.index(_vi(LEARNER_HEADINGS["position"]))
    assert sorted(row[position] for row in rows[1:]) == sorted(
        "'" + v for v in DANGEROUS
    )
    agency = header.index(_vi(LEARNER_HEADINGS["agency_name"]))
    assert {row[agency] for row in rows[1:]} == {"'=cmd|' /C calc'!A0"}

    sheet = openpyxl.load_workbook(
        io.BytesIO(_body(client.get(url + "&export=xlsx")))
    ).active
    cells = [row[position] for row in sheet.iter_rows(min_row=2)]
    # (XML reads a stored carriage return back as a line feed.)
    values = sorted(c.value.replace("\n", "\r") for c in cells)
    assert values == sorted("'" + v for v in DANGEROUS)
    assert {c.data_type for c in cells} == {"s"}  # text, never a formula

    agencies = _csv(client.get(REPORT, {"course": world.course.pk, "export": "csv"}))
    assert "'=cmd|' /C calc'!A0" in {row[1] for row in agencies}


def test_learner_exports_follow_the_managers_scope(client, world):
    client.force_login(world.people.manager)
    rows = _csv(client.get(_learners_url(world.district, export="csv")))
    names = {row[0] for row in rows[1:]}
    assert "Đỗ Văn Chín" not in names  # district X is not theirs
    assert {"Võ Thị Sáu", "Hoàng Văn Năm"} <= names
    other = reverse("reports:learners", args=["other"]) + "?export=csv"
    assert [row[0] for row in _csv(client.get(other))[1:]] == ["Đặng Văn Bảy"]


@pytest.fixture
def certificates(world):
    """Certificates for the office's and the radio's finished learners; the radio
    learner's is revoked."""
    CoursePage.objects.filter(pk=world.course.pk).update(certificate_enabled=True)
    issued = SimpleNamespace(
        o1=issue_certificate(enrolment=Enrolment.objects.get(pk=world.e.o1.pk)),
        r1=issue_certificate(enrolment=Enrolment.objects.get(pk=world.e.r1.pk)),
    )
    revoke_certificate(
        certificate=issued.r1, revoked_by=world.people.admin, reason="Sai tên"
    )
    issued.r1.refresh_from_db()
    return issued


def _certificate_cells(header: list[str], rows: list[list]) -> dict[str, tuple]:
    """Each learner's certificate code, verification link and revocation."""
    columns = [
        header.index(_vi(LEARNER_HEADINGS[name]))
        for name in ("certificate", "certificate_url", "certificate_revoked_at")
    ]
    return {row[0]: tuple(row[c] for c in columns) for row in rows}


def test_learner_exports_carry_the_certificate_code_link_and_revocation(
    client, world, certificates, django_assert_max_num_queries
):
    client.force_login(world.people.admin)
    url = _learners_url(world.district, course=world.course.pk, export="csv")
    with django_assert_max_num_queries(12):  # however many rows and certificates
        rows = _csv(client.get(url))
    cells = _certificate_cells(rows[0], rows[1:])
    o1, r1 = certificates.o1, certificates.r1
    assert cells["Nguyễn Văn Một"] == (o1.code, verification_url(o1), "")
    revoked = timezone.localtime(r1.revoked_at).strftime("%Y-%m-%d %H:%M")
    assert cells["Phạm Thị Bốn"] == (r1.code, verification_url(r1), revoked)
    assert verification_url(o1) == f"http://testserver/certificates/verify/{o1.code}/"
    # Completed without a certificate, and not completed: empty cells.
    assert cells["Võ Thị Sáu"] == cells["Lê Văn Ba"] == ("", "", "")

    sheet = _xlsx(_body(client.get(url.replace("csv", "xlsx"))))
    cells = _certificate_cells([_vi(h) for h in sheet[0]], sheet[1:])
    assert cells["Nguyễn Văn Một"] == (o1.code, verification_url(o1), None)
    assert cells["Phạm Thị Bốn"][:2] == (r1.code, verification_url(r1))
    local = timezone.localtime(r1.revoked_at).replace(tzinfo=None)
    assert abs(cells["Phạm Thị Bốn"][2] - local) < timedelta(seconds=1)  # a date
    assert cells["Lê Văn Ba"] == (None, None, None)


def test_background_and_command_exports_carry_certificates_too(
    client, world, certificates, folders, tmp_path
):
    job_id = _start_export(client, world, "csv")
    download = client.get(reverse("reports:export_download", args=[job_id]))
    rows = _csv(download)
    cells = _certificate_cells(rows[0], rows[1:])
    assert cells["Nguyễn Văn Một"][:2] == (
        certificates.o1.code,
        verification_url(certificates.o1),
    )
    assert cells["Phạm Thị Bốn"][2]  # revoked

    output = tmp_path / "learners.csv"
    call_command(
        "export_completion",
        course="ky-nang",
        format="csv",
        output=str(output),
        level="learner",
        stdout=io.StringIO(),
    )
    rows = list(csv.reader(io.StringIO(output.read_text(encoding="utf-8-sig"))))
    assert _certificate_cells(rows[0], rows[1:]) == cells | {
        "Đỗ Văn Chín": ("", "", ""),  # the command covers every agency
        "Đặng Văn Bảy": ("", "", ""),
    }


# The command -----------------------------------------------------------------------


def test_export_completion_writes_the_agency_rows(world, tmp_path):
    output = tmp_path / "completion.csv"
    out = io.StringIO()
    call_command(
        "export_completion",
        course="ky-nang",
        format="csv",
        output=str(output),
        stdout=out,
    )
    assert out.getvalue().strip() == f"Wrote 6 agency rows to {output}."
    content = output.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:2] == [_vi(AGENCY_HEADINGS["code"]), _vi(AGENCY_HEADINGS["name"])]
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["P"][5] == "8" and by_code["P-D"][5] == "6"


def test_export_completion_writes_learner_rows_for_an_agency(world, tmp_path):
    output = tmp_path / "learners.xlsx"
    out = io.StringIO()
    call_command(
        "export_completion",
        "--course=ky-nang",
        "--format=xlsx",
        f"--output={output}",
        "--level=learner",
        "--agency=P-D-C",  # merged into the office: stands for the office
        stdout=out,
    )
    assert out.getvalue().strip() == f"Wrote 4 learner rows to {output}."
    rows = _xlsx(output.read_bytes())
    assert sorted(row[0] for row in rows[1:]) == sorted(
        ["Nguyễn Văn Một", "Trần Thị Hai", "Lê Văn Ba", "Võ Thị Sáu"]
    )


def test_export_completion_scopes_to_a_user_and_checks_its_arguments(world, tmp_path):
    output = str(tmp_path / "x.csv")
    with pytest.raises(CommandError, match="No agency"):
        call_command(
            "export_completion",
            course="all",
            format="csv",
            output=output,
            agency="P-X",
            user=world.people.manager.email,
        )
    with pytest.raises(CommandError, match="No course"):
        call_command("export_completion", course="nope", format="csv", output=output)
    out = io.StringIO()
    call_command(
        "export_completion",
        course="all",
        format="csv",
        output=output,
        user=world.people.manager.email,
        stdout=out,
    )
    # D, O, R and the row for the learner who moved in.
    assert out.getvalue().startswith("Wrote 4 agency rows")


# Exports in the background ---------------------------------------------------------


@pytest.fixture
def folders(settings, tmp_path):
    """MEDIA_ROOT and the private storage in this test's own folders, and an inline
    limit small enough to send the district's six learners to the background."""
    settings.REPORT_INLINE_EXPORT_MAX_ROWS = 2
    settings.MEDIA_ROOT = tmp_path / "media"
    private = settings.STORAGES["private"]
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            **private,
            "OPTIONS": {**private["OPTIONS"], "location": tmp_path / "private"},
        },
    }
    return SimpleNamespace(media=tmp_path / "media", private=tmp_path / "private")


def _start_export(client, world, export_format="xlsx") -> str:
    client.force_login(world.people.admin)
    response = client.get(_learners_url(world.district, export=export_format))
    assert response.status_code == 302
    found = re.fullmatch(
        r"/admin/reports/completion/exports/([0-9a-f-]+)/", response.url
    )
    assert found
    return found.group(1)


def test_a_finished_export_is_kept_outside_media_root_for_its_owner_only(
    client, world, folders
):
    job_id = _start_export(client, world)
    job = export_job(job_id)
    assert job["owner"] == world.people.admin.pk
    assert job["status"] == "done" and job["done"] == job["total"] == 6
    assert job["name"] == f"exports/{job_id}/export.xlsx"
    assert storages["private"].exists(job["name"])
    assert (folders.private / job["name"]).is_file()
    media = list(folders.media.rglob("*")) if folders.media.exists() else []
    assert not [path for path in media if path.is_file()]

    status_url = reverse("reports:export", args=[job_id])
    status = client.get(status_url)
    assert status.status_code == 200 and "Refresh" not in status
    download = reverse("reports:export_download", args=[job_id])
    assert download in status.content.decode()
    response = client.get(download)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert 'filename="completion-learners' in response["Content-Disposition"]
    rows = _xlsx(_body(response))
    assert len(rows) == 7  # the headings and six learners

    other_admin = UserFactory(agency=world.province, role="administrator")
    for person in (other_admin, world.people.manager):
        client.force_login(person)
        assert client.get(status_url).status_code == 404
        assert client.get(download).status_code == 404
    client.logout()
    for url in (status_url, download):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")


def test_exports_go_through_the_storage_api_only(client, world, folders, settings):
    """Any storage will do (an S3-compatible bucket on several servers): here one
    in memory, which has no file system path at all."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    job_id = _start_export(client, world, "csv")
    assert export_job(job_id)["status"] == "done"
    download = client.get(reverse("reports:export_download", args=[job_id]))
    assert len(_csv(download)) == 7
    assert not folders.private.exists() and not folders.media.exists()


def test_a_queued_export_shows_its_progress_and_no_file_yet(client, world, folders):
    with mock.patch("reports.jobs.build_learner_export") as task:
        job_id = _start_export(client, world, "csv")
    assert task.enqueue.call_count == 1
    status = client.get(reverse("reports:export", args=[job_id]))
    assert status["Refresh"] == "3"  # reloads itself until the file is ready
    assert '<progress max="6" value="0">' in status.content.decode()
    download = reverse("reports:export_download", args=[job_id])
    assert client.get(download).status_code == 404


def test_a_job_state_is_read_whole_while_a_newer_one_is_written(world, folders):
    job_id = str(uuid.uuid4())
    _save_job(job_id, {"owner": 1, "status": "queued", "done": 0})
    _save_job(job_id, {**export_job(job_id), "status": "running", "done": 2000})
    folder = folders.private / "exports" / job_id
    # Each change is a new file; the ones before it are gone.
    assert [path.name for path in folder.iterdir()] == ["state-000002.json"]
    # A newer state half written (as a local file is while it is saved) is
    # passed over for the last whole one.
    (folder / "state-000003.json").write_text('{"owner": 1, "sta')
    assert export_job(job_id)["done"] == 2000
    assert export_job(str(uuid.uuid4())) is None
    with pytest.raises(ValueError):
        export_job("../../media")


def test_exports_older_than_a_day_are_removed_when_the_next_starts(
    client, world, folders
):
    old_id = _start_export(client, world)
    old_folder = folders.private / "exports" / old_id
    two_days_ago = time.time() - 2 * 24 * 60 * 60
    for path in old_folder.iterdir():
        os.utime(path, (two_days_ago, two_days_ago))
    new_id = _start_export(client, world)
    assert not old_folder.exists()
    assert export_job(old_id) is None
    assert export_job(new_id)["status"] == "done"


def test_small_exports_are_served_at_once(client, world, folders, settings):
    settings.REPORT_INLINE_EXPORT_MAX_ROWS = 5000
    client.force_login(world.people.admin)
    response = client.get(_learners_url(world.district, export="csv"))
    assert response.status_code == 200
    assert len(_csv(response)) == 7
    assert not folders.private.exists()
