from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallingConfig(AppConfig):
    name = "orderdesk.calling"
    label = "calling"
    verbose_name = _("Calling")
    default_auto_field = "django.db.models.BigAutoField"
