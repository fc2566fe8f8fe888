"""CSV and XLSX writers shared by the report's downloads, the background jobs and
``export_completion``: Excel-friendly, and safe against formula injection."""

import codecs
import csv
import datetime
from collections.abc import Callable
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from courses.certificates.services import verification_url
from courses.models import Certificate, Enrolment

# Spreadsheets ------------------------------------------------------------------

AGENCY_HEADINGS = {
    "code": _("Agency code"),
    "name": _("Agency"),
    "kind_label": _("Kind"),
    "level": _("Level"),
    "parent_code": _("Parent agency code"),
    "assigned": _("Assigned"),
    "not_started": _("Not started"),
    "in_progress": pgettext_lazy("learning status", "In progress"),
    "completed": _("Completed"),
    "overdue": _("Overdue"),
    "completion_percent": _("Completion %"),
    "average_score": _("Average score"),
    "median_days": _("Median days to complete"),
}
LEARNER_HEADINGS = {
    "learner_name": _("Name"),
    "learner_email": _("Email"),
    "position": _("Position"),
    "agency_code": _("Agency code at enrolment"),
    "agency_name": _("Agency at enrolment"),
    "current_agency_name": _("Current agency"),
    "course_title": _("Course"),
    "status": _("Status"),
    "overdue": _("Overdue"),
    "progress": _("Progress %"),
    "enrolled_at": _("Enrolled"),
    "last_activity_at": _("Last activity"),
    "completed_at": _("Completed"),
    "due_at": _("Due"),
    "score": _("Score"),
    # The certificate's code, the public page that verifies it, and when it was
    # revoked (empty while it is valid).
    "certificate": _("Certificate"),
    "certificate_url": _("Certificate verification link"),
    "certificate_revoked_at": _("Certificate revoked on"),
}
STATUS_LABELS = dict(Enrolment.Status.choices)

# A cell starting with one of these is read as a formula by spreadsheet programs
# (OWASP "CSV injection"); tab and carriage return hide such a start.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeSpreadsheetMixin(SpreadsheetExportMixin):
    """Wagtail's spreadsheet export, made fit for Excel users in Vietnam.

    Wagtail already stores an XLSX cell that openpyxl takes for a formula as
    text, but only for "=", and does nothing for CSV. Added here: a leading
    apostrophe on formula-like text in both formats, a UTF-8 byte order mark so
    that Excel reads Vietnamese CSV correctly, local times instead of UTC, status
    labels instead of codes, and rows read in chunks so that 100,000 of them fit
    in memory.
    """

    CHUNK_SIZE = 2000

    def to_row_dict(self, item):
        row = {}
        for name in self.list_export:
            if name == "certificate":
                row[name] = item["certificate_code"]
            elif name == "certificate_url":
                code = item["certificate_code"]
                row[name] = self._verification_url(code) if code else None
            elif name == "status":
                status = item["status"] if isinstance(item, dict) else item.status
                row[name] = STATUS_LABELS.get(status, status)
            else:
                row[name] = (
                    item[name] if isinstance(item, dict) else getattr(item, name)
                )
        return row

    def preprocess_field_value(self, field, value, export_format):
        # The common types first: a large export calls this a million times.
        if value is None:
            # An XLSX cell left empty is not written at all: a tenth fewer cells.
            return "" if export_format == self.FORMAT_CSV else None
        if isinstance(value, str):
            return self._text(value, export_format)
        if isinstance(value, bool):
            return self._yes_no[value]
        if isinstance(value, int | float | Decimal):
            return value
        if isinstance(value, datetime.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(self._zone).replace(tzinfo=None)
            if export_format == self.FORMAT_CSV:
                return value.strftime("%Y-%m-%d %H:%M")
            return value
        value = super().preprocess_field_value(field, value, export_format)
        return self._text(value, export_format) if isinstance(value, str) else value

    @cached_property
    def _verification_url(self) -> Callable[[str], str]:
        """verification_url() of a code, without reversing the URL for every row
        (a twentieth of a large export's time)."""
        sample = "0000-0000-0000"
        before, after = verification_url(Certificate(code=sample)).split(sample)
        return lambda code: f"{before}{code}{after}"

    @cached_property
    def _zone(self):
        # Looked up once: timezone.localtime() asks for it again for every value.
        return timezone.get_current_timezone()

    @cached_property
    def _yes_no(self) -> dict[bool, str]:
        return {True: gettext("Yes"), False: gettext("No")}

    @staticmethod
    def _text(value: str, export_format: str) -> str:
        if export_format == SpreadsheetExportMixin.FORMAT_XLSX:
            # XML cannot hold most control characters; openpyxl refuses them.
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return neutralise(value)

    def get_heading(self, queryset, field):
        return str(self.export_headings.get(field, field))

    rows_written = 0

    def _iterate(self, rows, progress):
        if isinstance(rows, QuerySet):
            rows = rows.iterator(chunk_size=self.CHUNK_SIZE)
        self.rows_written = 0
        for item in rows:
            yield item
            self.rows_written += 1
            if progress is not None and self.rows_written % self.CHUNK_SIZE == 0:
                progress(self.rows_written)

    def stream_csv(self, queryset, progress: Callable[[int], None] | None = None):
        yield codecs.BOM_UTF8
        writer = csv.DictWriter(_Echo(), fieldnames=self.list_export)
        yield writer.writerow(
            {name: self.get_heading(queryset, name) for name in self.list_export}
        )
        for item in self._iterate(queryset, progress):
            yield self.write_csv_row(writer, self.to_row_dict(item))

    def write_xlsx(self, queryset, output, progress=None):
        # Plain values rather than Wagtail's one WriteOnlyCell per value: a third
        # faster. No text can start with "=" after neutralise(), so openpyxl
        # never takes one for a formula; dates get its ISO date-time format.
        workbook = Workbook(write_only=True, iso_dates=True)
        worksheet = workbook.create_sheet(title=str(self.sheet_title)[:31])
        worksheet.append(self.get_heading(queryset, name) for name in self.list_export)
        xlsx = self.FORMAT_XLSX
        for item in self._iterate(queryset, progress):
            worksheet.append(
                [
                    self.preprocess_field_value(name, value, xlsx)
                    for name, value in self.to_row_dict(item).items()
                ]
            )
        workbook.save(output)

    sheet_title = _("Completion")


class _Echo:
    def write(self, value):
        return value.encode("utf-8")


class AgencySpreadsheet(SafeSpreadsheetMixin):
    list_export = list(AGENCY_HEADINGS)
    export_headings = AGENCY_HEADINGS
    sheet_title = _("By agency")


class LearnerSpreadsheet(SafeSpreadsheetMixin):
    list_export = list(LEARNER_HEADINGS)
    export_headings = LEARNER_HEADINGS
    sheet_title = _("Learners")


def write_spreadsheet(
    spreadsheet: SafeSpreadsheetMixin, rows, output, export_format: str, progress=None
) -> int:
    """Write rows as CSV (with its byte order mark) or XLSX to a binary file;
    returns how many rows were written."""
    if export_format == SpreadsheetExportMixin.FORMAT_CSV:
        for chunk in spreadsheet.stream_csv(rows, progress=progress):
            output.write(chunk)
    elif export_format == SpreadsheetExportMixin.FORMAT_XLSX:
        spreadsheet.write_xlsx(rows, output, progress=progress)
    else:
        raise ValueError(f"Unknown export format: {export_format!r}")
    return spreadsheet.rows_written
