from orderdesk.core.tokens import token_digest

from .models import User


def user_authenticate_token(*, token: str) -> User | None:
    return User.objects.filter(api_token_digest=token_digest(token), is_active=True).first()
