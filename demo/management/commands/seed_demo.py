from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.seeding import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create the demo districts' officials, experts, the municipal office and two enterprises (idempotent)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--force", action="store_true", help="run even when DEBUG is off")

    def handle(self, *args, force: bool = False, **options):  # type: ignore[no-untyped-def]
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a known password; DEBUG is off, so it refuses. "
                "Use --force if you really mean it."
            )
        counts = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {counts.created} accounts created, {counts.existing} already there "
                f"(password {DEMO_PASSWORD})."
            )
        )
