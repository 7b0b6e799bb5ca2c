"""Who calls the API: a store by its API key, or a staff user by a personal token.

Here rather than in `api` so that each app's router can ask for the caller it serves without
importing the layer that assembles the routers; `api` only plugs the authentication in."""

from dataclasses import dataclass

from django.http import HttpRequest

from orderdesk.core.errors import ApplicationError
from orderdesk.core.ratelimit import rate_take
from orderdesk.stores.models import Store
from orderdesk.stores.selectors import store_api_key_authenticate

from .models import User
from .selectors import user_authenticate_token

STORE_KEY_REQUIRED = "store_key_required"
STAFF_TOKEN_REQUIRED = "staff_token_required"
ROLE_NOT_ALLOWED = "role_not_allowed"


@dataclass(frozen=True)
class Principal:
    """Who is calling: exactly one of a store or a user."""

    store: Store | None = None
    user: User | None = None


def principal_authenticate(*, token: str) -> Principal | None:
    """The store or user a bearer credential belongs to; its prefix tells which to look up.
    Each credential has its own request budget (core.ratelimit): a runaway script of one store
    cannot starve the others."""
    if token.startswith("sk_"):
        api_key = store_api_key_authenticate(key=token)
        if api_key is None:
            return None
        rate_take(key=f"key:{api_key.pk}")
        return Principal(store=api_key.store)
    if token.startswith("ut_"):
        user = user_authenticate_token(token=token)
        if user is None:
            return None
        rate_take(key=f"user:{user.pk}")
        return Principal(user=user)
    return None


def principal_of(request: HttpRequest) -> Principal:
    return request.auth  # type: ignore[attr-defined, return-value]


def store_of(request: HttpRequest) -> Store:
    """The calling store; users get 403 on store-only endpoints (order intake, webhooks)."""
    principal = principal_of(request)
    if principal.store is None:
        raise ApplicationError(
            STORE_KEY_REQUIRED, "this endpoint takes a store API key", status_code=403
        )
    return principal.store


def user_of(request: HttpRequest, *roles: str) -> User:
    principal = principal_of(request)
    if principal.user is None:
        raise ApplicationError(
            STAFF_TOKEN_REQUIRED, "this endpoint takes a staff user's token", status_code=403
        )
    if roles and principal.user.role not in roles:
        raise ApplicationError(
            ROLE_NOT_ALLOWED, f"this endpoint is for: {', '.join(roles)}", status_code=403
        )
    return principal.user
