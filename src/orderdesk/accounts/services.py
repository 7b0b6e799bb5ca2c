import secrets

from django.db import transaction

from orderdesk.core.errors import ApplicationError, ValidationFailed
from orderdesk.core.tokens import token_digest, token_generate
from orderdesk.stores.models import Store

from .models import Language, Role, User

USERNAME_TAKEN = "username_taken"


def _user_errors(*, username: str, role: str, languages: list[str], missing_slugs: list[str]):
    errors = []
    if not username.strip():
        errors.append({"field": "username", "code": "missing", "message": "a username is required"})
    if role not in Role.values:
        errors.append(
            {"field": "role", "code": "invalid", "message": f"role must be one of {Role.values}"}
        )
    for code in languages:
        if code not in Language.values:
            errors.append(
                {"field": "languages", "code": "invalid", "message": f"unknown language {code!r}"}
            )
    for slug in missing_slugs:
        errors.append({"field": "stores", "code": "not_found", "message": f"no store {slug!r}"})
    return errors


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    store_slugs: list[str] | None = None,
    languages: list[str] | None = None,
    password: str | None = None,
) -> tuple[User, str, str]:
    """Create a staff user; returns (user, password, api_token), both secrets shown once."""
    store_slugs, languages = store_slugs or [], languages or [Language.RU]
    stores = list(Store.objects.filter(slug__in=store_slugs))
    missing = sorted(set(store_slugs) - {s.slug for s in stores})
    errors = _user_errors(username=username, role=role, languages=languages, missing_slugs=missing)
    if errors:
        raise ValidationFailed(errors)
    if User.objects.filter(username=username).exists():
        raise ApplicationError(USERNAME_TAKEN, f"username: {username!r} is taken", status_code=409)
    password = password or secrets.token_urlsafe(12)
    user = User(username=username, role=role, languages=languages)
    user_role_rights_apply(user=user)
    user.set_password(password)
    user.save()
    user.stores.set(stores)
    return user, password, user_api_token_issue(user=user)


def user_role_rights_apply(*, user: User) -> None:
    """Django's own flags follow the role: supervisors and admins reach the admin site (imports,
    configuration), only admins are superusers. Called wherever a role is set."""
    user.is_staff = user.role != Role.OPERATOR
    user.is_superuser = user.role == Role.ADMIN


@transaction.atomic
def user_api_token_issue(*, user: User) -> str:
    """Issue a new personal API token, replacing the previous one."""
    token = token_generate("ut")
    user.api_token_digest = token_digest(token)
    user.save(update_fields=["api_token_digest"])
    return token
