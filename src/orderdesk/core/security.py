import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def secret_key_require() -> None:
    """Production entry points refuse to start on the built-in demo secret."""
    demo = os.environ.get("ORDERDESK_DEMO", "").lower() in {"1", "true", "yes"}
    if settings.SECRET_KEY_IS_DEMO and not (settings.DEBUG or demo):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to run orderdesk in production")
