"""Reads of integrations, always scoped by the store (another store's rows are 'not found')."""

from django.db.models import QuerySet
from django.http import Http404

from orderdesk.accounts.models import Role, User
from orderdesk.stores.models import Store

from .models import Connection, OrderImport, ProductImport, WebhookEndpoint, WebhookLogEntry


def webhook_endpoints_list(*, store: Store) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(store=store).order_by("created_at")


def webhook_endpoint_get(*, store: Store, endpoint_id) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(store=store, pk=endpoint_id).first()
    if endpoint is None:
        raise Http404(f"webhook {endpoint_id} not found")
    return endpoint


def webhook_log_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookLogEntry]:
    """Newest first (integrations_log_endpoint_idx), with each attempt's event for its body."""
    return (
        WebhookLogEntry.objects.filter(endpoint=endpoint)
        .select_related("delivery__event")
        .order_by("-created_at", "-id")
    )


def connections_list(*, store: Store) -> QuerySet[Connection]:
    return Connection.objects.filter(store=store).order_by("created_at")


def connection_get(*, store: Store, connection_id) -> Connection:
    connection = Connection.objects.filter(store=store, pk=connection_id).first()
    if connection is None:
        raise Http404(f"connection {connection_id} not found")
    return connection


def import_stores_for(*, user: User) -> QuerySet[Store]:
    """The stores a user may import orders into: every store for admins, their own for
    supervisors, none for operators."""
    if user.role == Role.ADMIN:
        return Store.objects.filter(is_active=True)
    if user.role == Role.SUPERVISOR:
        return user.stores.filter(is_active=True)
    return Store.objects.none()


def order_import_get(*, user: User, import_id) -> OrderImport:
    order_import = (
        OrderImport.objects.select_related("store")
        .filter(pk=import_id, store__in=import_stores_for(user=user))
        .first()
    )
    if order_import is None:
        raise Http404("import not found")
    return order_import


def product_import_get(*, user: User, import_id) -> ProductImport:
    product_import = (
        ProductImport.objects.select_related("store")
        .filter(pk=import_id, store__in=import_stores_for(user=user))
        .first()
    )
    if product_import is None:
        raise Http404("import not found")
    return product_import
