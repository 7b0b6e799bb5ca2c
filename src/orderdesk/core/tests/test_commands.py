import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orderdesk.accounts.models import User
from orderdesk.core.tokens import token_digest
from orderdesk.stores.models import Store, StoreApiKey

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_createstore_prints_id_slug_and_a_key_that_is_stored_hashed():
    result = run("createstore", "Мебель Плюс", "--json")
    assert set(result) == {"id", "slug", "api_key"}
    store = Store.objects.get(pk=result["id"])
    assert (store.name, store.slug) == ("Мебель Плюс", result["slug"])
    assert result["slug"] == "mebel-plyus"
    assert not StoreApiKey.objects.filter(key_digest=result["api_key"]).exists()
    assert StoreApiKey.objects.get(store=store).key_digest == token_digest(result["api_key"])


def test_createuser_prints_credentials_and_the_api_token_works(client):
    store = run("createstore", "Техно", "--json")
    result = run(
        "createuser",
        "aliya",
        "--role",
        "operator",
        "--stores",
        store["slug"],
        "--languages",
        "ru,kk",
        "--json",
    )
    assert set(result) == {"id", "username", "password", "api_token"}
    user = User.objects.get(pk=result["id"])
    assert (user.role, user.languages, [s.slug for s in user.stores.all()]) == (
        "operator",
        ["ru", "kk"],
        [store["slug"]],
    )
    assert user.check_password(result["password"])
    response = client.get(
        "/api/v1/orders", headers={"Authorization": f"Bearer {result['api_token']}"}
    )
    assert response.status_code == 200


def test_createuser_names_what_is_wrong():
    with pytest.raises(CommandError, match="stores: no store 'nope'"):
        call_command("createuser", "x", "--role", "operator", "--stores", "nope", stdout=StringIO())
    assert not User.objects.filter(username="x").exists()
