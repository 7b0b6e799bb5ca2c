from django.urls import path

from .views import (
    common,
    customers,
    edits,
    operator,
    orders,
    screening,
    stock,
    supervisor,
    two_factor,
)

app_name = "workspace"

urlpatterns = [
    path("", common.home, name="home"),
    path("language/", common.language_set, name="language"),
    # the second sign-in step of supervisors and admins (open to them before a code is given)
    path("two-factor/", two_factor.verify, name="two_factor"),
    path("two-factor/enroll/", two_factor.enroll, name="two_factor_enroll"),
    # the operator's desk
    path("desk/", operator.desk, name="desk"),
    path("desk/next/", operator.next_call, name="next"),
    path("desk/state/", operator.state_set, name="state"),
    path("desk/heartbeat/", operator.heartbeat, name="heartbeat"),
    path("desk/checks/", operator.checks, name="checks"),
    path("desk/outcome/", operator.outcome, name="outcome"),
    path("desk/reclaim/", operator.reclaim, name="reclaim"),
    path("desk/history/", operator.history, name="history"),
    # edits during the call
    path("desk/orders/<uuid:order_id>/address/", edits.address, name="address"),
    path("desk/orders/<uuid:order_id>/recipient/", edits.recipient, name="recipient"),
    path("desk/orders/<uuid:order_id>/phone/", edits.phone_add, name="phone_add"),
    path("desk/orders/<uuid:order_id>/elevator/", edits.elevator, name="elevator"),
    path("desk/orders/<uuid:order_id>/time-wish/", edits.time_wish, name="time_wish"),
    path(
        "desk/orders/<uuid:order_id>/bad-connection/", edits.bad_connection, name="bad_connection"
    ),
    path("desk/orders/<uuid:order_id>/items/add/", edits.item_add, name="item_add"),
    path(
        "desk/orders/<uuid:order_id>/items/<int:item_id>/quantity/",
        edits.item_quantity,
        name="item_quantity",
    ),
    path(
        "desk/orders/<uuid:order_id>/items/<int:item_id>/remove/",
        edits.item_remove,
        name="item_remove",
    ),
    path(
        "desk/orders/<uuid:order_id>/items/<int:item_id>/replace/",
        stock.item_replace,
        name="item_replace",
    ),
    path(
        "desk/orders/<uuid:order_id>/items/<int:item_id>/back-in-stock/",
        stock.back_in_stock,
        name="back_in_stock",
    ),
    path("desk/orders/<uuid:order_id>/upsell/", stock.upsell, name="upsell"),
    path("desk/orders/<uuid:order_id>/merge/", stock.duplicate_merge, name="duplicate_merge"),
    # supervisor
    path("live/", supervisor.live, name="live"),
    path("live/leases/<uuid:lease_id>/release/", supervisor.lease_release, name="lease_release"),
    path("live/leases/<uuid:lease_id>/reassign/", supervisor.lease_reassign, name="lease_reassign"),
    path(
        "live/orders/<uuid:order_id>/unreachable/",
        supervisor.unreachable_decide,
        name="unreachable_decide",
    ),
    path("live/held/", screening.held_orders, name="held_orders"),
    path(
        "live/held/<uuid:order_id>/decide/",
        screening.held_order_decide,
        name="held_order_decide",
    ),
    path("orders/<uuid:order_id>/", orders.order_detail, name="order"),
    path("customers/<int:customer_id>/views/", customers.customer_views, name="customer_views"),
]
