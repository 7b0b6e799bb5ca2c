from datetime import timedelta

from orderdesk.calling.models import CallAttempt, CallResult, CallTaskState
from orderdesk.calling.services import call_next_claim
from orderdesk.core.periodic import periodic_jobs_discover

from .conftest import NOW, fresh


def test_worker_runs_calling_jobs(clock, make_order, operator):
    jobs = {job.name: job for job in periodic_jobs_discover()}
    expire = jobs["orderdesk.calling.jobs.leases_expired_free"]
    route = jobs["orderdesk.calling.jobs.callbacks_due_route"]
    held = make_order()
    parked = make_order(
        queue_state=CallTaskState.PENDING_CHECK, callback_user=operator, next_call_at=NOW
    )
    call_next_claim(operator=operator)
    clock.move_to(NOW + timedelta(minutes=6))
    expire.func()
    route.func()
    assert fresh(held).queue_state == CallTaskState.QUEUED
    assert CallAttempt.objects.get().result == CallResult.ABANDONED
    assert fresh(parked).queue_state == CallTaskState.CALLBACK
