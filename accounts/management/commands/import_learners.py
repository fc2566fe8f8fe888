from accounts.services import import_learners

from ._import import ImportCommand


class Command(ImportCommand):
    help = (
        "Import a learner roster from a CSV or XLSX file with the columns email, "
        "full_name, agency_code, position, role. People are matched by email; new "
        "people get an invitation email unless --no-invite."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-invite",
            action="store_true",
            help="Do not email invitations to the people created.",
        )

    def run_import(self, content, options):
        return import_learners(
            content=content,
            invite=not options["no_invite"],
            dry_run=options["dry_run"],
        )
