from accounts.services import import_agencies

from ._import import ImportCommand


class Command(ImportCommand):
    help = (
        "Import agencies from a CSV or XLSX file with the columns code, name, kind, "
        "parent_code. Agencies are matched by code; running it twice changes nothing."
    )

    def run_import(self, content, options):
        return import_agencies(content=content, dry_run=options["dry_run"])
