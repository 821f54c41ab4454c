from django.core.management.base import BaseCommand, CommandError

from certification.applications.stage_dates import rebuild
from certification.models import Application


class Command(BaseCommand):
    help = (
        "Recompute the applications' stage dates (the dashboards' 40-day share and stage medians) from "
        "their status changes; for rows loaded without the services (imports, COPY, manual repairs)."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--year", type=int, help="only the applications of this 申报年度")

    def handle(self, *args, year: int | None = None, **options):  # type: ignore[no-untyped-def]
        applications = Application.objects.all()
        if year is not None:
            if not 2000 <= year <= 2100:
                raise CommandError(f"--year {year} is not a plausible year.")
            applications = applications.filter(year=year)
        total = applications.count()
        dated = rebuild(applications)
        self.stdout.write(
            self.style.SUCCESS(f"Stage dates rebuilt: {total} applications, {dated} with status changes.")
        )
