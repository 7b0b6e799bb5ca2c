from orderdesk.core.tokens import token_digest

from .models import Role, User


def user_authenticate_token(*, token: str) -> User | None:
    return User.objects.filter(api_token_digest=token_digest(token), is_active=True).first()


def user_store_ids(*, user: User) -> list[int] | None:
    """The stores a user works; None means every store (admins)."""
    if user.role == Role.ADMIN:
        return None
    return list(user.stores.values_list("id", flat=True))
