from orderdesk.core.tokens import token_digest

from .models import StoreApiKey


def store_api_key_authenticate(*, key: str) -> StoreApiKey | None:
    return (
        StoreApiKey.objects.select_related("store")
        .filter(key_digest=token_digest(key), revoked_at__isnull=True, store__is_active=True)
        .first()
    )
