from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from accounts import demo_data as accounts_demo


class Command(BaseCommand):
    help = (
        "Load the illustrative demo: the province's agencies, the learner roster, "
        "one account per role, and the demo courses. Safe to run twice."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG and not getattr(settings, "ALLOW_DEMO_DATA", False):
            raise CommandError(
                "load_demo_data creates accounts with published passwords and "
                "refuses to run under production settings."
            )
        for step in accounts_demo.load(stdout=self.stdout):
            self.stdout.write(step)
        try:
            from courses import demo_data as courses_demo
        except ImportError:
            courses_demo = None
        if courses_demo is not None:
            for step in courses_demo.load(stdout=self.stdout):
                self.stdout.write(step)
        call_command("update_index", verbosity=0)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
