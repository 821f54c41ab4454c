"""manage.py procedure_diagram: the workflow table as a Markdown list (README.md embeds it; a test compares)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from certification import workflow


class Command(BaseCommand):
    help = "Print the application procedure (certification/workflow.py) as a Markdown list."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--language", default=settings.LANGUAGE_CODE)

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self.stdout.write(workflow.diagram_markdown(), ending="")
