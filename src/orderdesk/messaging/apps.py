from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "orderdesk.messaging"
    label = "messaging"
    verbose_name = _("Messages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Messaging's part in the order's life (orders.extensions): an order taken in gets
        its "order received" message, a confirmed one its "confirmed" message, every event
        another app announces with `customer_notify` its message; the representation carries
        the customer's private link."""
        from orderdesk.orders import extensions

        from .selectors import customer_messages_export, order_self_service_parts
        from .services.notices import (
            order_notice_queue,
            orders_received_notify,
            status_notice_queue,
        )
        from .services.privacy import messages_personal_data_erase

        extensions.customer_notice(order_notice_queue)
        extensions.on_orders_created(orders_received_notify)
        extensions.on_status_changed(status_notice_queue)
        extensions.representation_part(order_self_service_parts)
        extensions.export_part(customer_messages_export)
        extensions.on_personal_data_erased(messages_personal_data_erase)
