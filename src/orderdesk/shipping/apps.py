from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShippingConfig(AppConfig):
    name = "orderdesk.shipping"
    label = "shipping"
    verbose_name = _("Shipping")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Shipping's part in an order's life: its representation carries the shipment, the
        tracking and feedback links (orders.extensions); a delivery problem's call decides
        the redelivery or the return (calling.extensions)."""
        from orderdesk.calling import extensions as calling_extensions
        from orderdesk.calling.models import CallPurpose
        from orderdesk.orders import extensions

        from .selectors import shipping_parts
        from .services.problems import problem_decisions_apply, problem_decisions_check

        extensions.representation_part(shipping_parts)
        calling_extensions.task_resolution(
            CallPurpose.DELIVERY_PROBLEM,
            check=problem_decisions_check,
            apply=problem_decisions_apply,
        )
