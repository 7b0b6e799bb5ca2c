from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "orderdesk.integrations"
    label = "integrations"
    verbose_name = _("Store integrations")

    def ready(self) -> None:
        """The outbox's part in erasing personal data (orders.extensions): the store events
        not yet sent lose the customer's personal data."""
        from orderdesk.orders import extensions

        from .services.privacy import outbox_personal_data_erase

        extensions.on_personal_data_erased(outbox_personal_data_erase)
