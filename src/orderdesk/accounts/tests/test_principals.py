import pytest

from orderdesk.accounts.principals import Principal, principal_authenticate
from orderdesk.stores.models import StoreApiKey
from orderdesk.stores.services import store_api_key_revoke

pytestmark = pytest.mark.django_db


def test_a_store_key_authenticates_its_store(store_and_key):
    store, key = store_and_key
    assert principal_authenticate(token=key) == Principal(store=store)


def test_a_staff_token_authenticates_its_user(operator_and_token):
    user, token = operator_and_token
    assert principal_authenticate(token=token) == Principal(user=user)


def test_a_revoked_key_an_unknown_token_and_a_token_of_no_kind_authenticate_nobody(store_and_key):
    store, key = store_and_key
    store_api_key_revoke(api_key=StoreApiKey.objects.get(store=store))
    assert principal_authenticate(token=key) is None
    assert principal_authenticate(token="ut_" + "x" * 43) is None
    assert principal_authenticate(token=key.removeprefix("sk_")) is None
