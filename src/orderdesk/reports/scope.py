"""Whose figures a staff member may read: a supervisor their stores', an admin every store's."""

from orderdesk.accounts.models import Role, User
from orderdesk.stores.models import Store


def stores_of_user(user: User) -> dict[str, int]:
    """slug → id of the stores whose reports `user` may read."""
    stores = Store.objects.all() if user.role == Role.ADMIN else user.stores.all()
    return dict(stores.values_list("slug", "pk"))


def operator_ids_named(username: str) -> tuple[int, ...]:
    return tuple(User.objects.filter(username=username).values_list("pk", flat=True))
