"""Importing the agency list: idempotent, parents after children, errors per row."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from accounts import imports
from accounts.models import Agency
from accounts.services import import_agencies, preview_agency_import

HEADER = "code,name,kind,parent_code\n"


def csv_bytes(*rows) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def test_the_province_file_imports_and_a_second_import_changes_nothing(db):
    content = (settings.BASE_DIR / "data" / "agencies.csv").read_bytes()
    first = import_agencies(content=content)
    assert first.summary()["to_create"] == Agency.objects.count() > 40
    assert first.errors == []
    stamps = dict(Agency.objects.values_list("code", "updated_at"))
    second = import_agencies(content=content)
    assert second.summary() == {
        "to_create": 0,
        "to_update": 0,
        "unchanged": len(stamps),
        "errors": 0,
    }
    assert dict(Agency.objects.values_list("code", "updated_at")) == stamps
    assert Agency.objects.get(code="QNG-BSO-TT").parent.code == "QNG-BSO"


def test_parents_may_come_after_their_children(db):
    import_agencies(
        content=csv_bytes(
            "C,Phòng C,office,B",
            "B,Huyện B,district,A",
            "A,Tỉnh A,province,",
        )
    )
    assert Agency.objects.get(code="C").parent.code == "B"
    assert Agency.objects.get(code="B").parent.code == "A"
    assert Agency.objects.get(code="A").parent is None


def test_a_changed_row_updates_by_code_and_a_rename_keeps_the_code(db):
    import_agencies(content=csv_bytes("A,Tỉnh A,province,", "B,Huyện B,district,A"))
    preview = import_agencies(
        content=csv_bytes("A,Tỉnh A,province,", "B,Thị xã B,district,A")
    )
    (change,) = preview.to_update
    assert change.key == "B"
    assert change.changes == {"name": ("Huyện B", "Thị xã B")}
    assert Agency.objects.get(code="B").name == "Thị xã B"


@pytest.mark.parametrize(
    "rows, bad_row, message",
    [
        (["A,Tỉnh A,planet,"], 2, "Unknown kind “planet”"),
        ([",Không mã,office,"], 2, "The code is missing."),
        (["A,,office,"], 2, "The name is missing."),
        (["A,Tỉnh A,province,", "B,Huyện B,district,NOPE"], 3, "Unknown parent"),
        (
            ["A,Tỉnh A,province,", "A,Tỉnh A lần hai,province,"],
            3,
            "also appears on row 2",
        ),
        (["A,A,office,B", "B,B,office,A", "C,C,office,"], 2, "form a cycle"),
        (["A,A,office,A"], 2, "cannot be its own parent"),
    ],
)
def test_each_kind_of_error_is_reported_with_its_row(db, rows, bad_row, message):
    preview = preview_agency_import(content=csv_bytes(*rows))
    assert bad_row in {e.row for e in preview.errors}
    assert any(message in e.message for e in preview.errors if e.row == bad_row)


def test_a_cycle_marks_every_row_on_it_and_valid_rows_still_import(db):
    preview = import_agencies(
        content=csv_bytes("A,A,office,B", "B,B,office,A", "C,C,office,")
    )
    assert {e.row for e in preview.errors} == {2, 3}
    assert list(Agency.objects.values_list("code", flat=True)) == ["C"]


def test_a_cycle_through_an_existing_agency_is_refused(db):
    import_agencies(content=csv_bytes("A,Tỉnh A,province,", "B,Huyện B,district,A"))
    preview = preview_agency_import(content=csv_bytes("A,Tỉnh A,province,B"))
    assert "form a cycle" in preview.errors[0].message


def test_children_of_a_rejected_row_are_reported_too(db):
    preview = preview_agency_import(
        content=csv_bytes("A,Tỉnh A,planet,", "B,Huyện B,district,A")
    )
    assert {e.row for e in preview.errors} == {2, 3}
    assert "(row 2) has errors" in [e for e in preview.errors if e.row == 3][0].message


def test_a_non_agency_file_is_one_clear_error(db):
    with pytest.raises(imports.NotATable) as raised:
        preview_agency_import(content=b"email,full_name\na@example.org,A\n")
    assert "code" in raised.value.message and "name" in raised.value.message


def test_import_agencies_command(db, tmp_path, capsys):
    path = tmp_path / "agencies.csv"
    path.write_bytes(csv_bytes("A,Tỉnh A,province,", "B,Huyện B,planet,A"))
    call_command("import_agencies", str(path), "--dry-run")
    assert not Agency.objects.exists()
    call_command("import_agencies", str(path))
    captured = capsys.readouterr()
    assert "1 were created" in captured.out
    assert "row 3" in captured.err
    assert list(Agency.objects.values_list("code", flat=True)) == ["A"]


def test_import_agencies_command_refuses_a_non_table(db, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "x.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError):
        call_command("import_agencies", str(path))


def test_admin_agency_import_preview_then_confirm(client, administrator):
    client.force_login(administrator)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.csv", csv_bytes("A,Tỉnh A,province,"))
    response = client.post(reverse("agency:import"), {"file": upload})
    assert response["Location"] == reverse("agency:import_preview")
    response = client.get(reverse("agency:import_preview"))
    assert response.status_code == 200
    assert not Agency.objects.filter(code="A").exists()
    client.post(reverse("agency:import_preview"), {"token": response.context["token"]})
    assert Agency.objects.filter(code="A").exists()
