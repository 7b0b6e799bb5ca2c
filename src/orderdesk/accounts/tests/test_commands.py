import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orderdesk.accounts.models import User

pytestmark = pytest.mark.django_db


def test_createuser_prints_credentials_and_the_api_token_works(client, store):
    out = StringIO()
    call_command(
        "createuser", "aliya", "--role", "operator", "--stores", store.slug,
        "--languages", "ru,kk", "--json", stdout=out,
    )  # fmt: skip
    result = json.loads(out.getvalue())
    assert set(result) == {"id", "username", "password", "api_token"}
    user = User.objects.get(pk=result["id"])
    assert (user.role, user.languages, [s.slug for s in user.stores.all()]) == (
        "operator",
        ["ru", "kk"],
        [store.slug],
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
