from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Only for its management command, ``seed_demo`` (no models)."""

    name = "demo"
    verbose_name = "demo"
