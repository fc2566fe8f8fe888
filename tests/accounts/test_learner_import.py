"""Importing a learner roster: preview, errors, formats, idempotence, invitations."""

import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from accounts import imports
from accounts.models import User
from accounts.roles import AGENCY_MANAGER, TRAINER, role_of
from accounts.services import import_learners, preview_learner_import
from tests.factories import AgencyFactory, UserFactory

HEADER = "email,full_name,agency_code,position,role\n"


@pytest.fixture
def agencies(db):
    province = AgencyFactory(code="QNG", name="Tỉnh Quảng Ngãi", kind="province")
    AgencyFactory(code="QNG-STTTT", name="Sở TT&TT", parent=province)
    AgencyFactory(
        code="QNG-BSO", name="Huyện Bình Sơn", kind="district", parent=province
    )


def csv_bytes(*rows, header=HEADER) -> bytes:
    return (header + "".join(r + "\n" for r in rows)).encode()


def test_preview_sorts_rows_into_create_update_unchanged(agencies):
    UserFactory(
        email="same@example.org",
        full_name="Lê Văn Cũ",
        position="Chuyên viên",
        agency=AgencyFactory(code="QNG-STTTT"),
    )
    UserFactory(email="moved@example.org", full_name="Lê Thị Đi", position="")
    preview = preview_learner_import(
        content=csv_bytes(
            "new@example.org,Phạm Văn Mới,QNG-STTTT,Chuyên viên,trainee",
            "same@example.org,Lê Văn Cũ,QNG-STTTT,Chuyên viên,trainee",
            "moved@example.org,Lê Thị Đi,QNG-BSO,,trainer",
        )
    )
    assert [r.email for r in preview.to_create] == ["new@example.org"]
    assert [r.email for r in preview.unchanged] == ["same@example.org"]
    (change,) = preview.to_update
    assert change.key == "moved@example.org"
    assert change.changes["role"] == ("trainee", "trainer")
    assert change.changes["agency_code"][1] == "QNG-BSO"
    assert preview.errors == []


@pytest.mark.parametrize(
    "row, message",
    [
        ("not-an-email,Phạm Văn A,QNG-STTTT,,", "is not a valid email address"),
        (",Phạm Văn A,QNG-STTTT,,", "email address is missing"),
        ("a@example.org,Phạm Văn A,NOPE,,", "Unknown agency code NOPE"),
        ("a@example.org,Phạm Văn A,,,", "agency code is missing"),
        ("a@example.org,Phạm Văn A,QNG-STTTT,,boss", "Unknown role “boss”"),
        ("a@example.org,  ,QNG-STTTT,,", "full name is missing"),
    ],
)
def test_preview_reports_each_kind_of_error_with_its_row(agencies, row, message):
    preview = preview_learner_import(
        content=csv_bytes("ok@example.org,Trần Văn Đúng,QNG-STTTT,,", row)
    )
    assert [r.email for r in preview.to_create] == ["ok@example.org"]
    assert [e.row for e in preview.errors] == [3]
    assert message in preview.errors[0].message


def test_duplicate_email_in_the_file_is_an_error_on_the_second_row(agencies):
    preview = preview_learner_import(
        content=csv_bytes(
            "dup@example.org,Trần Văn Một,QNG-STTTT,,",
            "DUP@example.org,Trần Văn Hai,QNG-STTTT,,",
        )
    )
    assert len(preview.to_create) == 1
    assert preview.errors == [
        imports.RowError(3, "The email address dup@example.org also appears on row 2.")
    ]


def test_a_closed_agency_is_an_error_naming_its_successor(agencies, administrator):
    from accounts.models import Agency
    from accounts.services import merge_agency

    merge_agency(
        source=Agency.objects.get(code="QNG-BSO"),
        target=Agency.objects.get(code="QNG-STTTT"),
        merged_by=administrator,
    )
    preview = preview_learner_import(content=csv_bytes("a@example.org,A B,QNG-BSO,,"))
    assert "merged into QNG-STTTT" in preview.errors[0].message


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   \n\n",
        b"name,phone\nAn,0123\n",
        bytes(range(256)) * 4,
        b"PK\x03\x04not really a workbook",
        HEADER.encode(),
    ],
    ids=["empty", "blank", "wrong columns", "binary", "broken xlsx", "header only"],
)
def test_a_file_that_is_not_a_roster_gets_one_clear_error(agencies, content):
    with pytest.raises(imports.NotATable) as raised:
        preview_learner_import(content=content)
    assert raised.value.message


def test_missing_columns_are_named(agencies):
    with pytest.raises(imports.NotATable) as raised:
        preview_learner_import(content=b"email,name\na@example.org,A\n")
    assert "agency_code" in raised.value.message


def test_excel_csv_with_bom_and_semicolons_and_other_headers(agencies):
    content = (
        "\ufeffEmail;Họ và tên;Mã cơ quan;Chức vụ;Vai trò\r\n"
        "an@example.org;Nguye\u0302\u0303n Văn An;QNG-STTTT;Người phát ngôn;"
        "Giảng viên\r\n"
    ).encode()
    (row,) = preview_learner_import(content=content).to_create
    assert row.email == "an@example.org"
    assert row.full_name == "Nguyễn Văn An"  # composed (NFC)
    assert row.position == "Người phát ngôn"
    assert row.role == TRAINER


def test_xlsx_roster(agencies):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["EMAIL", "Full_Name", "agency_code", "position", "role"])
    sheet.append([" Mai@Example.org ", "Lý Thu Mai", "QNG-BSO", None, "agency_manager"])
    sheet.append([None, None, None, None, None])
    sheet.append(["bad", "X", "QNG-BSO", None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = preview_learner_import(content=buffer.getvalue())
    assert [(r.email, r.role) for r in preview.to_create] == [
        ("mai@example.org", AGENCY_MANAGER)
    ]
    assert [e.row for e in preview.errors] == [4]


def test_import_creates_people_with_role_and_address_then_reimport_changes_nothing(
    agencies, django_capture_on_commit_callbacks
):
    content = csv_bytes(
        "an@example.org,Nguyễn Văn An,QNG-STTTT,Chuyên viên,trainer",
        "binh@example.org,Trần Thị Bình,QNG-BSO,,",
        "broken,Không Hợp Lệ,QNG-BSO,,",
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = import_learners(content=content, invite=False)
    assert first.summary() == {
        "to_create": 2,
        "to_update": 0,
        "unchanged": 0,
        "errors": 1,
    }
    an = User.objects.get(email="an@example.org")
    assert role_of(an) == TRAINER and an.is_staff and an.agency.code == "QNG-STTTT"
    assert not an.has_usable_password()
    assert EmailAddress.objects.get(user=an).primary
    assert not User.objects.filter(full_name="Không Hợp Lệ").exists()

    with django_capture_on_commit_callbacks(execute=True):
        second = import_learners(content=content, invite=False)
    assert second.summary() == {
        "to_create": 0,
        "to_update": 0,
        "unchanged": 2,
        "errors": 1,
    }
    assert mail.outbox == []


def test_dry_run_changes_nothing(agencies):
    import_learners(content=csv_bytes("an@example.org,An,QNG-STTTT,,"), dry_run=True)
    assert not User.objects.filter(email="an@example.org").exists()


def test_new_people_get_an_invitation_that_lets_them_set_a_password(
    client, agencies, site_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_learners(
            content=csv_bytes("an@example.org,Nguyễn Văn An,QNG-STTTT,,"), invite=True
        )
    (message,) = mail.outbox
    assert message.to == ["an@example.org"]
    assert "Nguyễn Văn An" in message.body  # Vietnamese by default
    user = User.objects.get(email="an@example.org")
    assert user.invited_at is not None

    path = re.search(r"http://testserver(/\S+)", message.body).group(1)
    response = client.get(path, follow=True)
    assert response.status_code == 200 and not response.context.get("token_fail")
    client.post(
        response.request["PATH_INFO"],
        {"password1": "my own pass 2025!", "password2": "my own pass 2025!"},
    )
    # The address is now verified, so the person signs in straight away.
    assert EmailAddress.objects.get(user=user).verified
    response = client.post(
        reverse("account_login"),
        {"login": "an@example.org", "password": "my own pass 2025!"},
    )
    assert response.status_code == 302
    assert client.get("/").context["user"] == user
    # The link works once.
    assert client.get(path, follow=True).context.get("token_fail")


def test_invitation_is_in_the_persons_language(
    agencies, django_capture_on_commit_callbacks
):
    from accounts.tasks import send_invitation

    user = UserFactory(preferred_language="en", password=None)
    with django_capture_on_commit_callbacks(execute=True):
        send_invitation.enqueue(user.pk)
    assert "To start, choose your password" in mail.outbox[0].body


def test_import_learners_command(agencies, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes("an@example.org,An,QNG-STTTT,,", "x,Y,QNG,,"))
    call_command("import_learners", str(path), "--dry-run")
    assert not User.objects.filter(email="an@example.org").exists()
    call_command("import_learners", str(path), "--no-invite")
    captured = capsys.readouterr()
    assert "1 were created" in captured.out
    assert "row 3" in captured.err
    assert User.objects.filter(email="an@example.org").exists()
    assert mail.outbox == []


# The admin upload ------------------------------------------------------------


def test_admin_upload_preview_then_confirm(
    client, agencies, administrator, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    client.cookies["django_language"] = "en"
    upload = io.BytesIO(
        csv_bytes("an@example.org,Nguyễn Văn An,QNG-STTTT,,", "bad,X,QNG,,")
    )
    upload.name = "roster.csv"
    response = client.post(
        reverse("roster_import:upload"), {"file": upload, "invite": "on"}
    )
    assert response["Location"] == reverse("roster_import:preview")
    response = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "an@example.org" in html and "is not a valid email address" in html
    assert not User.objects.filter(email="an@example.org").exists()

    # A forged token is refused; the stored file is imported only with the
    # token of this preview.
    assert (
        client.post(reverse("roster_import:preview"), {"token": "x"}).status_code == 400
    )
    token = response.context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roster_import:preview"), {"token": token})
    assert response["Location"] == reverse("wagtailusers_users:index")
    assert User.objects.filter(email="an@example.org").exists()
    assert len(mail.outbox) == 1
    # The stored file is gone: confirming twice does nothing more.
    assert (
        client.post(reverse("roster_import:preview"), {"token": token}).status_code
        == 400
    )


def test_admin_upload_of_a_non_roster_shows_one_error(client, agencies, administrator):
    client.force_login(administrator)
    client.cookies["django_language"] = "en"
    upload = io.BytesIO(b"\x00\x01\x02 junk")
    upload.name = "photo.csv"
    response = client.post(
        reverse("roster_import:upload"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "This file is not a CSV or XLSX spreadsheet."
    ]
