"""Reading agency lists and learner rosters: pure functions, no database.

``read_table`` turns an uploaded CSV or XLSX file into rows; ``preview_agencies``
and ``preview_learners`` compare those rows with a snapshot of what the
database holds and return a ``Preview`` saying what an import would do. The
services in ``accounts/services.py`` take the snapshot and apply the preview.

Row numbers are the ones a spreadsheet shows: the header is row 1.
"""

import csv
import io
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .models import Agency, normalise_email, normalise_name
from .roles import GROUP_NAMES, LABELS, ROLES, TRAINEE

MAX_ROWS = 10_000


class NotATable(Exception):
    """The file as a whole cannot be read as the expected table."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


@dataclass(frozen=True)
class Change:
    """A row that matches an existing record and would change some of its fields."""

    row: int
    key: str
    item: object
    changes: dict  # field name -> (old value, new value)


@dataclass
class Preview:
    to_create: list = field(default_factory=list)
    to_update: list[Change] = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.to_create or self.to_update)

    @property
    def error_rows(self) -> list[tuple[int, list[str]]]:
        """Errors grouped by row, in row order, for display."""
        by_row: dict[int, list[str]] = {}
        for error in sorted(self.errors, key=lambda e: e.row):
            by_row.setdefault(error.row, []).append(error.message)
        return list(by_row.items())

    def summary(self) -> dict[str, int]:
        return {
            "to_create": len(self.to_create),
            "to_update": len(self.to_update),
            "unchanged": len(self.unchanged),
            "errors": len({e.row for e in self.errors}),
        }


# Reading files -------------------------------------------------------------


def _normalise_header(value: str) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).strip().lower()
    return "_".join(text.replace("-", " ").split())


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise NotATable(
            _("This spreadsheet could not be read. Save it again as .xlsx or CSV.")
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel's plain "CSV" on a Vietnamese Windows uses code page 1258.
        return unicodedata.normalize("NFC", content.decode("cp1258"))
    except UnicodeDecodeError as exc:
        raise NotATable(
            _("This file is not a readable CSV. Save it as “CSV UTF-8” and try again.")
        ) from exc


def _sniff_delimiter(text: str) -> str:
    """The delimiter Excel used: the most frequent of , ; and tab on the header line."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(content: bytes) -> list[list[str]]:
    if b"\x00" in content[:4096]:
        raise NotATable(_("This file is not a CSV or XLSX spreadsheet."))
    text = _decode(content)
    reader = csv.reader(io.StringIO(text), delimiter=_sniff_delimiter(text))
    rows = []
    try:
        for values in reader:
            rows.append([v.strip() for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as exc:
        raise NotATable(_("This file is not a readable CSV.")) from exc
    return rows


def read_table(
    content: bytes, columns: Mapping[str, tuple[str, ...]], required: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV or XLSX file as (row number, {column: text}).

    ``columns`` maps each column's name to the headers accepted for it; header
    case, spaces and underscores do not matter. Blank rows are skipped.
    """
    if not content or not content.strip():
        raise NotATable(_("The file is empty."))
    is_xlsx = content[:4] == b"PK\x03\x04"
    rows = _read_xlsx(content) if is_xlsx else _read_csv(content)
    header_index = next((i for i, r in enumerate(rows) if any(r)), None)
    if header_index is None:
        raise NotATable(_("The file is empty."))
    if len(rows) - header_index - 1 > MAX_ROWS:
        raise NotATable(
            _("The file has more than %(max)d rows; split it into smaller files.")
            % {"max": MAX_ROWS}
        )

    aliases = {
        _normalise_header(alias): name
        for name, accepted in columns.items()
        for alias in (name, *accepted)
    }
    positions: dict[str, int] = {}
    for position, header in enumerate(rows[header_index]):
        name = aliases.get(_normalise_header(header))
        if name and name not in positions:
            positions[name] = position
    missing = [name for name in required if name not in positions]
    if missing:
        raise NotATable(
            _(
                "This file does not look like the expected table: the column(s) "
                "%(missing)s are missing. The first row must name the columns "
                "%(expected)s."
            )
            % {"missing": ", ".join(missing), "expected": ", ".join(columns)}
        )

    table = []
    for offset, values in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(values):
            continue
        table.append(
            (
                offset,
                {
                    name: values[pos] if pos < len(values) else ""
                    for name, pos in positions.items()
                },
            )
        )
    if not table:
        raise NotATable(_("The file has a header row but no data rows."))
    return table


# Agencies ------------------------------------------------------------------

AGENCY_COLUMNS = {
    "code": ("mã", "mã_cơ_quan", "mã_đơn_vị"),
    "name": ("tên", "tên_cơ_quan", "tên_đơn_vị"),
    "kind": ("loại", "loại_hình"),
    "parent_code": ("parent", "mã_cơ_quan_cấp_trên", "cấp_trên"),
}
AGENCY_REQUIRED = ("code", "name")


@dataclass(frozen=True)
class AgencyRow:
    row: int
    code: str
    name: str
    kind: str
    parent_code: str


@dataclass(frozen=True)
class ExistingAgency:
    code: str
    name: str
    kind: str
    parent_code: str
    is_active: bool = True
    successor_code: str = ""


def _closed_message(code: str, agency: ExistingAgency) -> str:
    if agency.successor_code:
        return _("Agency %(code)s is closed; it was merged into %(successor)s.") % {
            "code": code,
            "successor": agency.successor_code,
        }
    return _("Agency %(code)s is closed.") % {"code": code}


def preview_agencies(
    rows: list[tuple[int, dict[str, str]]], existing: Mapping[str, ExistingAgency]
) -> Preview:
    """What importing these rows would do; parents may come after their children."""
    preview = Preview()
    kinds = {value for value, _label in Agency.Kind.choices}
    candidates: dict[str, AgencyRow] = {}
    first_row: dict[str, int] = {}

    for number, values in rows:
        code = values.get("code", "").strip()
        name = normalise_name(values.get("name", ""))
        kind = values.get("kind", "").strip().lower() or Agency.Kind.OTHER
        parent_code = values.get("parent_code", "").strip()
        problems = []
        if not code:
            problems.append(_("The code is missing."))
        if not name:
            problems.append(_("The name is missing."))
        if kind not in kinds:
            problems.append(
                _("Unknown kind “%(kind)s”; use one of: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(sorted(kinds))}
            )
        if code and code in first_row:
            problems.append(
                _("The code %(code)s also appears on row %(row)d.")
                % {"code": code, "row": first_row[code]}
            )
        elif code:
            first_row[code] = number
        if code and parent_code == code:
            problems.append(_("An agency cannot be its own parent."))
        if problems:
            preview.errors.extend(RowError(number, p) for p in problems)
        else:
            candidates[code] = AgencyRow(number, code, name, kind, parent_code)

    def reject(code: str, message: str) -> None:
        preview.errors.append(RowError(candidates.pop(code).row, message))

    # Parents: in the file or in the database, and open. Rejecting a row can
    # orphan rows below it, so repeat until nothing changes.
    changed = True
    while changed:
        changed = False
        for code, row in list(candidates.items()):
            parent = row.parent_code
            if not parent or parent in candidates:
                continue
            if parent in existing and existing[parent].is_active:
                continue
            if parent in existing:
                reject(code, _closed_message(parent, existing[parent]))
            elif parent in first_row:
                reject(
                    code,
                    _("The parent agency %(code)s (row %(row)d) has errors.")
                    % {"code": parent, "row": first_row[parent]},
                )
            else:
                reject(
                    code, _("Unknown parent agency code %(code)s.") % {"code": parent}
                )
            changed = True

        # Cycles in the tree as it would stand after the import.
        parents = {code: a.parent_code for code, a in existing.items()}
        parents.update({code: row.parent_code for code, row in candidates.items()})
        for code in list(candidates):
            seen = [code]
            current = parents.get(code)
            while current and current not in seen and len(seen) <= len(parents):
                seen.append(current)
                current = parents.get(current)
            if current == code and code in candidates:
                reject(
                    code,
                    _("The parent agencies form a cycle: %(path)s.")
                    % {"path": " → ".join([*seen, code])},
                )
                changed = True

    for code, row in sorted(candidates.items(), key=lambda item: item[1].row):
        current = existing.get(code)
        if current is None:
            preview.to_create.append(row)
            continue
        changes = {
            name: (getattr(current, name), getattr(row, name))
            for name in ("name", "kind", "parent_code")
            if getattr(current, name) != getattr(row, name)
        }
        if changes:
            preview.to_update.append(Change(row.row, code, row, changes))
        else:
            preview.unchanged.append(row)
    return preview


# Learners ------------------------------------------------------------------

LEARNER_COLUMNS = {
    "email": ("e-mail", "thư_điện_tử", "địa_chỉ_email"),
    "full_name": ("name", "họ_và_tên", "họ_tên", "tên"),
    "agency_code": ("agency", "mã_cơ_quan", "mã_đơn_vị", "cơ_quan"),
    "position": ("chức_vụ", "chức_danh"),
    "role": ("vai_trò",),
}
LEARNER_REQUIRED = ("email", "full_name", "agency_code")


@dataclass(frozen=True)
class LearnerRow:
    row: int
    email: str
    full_name: str
    agency_code: str
    position: str
    role: str

    @property
    def role_label(self):
        return LABELS[self.role]


@dataclass(frozen=True)
class ExistingLearner:
    email: str
    full_name: str
    position: str
    agency_code: str
    role: str


def _role_aliases() -> dict[str, str]:
    aliases = {}
    for role in ROLES:
        for alias in (role, role.replace("_", " "), GROUP_NAMES[role]):
            aliases[_normalise_header(alias)] = role
    return aliases


def preview_learners(
    rows: list[tuple[int, dict[str, str]]],
    agencies: Mapping[str, ExistingAgency],
    existing: Mapping[str, ExistingLearner],
) -> Preview:
    """What importing this roster would do; an empty role means trainee."""
    preview = Preview()
    roles = _role_aliases()
    first_row: dict[str, int] = {}

    for number, values in rows:
        raw_email = values.get("email", "")
        email = normalise_email(raw_email)
        full_name = normalise_name(values.get("full_name", ""))
        agency_code = values.get("agency_code", "").strip()
        position = " ".join(values.get("position", "").split())
        raw_role = values.get("role", "")
        role = roles.get(_normalise_header(raw_role)) if raw_role.strip() else TRAINEE
        problems = []

        if not email:
            problems.append(_("The email address is missing."))
        else:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(
                    _("“%(email)s” is not a valid email address.")
                    % {"email": raw_email.strip()}
                )
            else:
                if email in first_row:
                    problems.append(
                        _("The email address %(email)s also appears on row %(row)d.")
                        % {"email": email, "row": first_row[email]}
                    )
                else:
                    first_row[email] = number
        if not full_name:
            problems.append(_("The full name is missing."))
        if not agency_code:
            problems.append(_("The agency code is missing."))
        elif agency_code not in agencies:
            problems.append(_("Unknown agency code %(code)s.") % {"code": agency_code})
        elif not agencies[agency_code].is_active:
            problems.append(_closed_message(agency_code, agencies[agency_code]))
        if role is None:
            problems.append(
                _("Unknown role “%(role)s”; use one of: %(roles)s.")
                % {"role": raw_role.strip(), "roles": ", ".join(ROLES)}
            )
        if problems:
            preview.errors.extend(RowError(number, p) for p in problems)
            continue

        row = LearnerRow(number, email, full_name, agency_code, position, role)
        current = existing.get(email)
        if current is None:
            preview.to_create.append(row)
            continue
        changes = {
            name: (getattr(current, name), getattr(row, name))
            for name in ("full_name", "position", "agency_code", "role")
            if getattr(current, name) != getattr(row, name)
        }
        if changes:
            preview.to_update.append(Change(number, email, row, changes))
        else:
            preview.unchanged.append(row)
    return preview
