"""Operator pay: per order an operator confirmed, the store's rate for a confirmation; when it
is delivered, the rate for a delivery; when it comes back (returned), what was paid for it is
taken back. A monthly statement lists each of these events in the month (the store's local
month), read from the orders' timelines: a statement drawn up again later says the same."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orderdesk.accounts.models import User
from orderdesk.core.exports import xlsx_bytes
from orderdesk.core.replica import replica_reads
from orderdesk.orders.models import Order, OrderEvent, OrderEventType, OrderStatus

from .kpis import KpiQuery
from .models import PayRate

CONFIRMED, DELIVERED, RETURNED = "confirmed", "delivered", "returned"
KIND_LABELS = {
    CONFIRMED: gettext_lazy("Confirmed"),
    DELIVERED: gettext_lazy("Delivered"),
    RETURNED: gettext_lazy("Returned: taken back"),
}


@dataclass(frozen=True)
class PayLine:
    at: datetime
    local_on: date
    store_name: str
    order_external_id: str
    kind: str  # confirmed, delivered, returned
    amount: Decimal
    currency: str

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass(frozen=True)
class PayStatement:
    operator: User
    month: date  # its first day
    lines: list[PayLine]

    def totals(self) -> dict[str, Decimal]:
        """Per currency (stores may pay in different ones)."""
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for line in self.lines:
            sums[line.currency] += line.amount
        return dict(sums)

    def count(self, kind: str) -> int:
        return sum(1 for line in self.lines if line.kind == kind)


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following


def _status_events(order_ids, to: tuple[str, ...], starts_at, ends_at):
    return OrderEvent.objects.filter(
        order_id__in=order_ids,
        type=OrderEventType.STATUS_CHANGED,
        data__to__in=to,
        created_at__gte=starts_at,
        created_at__lt=ends_at,
    )


def pay_statement(*, operator: User, month: date, store_ids: list[int]) -> PayStatement:
    """Every paid or taken-back event of `operator`'s confirmed orders in the stores' month."""
    first, following = month_bounds(month)
    period = KpiQuery(store_ids=tuple(store_ids), since_on=first, until_on=following).period()
    with replica_reads():
        confirmed = OrderEvent.objects.filter(
            actor=operator, type=OrderEventType.STATUS_CHANGED, data__to=OrderStatus.CONFIRMED,
            order__store_id__in=store_ids,
        ).values("order_id")  # fmt: skip
        events = list(
            _status_events(
                confirmed, (CONFIRMED, DELIVERED, RETURNED), period.starts_at, period.ends_at
            ).values_list("order_id", "created_at", "data__to")
        )
        ids = {order_id for order_id, _, _ in events}
        orders = {o.pk: o for o in Order.objects.filter(pk__in=ids).select_related("store")}
        delivered_before = set(
            _status_events(ids, (DELIVERED,), datetime.min.replace(tzinfo=ZoneInfo("UTC")),
                           period.ends_at).values_list("order_id", "created_at")
        )  # fmt: skip
        rates = {r.store_id: r for r in PayRate.objects.filter(store_id__in=store_ids)}
    lines = []
    for order_id, at, kind in sorted(events, key=lambda e: e[1]):
        order = orders[order_id]
        local_on = at.astimezone(ZoneInfo(order.store.default_timezone)).date()
        if not first <= local_on < following:
            continue
        rate = rates.get(order.store_id) or PayRate(store_id=order.store_id)
        if kind == CONFIRMED:
            amount = rate.confirmed_amount
        elif kind == DELIVERED:
            amount = rate.delivered_amount
        else:
            was_delivered = any(o == order_id and d < at for o, d in delivered_before)
            amount = -(rate.confirmed_amount + (rate.delivered_amount if was_delivered else 0))
        lines.append(
            PayLine(at, local_on, order.store.name, order.external_id, kind, amount, rate.currency)
        )
    return PayStatement(operator=operator, month=first, lines=lines)


def pay_statement_xlsx(statement: PayStatement) -> bytes:
    """The statement as one sheet: a line per event, then the totals per currency."""
    rows: list[list] = [
        [_("Operator"), statement.operator.username, _("Month"), f"{statement.month:%Y-%m}"],
        [_("Date"), _("Store"), _("Order"), _("For"), _("Amount"), _("Currency")],
    ]
    for line in statement.lines:
        rows.append(
            [line.local_on, line.store_name, line.order_external_id, line.kind_label,
             line.amount, line.currency]
        )  # fmt: skip
    for currency, total in sorted(statement.totals().items()):
        rows.append([_("Total"), "", "", "", total, currency])
    return xlsx_bytes(rows, title=f"{statement.operator.username} {statement.month:%Y-%m}")
