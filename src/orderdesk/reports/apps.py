from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Reports read the other apps' models and write only their own (pay rates); nothing below
        imports them. Figures that other apps own (upsell revenue, delivery problems won back) come
        through `sources.kpi_source_register`; `owned_figures` registers them here, since the apps that
    own them sit below reports."""

    name = "orderdesk.reports"
    label = "reports"
    verbose_name = _("Reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .owned_figures import owned_figures_register

        owned_figures_register()
