from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.importing import import_questions, parse_file


class Command(BaseCommand):
    help = (
        "Import questions from a GIFT or Aiken file into a category of the bank. "
        "Every question and every error is listed first; a file with errors "
        "imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["gift", "aiken"], default="gift")
        parser.add_argument(
            "--category",
            required=True,
            help='The category path, e.g. "Phát ngôn/Cơ bản" (created if missing).',
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would be imported and save nothing.",
        )

    def handle(self, *args, **options):
        try:
            text = options["file"].read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc}") from exc
        result = parse_file(text, options["format"])
        for question in result.questions:
            category = question.category or options["category"]
            self.stdout.write(
                f"line {question.line}: [{question.type}] {question.name} → {category}"
            )
        for error in result.errors:
            self.stderr.write(str(error))
        if result.errors:
            raise CommandError(
                f"{len(result.errors)} error(s) in {options['file']}; nothing imported."
            )
        if options["dry_run"]:
            self.stdout.write(f"Dry run: {len(result.questions)} question(s) read.")
            return
        saved = import_questions(
            questions=result.questions, category_path=options["category"]
        )
        self.stdout.write(self.style.SUCCESS(f"Imported {len(saved)} question(s)."))
