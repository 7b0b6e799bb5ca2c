from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Installed so that Django finds the `orderdesk demo` command here; it has no models."""

    name = "orderdesk.demo"
    label = "demo"
