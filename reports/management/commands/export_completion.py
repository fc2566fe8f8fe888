"""Completion by agency as a spreadsheet file, for scheduled jobs."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.models import Agency, User
from courses.models import CoursePage
from reports.queries import CompletionFilters, CompletionReport
from reports.spreadsheets import (
    AgencySpreadsheet,
    LearnerSpreadsheet,
    write_spreadsheet,
)

ALL_COURSES = "all"


class Command(BaseCommand):
    help = (
        "Write the completion report (the admin report's rows) to a CSV or XLSX "
        "file: one row per agency, or one per learner's enrolment."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--course",
            required=True,
            help=f'The course\'s slug, or "{ALL_COURSES}" for every assigned course.',
        )
        parser.add_argument("--format", required=True, choices=["csv", "xlsx"])
        parser.add_argument("--output", required=True, help="The file to write.")
        parser.add_argument(
            "--agency", help="An agency's code: that agency and the units below it."
        )
        parser.add_argument("--level", choices=["agency", "learner"], default="agency")
        parser.add_argument(
            "--user",
            help="Export what this person may see (by e-mail); everything by default.",
        )
        parser.add_argument("--language", default="vi", help="Headings' language.")

    def handle(self, *args, **options):
        user = self._user(options["user"])
        course_id = self._course(options["course"])
        report = CompletionReport(user=user, filters=CompletionFilters())
        agency_id = self._agency(report, options["agency"])
        report = CompletionReport(
            user=user,
            filters=CompletionFilters(course_id=course_id, agency_id=agency_id),
            tree=report.tree,
        )
        with translation.override(options["language"]):
            if options["level"] == "agency":
                rows = report.rows(full=True)
                spreadsheet = AgencySpreadsheet()
            else:
                rows = report.learner_rows()
                spreadsheet = LearnerSpreadsheet()
            try:
                with open(options["output"], "wb") as output:
                    written = write_spreadsheet(
                        spreadsheet, rows, output, options["format"]
                    )
            except OSError as error:
                raise CommandError(
                    f"Cannot write {options['output']}: {error}"
                ) from error
        self.stdout.write(
            f"Wrote {written} {options['level']} rows to {options['output']}."
        )

    def _user(self, email):
        if not email:
            # Scheduled jobs see everything, as an administrator does.
            return User(is_superuser=True, is_active=True)
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user has the address {email}.")
        return user

    def _course(self, slug):
        if slug == ALL_COURSES:
            return None
        pks = list(CoursePage.objects.filter(slug=slug).values_list("pk", flat=True))
        if not pks:
            raise CommandError(f"No course has the slug {slug!r}.")
        if len(pks) > 1:
            raise CommandError(f"Several courses have the slug {slug!r}.")
        return pks[0]

    def _agency(self, report, code):
        if not code:
            return None
        pk = Agency.objects.filter(code=code).values_list("pk", flat=True).first()
        # A merged agency's code stands for the agency it was merged into.
        row = report.tree.row_of.get(pk)
        if row is None:
            raise CommandError(f"No agency with the code {code!r} is visible here.")
        return row
