"""Who is asked for a second factor, recovery codes and the admin's reset (accounts.two_factor)."""

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from orderdesk.accounts.services import user_create
from orderdesk.accounts.two_factor import (
    RECOVERY_CODE_COUNT,
    TWO_FACTOR_CODE_WRONG,
    user_recovery_codes_issue,
    user_two_factor_asked,
    user_two_factor_reset,
    user_two_factor_verify,
)
from orderdesk.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_a_supervisor_with_a_device_is_asked_an_operator_never(store, supervisor, operator):
    assert not user_two_factor_asked(user=supervisor)
    TOTPDevice.objects.create(user=supervisor, name="authenticator", confirmed=True)
    TOTPDevice.objects.create(user=operator, name="authenticator", confirmed=True)
    store.require_two_factor = True
    store.save(update_fields=["require_two_factor"])

    assert user_two_factor_asked(user=supervisor)
    assert not user_two_factor_asked(user=operator)


def test_an_admin_of_no_store_is_asked_once_any_store_requires_it(store):
    admin, _, _ = user_create(username="adm", role="admin")
    assert not user_two_factor_asked(user=admin)
    store.require_two_factor = True
    store.save(update_fields=["require_two_factor"])
    assert user_two_factor_asked(user=admin)


def test_new_recovery_codes_replace_the_old_ones(supervisor):
    old = user_recovery_codes_issue(user=supervisor)
    new = user_recovery_codes_issue(user=supervisor)

    assert len(new) == len(set(new)) == RECOVERY_CODE_COUNT
    assert StaticDevice.objects.filter(user=supervisor).count() == 1
    with pytest.raises(ApplicationError, match=TWO_FACTOR_CODE_WRONG):
        user_two_factor_verify(user=supervisor, code=old[0])


def test_reset_removes_every_device(supervisor, operator):
    TOTPDevice.objects.create(user=supervisor, name="authenticator", confirmed=True)
    user_recovery_codes_issue(user=supervisor)
    user_recovery_codes_issue(user=operator)

    assert user_two_factor_reset(user=supervisor) == 2

    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    assert not StaticDevice.objects.filter(user=supervisor).exists()
    assert StaticToken.objects.filter(device__user=operator).count() == RECOVERY_CODE_COUNT
