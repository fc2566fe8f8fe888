from django.core.management.base import BaseCommand

from quizzes.services import close_expired_attempts


class Command(BaseCommand):
    help = (
        "Submit every quiz attempt whose time ran out, with the answers saved "
        "before the deadline. Run it from cron every few minutes."
    )

    def handle(self, *args, **options):
        closed = close_expired_attempts()
        if options["verbosity"]:
            self.stdout.write(f"Submitted {closed} expired attempt(s).")
