from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts import imports


class ImportCommand(BaseCommand):
    """Shared shape of the import commands: read a file, preview or import, report."""

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A CSV (UTF-8) or XLSX file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would change without changing anything.",
        )

    def run_import(self, content: bytes, options) -> imports.Preview:
        raise NotImplementedError

    def handle(self, *args, **options):
        path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            preview = self.run_import(content, options)
        except imports.NotATable as exc:
            raise CommandError(f"{path}: {exc.message}") from exc
        for row, problems in preview.error_rows:
            for problem in problems:
                self.stderr.write(f"{path}: row {row}: {problem}")
        counts = preview.summary()
        verb = "would be" if options["dry_run"] else "were"
        self.stdout.write(
            f"{counts['to_create']} {verb} created, {counts['to_update']} {verb} "
            f"updated, {counts['unchanged']} unchanged, {counts['errors']} rows with "
            "errors skipped."
        )
