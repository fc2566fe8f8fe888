import importlib

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# Each area builds its own part of the demo through its real services, in this
# order (courses need people; quizzes need courses).
DEMO_MODULES = ["accounts.demo_data", "courses.demo_data", "quizzes.demo_data"]


class Command(BaseCommand):
    help = (
        "Load the illustrative demo: the province's agencies, the learner roster, "
        "one account per role, and the demo courses and quizzes. Safe to run twice."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG and not getattr(settings, "ALLOW_DEMO_DATA", False):
            raise CommandError(
                "load_demo_data creates accounts with published passwords and "
                "refuses to run under production settings."
            )
        for name in DEMO_MODULES:
            module = importlib.import_module(name)
            for step in module.load(stdout=self.stdout):
                self.stdout.write(step)
        call_command("update_index", verbosity=0)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
