"""The timeline as people read it: a call task's move in words, without the ids programs use."""

from django.utils import translation

from orderdesk.orders.models import OrderEvent, OrderEventType
from orderdesk.workspace.templatetags.workspace_tags import event_summary


def test_a_task_move_reads_as_its_purpose_and_states_without_ids():
    event = OrderEvent(
        type=OrderEventType.QUEUE_CHANGED,
        data={
            "task": "01a20c08-4bed-7388-be92-a3d001af16a1",
            "lease": "01a20c08-4bed-7388-be92-a3d001af16a2",
            "purpose": "delivery_problem",
            "from": "queued",
            "to": "in_call",
        },
    )
    with translation.override("en"):
        assert event_summary(event) == "Delivery problem: In call queue → In call"
    with translation.override("kk"):
        assert event_summary(event) == "Жеткізу мәселесі: Қоңырау кезегінде → Қоңырауда"
