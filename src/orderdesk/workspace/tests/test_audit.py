"""Every screen that shows a customer's personal data records who saw it, where, once per
request; supervisors list who saw a customer of their stores."""

import pytest
from django.urls import reverse

from orderdesk.accounts.services import user_create
from orderdesk.calling.services.leases import call_next_claim
from orderdesk.orders.models import OrderEvent, OrderEventType
from orderdesk.stores.services import store_create

pytestmark = pytest.mark.django_db


def views(**filters) -> list[tuple]:
    events = OrderEvent.objects.filter(type=OrderEventType.VIEWED, **filters).order_by("id")
    return [(e.order_id, e.actor.username, e.data.get("via")) for e in events]


def test_call_card_is_recorded_once_per_call(ready_operator, operator_client, make_order):
    first = make_order("A-1")
    second = make_order("A-2")  # same customer: both on the card
    claim = call_next_claim(operator=ready_operator)
    operator_client.get(reverse("workspace:desk"))
    operator_client.get(reverse("workspace:desk"))  # a reload is the same view
    lease = str(claim.lease.pk)
    assert sorted(views()) == sorted([(first.pk, "op1", "desk"), (second.pk, "op1", "desk")])
    assert {e.data["lease"] for e in OrderEvent.objects.filter(type="viewed")} == {lease}


def test_card_refreshes_are_not_new_views(ready_operator, operator_client, make_order):
    make_order()
    claim = call_next_claim(operator=ready_operator)
    lease = str(claim.lease.pk)
    operator_client.post(reverse("workspace:heartbeat"), {"lease": lease})
    operator_client.post(reverse("workspace:checks"), {"lease": lease})
    assert views() == []


def test_idle_desk_records_nothing(ready_operator, operator_client, make_order):
    make_order()
    operator_client.get(reverse("workspace:desk"))
    assert views() == []


def test_order_page_is_recorded_each_time(supervisor_client, work_morning, make_order):
    order = make_order()
    supervisor_client.get(reverse("workspace:order", args=[order.pk]))
    supervisor_client.get(reverse("workspace:order", args=[order.pk]))
    assert views() == [(order.pk, "sup1", "order_page")] * 2


def test_another_stores_order_page_records_nothing(work_morning, staff_client, make_order):
    order = make_order()
    store_create(name="Другой", slug="other")
    outsider, _, _ = user_create(username="sup2", role="supervisor", store_slugs=["other"])
    response = staff_client(outsider).get(reverse("workspace:order", args=[order.pk]))
    assert response.status_code == 404
    assert views() == []


def test_history_records_each_order_shown_and_does_not_keep_it_there(
    ready_operator, operator_client, make_order, work_morning
):
    order = make_order()
    claim = call_next_claim(operator=ready_operator)
    operator_client.post(
        reverse("workspace:outcome"), {"lease": str(claim.lease.pk), "result": "busy"}
    )
    assert "A-1001" in operator_client.get(reverse("workspace:history")).content.decode()
    assert views() == [(order.pk, "op1", "history")]
    work_morning.shift(8 * 24 * 3600)  # past the history's 7 days: the view kept nothing
    page = operator_client.get(reverse("workspace:history")).content.decode()
    assert "A-1001" not in page
    assert views() == [(order.pk, "op1", "history")]


def test_supervisor_lists_who_saw_a_customer(
    ready_operator, operator_client, supervisor_client, make_order
):
    order = make_order()
    call_next_claim(operator=ready_operator)
    operator_client.get(reverse("workspace:desk"))
    supervisor_client.get(reverse("workspace:order", args=[order.pk]))
    page = supervisor_client.get(reverse("workspace:customer_views", args=[order.customer_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "+7701***4567" in html and "+77011234567" not in html
    rows = html.split('id="customer-views"')[1]
    assert rows.index("sup1") < rows.index("op1")  # newest first
    assert "Карточка звонка" in rows and "Страница заказа" in rows  # sup1 reads Russian
    assert views() == [(order.pk, "op1", "desk"), (order.pk, "sup1", "order_page")]  # not a view


def test_order_page_links_supervisors_to_the_list_not_operators(
    ready_operator, operator_client, supervisor_client, make_order
):
    order = make_order()
    call_next_claim(operator=ready_operator)
    url = reverse("workspace:order", args=[order.pk])
    assert 'id="customer-views-link"' in supervisor_client.get(url).content.decode()
    assert 'id="customer-views-link"' not in operator_client.get(url).content.decode()


def test_customer_views_of_another_store_or_for_an_operator_are_not_found(
    ready_operator, operator_client, staff_client, make_order
):
    order = make_order()
    call_next_claim(operator=ready_operator)
    store_create(name="Другой", slug="other")
    outsider, _, _ = user_create(username="sup2", role="supervisor", store_slugs=["other"])
    url = reverse("workspace:customer_views", args=[order.customer_id])
    assert staff_client(outsider).get(url).status_code == 404
    assert operator_client.get(url).status_code == 404


def test_admin_change_page_is_recorded(staff_client, make_order):
    admin, _, _ = user_create(username="boss", role="admin")
    order = make_order()
    client = staff_client(admin)
    client.get(reverse("admin:orders_order_changelist"))  # the list shows masked phones only
    assert views() == []
    response = client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert response.status_code == 200
    assert views() == [(order.pk, "boss", "admin")]


def test_customer_views_page_speaks_the_supervisors_language(
    supervisor, supervisor_client, work_morning, make_order
):
    order = make_order()
    supervisor.interface_language = "ru"
    supervisor.save(update_fields=["interface_language"])
    supervisor_client.get(reverse("workspace:order", args=[order.pk]))
    html = supervisor_client.get(
        reverse("workspace:customer_views", args=[order.customer_id])
    ).content.decode()
    assert "Кто видел данные клиента" in html and "Страница заказа" in html


def test_views_stay_off_the_timelines_on_screen(
    ready_operator, operator_client, supervisor_client, make_order
):
    order = make_order()
    call_next_claim(operator=ready_operator)
    operator_client.get(reverse("workspace:desk"))
    supervisor_client.get(reverse("workspace:order", args=[order.pk]))
    page = supervisor_client.get(reverse("workspace:order", args=[order.pk]))
    card = operator_client.get(reverse("workspace:desk"))
    assert len(views()) == 3
    assert "viewed" not in {e.type for e in page.context["timeline"]}
    assert "viewed" not in {e.type for e in card.context["card"].timeline}
    assert {e.type for e in card.context["card"].timeline} >= {"created", "queue_changed"}


def test_admin_change_pages_of_a_call_are_views_of_its_orders(
    ready_operator, operator_client, staff_client, make_order
):
    from orderdesk.calling.models import CallAttempt, CallTask

    order = make_order()
    claim = call_next_claim(operator=ready_operator)
    operator_client.post(
        reverse("workspace:outcome"), {"lease": str(claim.lease.pk), "result": "busy"}
    )
    admin, _, _ = user_create(username="boss", role="admin")
    client = staff_client(admin)
    pages = [
        ("admin:calling_lease_change", claim.lease.pk),
        ("admin:calling_calltask_change", CallTask.objects.get(order=order).pk),
        ("admin:calling_callattempt_change", CallAttempt.objects.get().pk),
    ]
    for name, pk in pages:
        assert client.get(reverse(name, args=[pk])).status_code == 200
    assert views() == [(order.pk, "boss", "admin")] * 3
