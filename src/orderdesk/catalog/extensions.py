"""What the apps above catalog do when stock changes, without catalog knowing them.

calling opens a `back_in_stock` call for every customer waiting for a product whose stock came
back (`CallingConfig.ready()` registers it). Plain calls inside the writer's transaction, as in
orders/extensions.py: a failure rolls the stock change back."""

from collections.abc import Callable, Sequence
from datetime import datetime

from .models import StockSubscription

# (the subscriptions whose product is available again, at): the part opens what it must.
StockArrived = Callable[[Sequence[StockSubscription], datetime], None]

_stock_arrived: list[StockArrived] = []


def on_stock_arrived(part: StockArrived) -> StockArrived:
    if part not in _stock_arrived:  # AppConfig.ready may run twice in one process
        _stock_arrived.append(part)
    return part


def stock_arrived_notify(*, subscriptions: Sequence[StockSubscription], at: datetime) -> None:
    for part in _stock_arrived:
        part(subscriptions, at)
