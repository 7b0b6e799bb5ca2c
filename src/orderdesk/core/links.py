"""Links the product sends to people outside it (customers): `ORDERDESK_PUBLIC_URL` is the base of
every one of them (SPEC: Messages and self-service)."""

from django.conf import settings


def public_url(path: str) -> str:
    """`path` (absolute, e.g. from `reverse`) on the product's public address."""
    return f"{settings.ORDERDESK_PUBLIC_URL.rstrip('/')}{path}"
