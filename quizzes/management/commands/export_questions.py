from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.importing import export_gift
from quizzes.models import QuestionCategory


class Command(BaseCommand):
    help = (
        "Write a category of the question bank (and its subcategories) as GIFT. "
        "Ordering questions, which GIFT cannot express, are written as "
        "'// @ordering' comment lines that Moodle ignores and this site reads back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--category", required=True, help="The category path.")
        parser.add_argument(
            "--output", type=Path, help="The file; standard output if omitted."
        )
        parser.add_argument(
            "--no-subcategories",
            action="store_true",
            help="Only the category's own questions.",
        )

    def handle(self, *args, **options):
        path = "/".join(QuestionCategory.split_path(options["category"]))
        category = QuestionCategory.objects.filter(path=path).first()
        if category is None:
            raise CommandError(f"There is no category {options['category']!r}.")
        text = export_gift(
            category=category, include_subcategories=not options["no_subcategories"]
        )
        if options["output"]:
            options["output"].write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"Wrote {options['output']}."))
        else:
            self.stdout.write(text, ending="")
