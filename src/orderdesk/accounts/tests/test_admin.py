import pytest

from orderdesk.accounts.models import User
from orderdesk.accounts.services import user_create


@pytest.mark.django_db
def test_changing_a_role_in_the_admin_moves_the_admin_rights(admin_client):
    user, _, _ = user_create(username="boss", role="admin")
    assert (user.is_staff, user.is_superuser) == (True, True)
    page = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {
        k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)
    }
    data |= {"username": "boss", "role": "operator", "languages": '["ru"]', "interface_language": "ru",
             "date_joined_0": "2026-11-23", "date_joined_1": "10:00:00", "is_active": "on",
             "is_staff": "on", "is_superuser": "on"}  # fmt: skip
    response = admin_client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(pk=user.pk)
    assert (user.role, user.is_staff, user.is_superuser) == ("operator", False, False)
