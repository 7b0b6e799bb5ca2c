from django.urls import path

from .views import (
    common,
    customers,
    delivery,
    dispatches,
    edits,
    inbound,
    operator,
    orders,
    phone_order,
    reports,
    screening,
    search,
    shift,
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
    path("desk/incoming/", operator.incoming, name="incoming"),
    path("desk/heartbeat/", operator.heartbeat, name="heartbeat"),
    path("desk/changes/", operator.card_changes, name="card_changes"),
    path("desk/checks/", operator.checks, name="checks"),
    path("desk/outcome/", operator.outcome, name="outcome"),
    path("desk/reclaim/", operator.reclaim, name="reclaim"),
    path("desk/history/", operator.history, name="history"),
    # delivery: the shipment (supervisors) and the customer's feedback heard on the phone
    path("orders/<uuid:order_id>/shipment/", delivery.shipment, name="order_shipment"),
    path("orders/<uuid:order_id>/feedback/", delivery.feedback, name="order_feedback"),
    # the inbound line: a customer calls in
    path("inbound/", inbound.inbound, name="inbound"),
    path("desk/progressive/", shift.progressive_set, name="progressive"),
    path("desk/phone-order/", phone_order.phone_order, name="phone_order"),
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
    path("desk/orders/<uuid:order_id>/message/", edits.message_send, name="message_send"),
    path("desk/orders/<uuid:order_id>/opt-out/", edits.opt_out, name="opt_out"),
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
    # reports
    path("reports/", reports.reports_page, name="reports"),
    path("reports/export.csv", reports.reports_export, {"fmt": "csv"}, name="reports_csv"),
    path("reports/export.xlsx", reports.reports_export, {"fmt": "xlsx"}, name="reports_xlsx"),
    path("reports/staffing/", reports.staffing_page, name="staffing"),
    path("reports/pay/", reports.pay_page, name="pay"),
    path("reports/pay.xlsx", reports.pay_page, {"fmt": "xlsx"}, name="pay_xlsx"),
    path("wallboard/", reports.wallboard, name="wallboard"),
    path("dispatches/", dispatches.dispatch_list, name="dispatches"),
    path("dispatches/new/", dispatches.dispatch_post, name="dispatch_post"),
    path(
        "dispatches/<uuid:dispatch_id>/<str:document>/",
        dispatches.dispatch_document,
        name="dispatch_document",
    ),
    path(
        "live/orders/<uuid:order_id>/address-check/",
        supervisor.address_check,
        name="address_check",
    ),
    path("orders/<uuid:order_id>/", orders.order_detail, name="order"),
    path("search/", search.search, name="search"),
    path("customers/<int:customer_id>/views/", customers.customer_views, name="customer_views"),
]
