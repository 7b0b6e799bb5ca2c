"""Two-factor sign-in (TOTP on django-otp) for supervisors and admins.

Who must give a code: a supervisor when any of their stores requires it (Store.require_two_factor);
an admin when any store at all requires it, since an admin reaches every store through the admin
site. A supervisor or admin who has confirmed a device is asked for a code even where no store
requires it. Operators are never asked. API tokens are not affected: the bearer token is its own
credential and never passes through the sign-in screens.

A code is a 6-digit TOTP code or one of 10 recovery codes (a static device), each usable once.
Wrong codes are throttled by django-otp itself: after each failure a device refuses every code,
the right one included, for 1, 2, 4, 8 ... seconds (settings: OTP_*_THROTTLE_FACTOR)."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from orderdesk.core.errors import ApplicationError
from orderdesk.stores.models import Store

from .models import Role, User

TWO_FACTOR_CODE_WRONG = "two_factor_code_wrong"
TWO_FACTOR_THROTTLED = "two_factor_throttled"
TWO_FACTOR_NO_ENROLLMENT = "two_factor_no_enrollment"
RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"


@dataclass(frozen=True)
class TwoFactorThrottled:
    locked_until: datetime


def user_two_factor_required(*, user: User) -> bool:
    """Whether the user's stores (or, for an admin, any store) require a second factor."""
    if user.role == Role.SUPERVISOR:
        return user.stores.filter(require_two_factor=True).exists()
    if user.role == Role.ADMIN:
        return Store.objects.filter(require_two_factor=True).exists()
    return False


def user_two_factor_device_confirmed(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def user_two_factor_asked(*, user: User) -> bool:
    """Operators never; a supervisor or admin with a device, or one whose stores require it."""
    if not user.is_supervisor_or_admin:
        return False
    return user_two_factor_device_confirmed(user=user) or user_two_factor_required(user=user)


def _code_normalize(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _devices_throttled_until(devices) -> datetime | None:
    until = None
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            locked_until = (info or {}).get("locked_until")
            if locked_until and (until is None or locked_until > until):
                until = locked_until
    return until


def user_two_factor_verify(*, user: User, code: str):
    """The confirmed device that accepts the code (a recovery code is deleted as it is used).
    While any of the user's devices is throttled every code is refused, so that recovery codes
    are not a way round the TOTP throttle. The refusal is raised after the transaction, which
    keeps the failure's count."""
    with transaction.atomic():
        outcome = _user_two_factor_verify(user=user, code=code)
    if isinstance(outcome, ApplicationError):
        raise outcome
    return outcome


def _user_two_factor_verify(*, user: User, code: str):
    totp = list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True))
    static = list(StaticDevice.objects.select_for_update().filter(user=user, confirmed=True))
    until = _devices_throttled_until([*totp, *static])
    if until is not None:
        return ApplicationError(TWO_FACTOR_THROTTLED, status_code=429, locked_until=until)
    token = _code_normalize(code)
    candidates = totp if token.isdigit() and len(token) == 6 else static
    for device in candidates:
        if device.verify_token(token):
            for other in [*totp, *static]:
                if other.pk != device.pk or type(other) is not type(device):
                    other.throttle_reset()
            return device
    # verify_token counted the failure on the devices it tried; the others count it too, so
    # that one throttle holds whatever kind of code is tried next
    for device in [*totp, *static]:
        if device not in candidates:
            device.throttle_increment()
    return ApplicationError(TWO_FACTOR_CODE_WRONG, status_code=422)


@transaction.atomic
def user_two_factor_enroll_start(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device whose secret the user adds to an app (kept across reloads)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def user_two_factor_enroll_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """The first right code confirms the device; the recovery codes are made now and returned
    once (only they, never stored elsewhere, are shown to the user). A refusal is raised after
    the transaction, which keeps the failure's count."""
    with transaction.atomic():
        outcome = _user_two_factor_enroll_confirm(user=user, code=code)
    if isinstance(outcome, ApplicationError):
        raise outcome
    return outcome


def _user_two_factor_enroll_confirm(*, user: User, code: str):
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("pk")
        .first()
    )
    if device is None:
        return ApplicationError(TWO_FACTOR_NO_ENROLLMENT, status_code=409)
    until = _devices_throttled_until([device])
    if until is not None:
        return ApplicationError(TWO_FACTOR_THROTTLED, status_code=429, locked_until=until)
    if not device.verify_token(_code_normalize(code)):
        return ApplicationError(TWO_FACTOR_CODE_WRONG, status_code=422)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return device, user_recovery_codes_issue(user=user)


@transaction.atomic
def user_recovery_codes_issue(*, user: User) -> list[str]:
    """Ten new recovery codes; any earlier ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def user_two_factor_reset(*, user: User) -> int:
    """Removes the user's devices (a lost phone): the next sign-in enrolls again where required.
    Returns how many devices were removed."""
    removed_totp, _ = TOTPDevice.objects.filter(user=user).delete()
    removed_static = StaticDevice.objects.filter(user=user).count()
    StaticDevice.objects.filter(user=user).delete()
    return removed_totp + removed_static
