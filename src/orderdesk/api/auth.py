"""Bearer credentials: a store's API key or a staff user's personal token (accounts.principals
tells which; the routers read the caller from there too)."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from orderdesk.accounts.principals import Principal, principal_authenticate


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        return principal_authenticate(token=token)
