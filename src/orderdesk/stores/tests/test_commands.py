import json
from io import StringIO

import pytest
from django.core.management import call_command

from orderdesk.core.tokens import token_digest
from orderdesk.stores.models import Store, StoreApiKey

pytestmark = pytest.mark.django_db


def test_createstore_prints_id_slug_and_a_key_that_is_stored_hashed():
    out = StringIO()
    call_command("createstore", "Мебель Плюс", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert set(result) == {"id", "slug", "api_key"}
    store = Store.objects.get(pk=result["id"])
    assert (store.name, store.slug) == ("Мебель Плюс", result["slug"])
    assert result["slug"] == "mebel-plyus"
    assert not StoreApiKey.objects.filter(key_digest=result["api_key"]).exists()
    assert StoreApiKey.objects.get(store=store).key_digest == token_digest(result["api_key"])
