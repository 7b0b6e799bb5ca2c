from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from orderdesk.core.errors import ApplicationError
from orderdesk.core.tokens import token_digest, token_generate
from orderdesk.core.translit import transliterate

from .models import Store, StoreApiKey

STORE_SLUG_TAKEN = "store_slug_taken"
STORE_NAME_MISSING = "store_name_missing"


def _slug_for(name: str) -> str:
    return slugify(transliterate(name))[:60] or "store"


@transaction.atomic
def store_create(*, name: str, slug: str | None = None) -> tuple[Store, str]:
    """Create a store and its first API key; the key is returned once and stored as a digest."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError(STORE_NAME_MISSING, "name: a store needs a name", status_code=422)
    slug = slug or _slug_for(name)
    if Store.objects.filter(slug=slug).exists():
        raise ApplicationError(STORE_SLUG_TAKEN, f"slug: {slug!r} is taken", status_code=409)
    store = Store.objects.create(name=name, slug=slug)
    return store, store_api_key_issue(store=store)


@transaction.atomic
def store_api_key_issue(*, store: Store) -> str:
    key = token_generate("sk")
    StoreApiKey.objects.create(store=store, key_digest=token_digest(key), key_prefix=key[:10])
    return key


@transaction.atomic
def store_api_key_revoke(*, api_key: StoreApiKey) -> None:
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at", "updated_at"])
