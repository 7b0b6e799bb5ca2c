from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallingConfig(AppConfig):
    name = "orderdesk.calling"
    label = "calling"
    verbose_name = _("Calling")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Calling's part in the order's life (orders.extensions): every order taken in gets
        its confirmation call; a status change closes the calls it makes pointless (a
        confirmation, every call of a cancelled order, a delivery problem the parcel's delivery
        or return solved); the order's representation lists its open call tasks; a product back
        in stock (catalog.extensions) opens the calls of the customers waiting for it."""
        from orderdesk.catalog import extensions as catalog_extensions
        from orderdesk.orders import extensions

        from .selectors import customer_calls_export, order_tasks_parts
        from .services.privacy import calls_personal_data_erase
        from .services.stock import back_in_stock_calls_open
        from .services.tasks import (
            confirmation_tasks_close,
            confirmation_tasks_open,
            ended_order_tasks_close,
        )

        extensions.on_orders_created(confirmation_tasks_open)
        extensions.on_status_changed(confirmation_tasks_close)
        extensions.on_status_changed(ended_order_tasks_close)
        extensions.representation_part(order_tasks_parts)
        extensions.export_part(customer_calls_export)
        extensions.on_personal_data_erased(calls_personal_data_erase)
        catalog_extensions.on_stock_arrived(back_in_stock_calls_open)
