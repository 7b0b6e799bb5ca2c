from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "orderdesk.screening"
    label = "screening"
    verbose_name = _("Order screening")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Every order taken in is screened in the intake's transaction, after calling opened
        its confirmation call (INSTALLED_APPS lists screening after calling), so that a held
        order's call can be moved to the supervisor's decision."""
        from orderdesk.orders import extensions

        from .services import orders_screen

        extensions.on_orders_created(orders_screen)
