"""The desk's timers on an attempt: how long the conversation was, how long the wrap-up after
it until the outcome (architecture: The operator's shift)."""

from datetime import datetime

from django.db import transaction

from orderdesk.accounts.models import User

from ..models import CallAttempt


def attempt_timers_record(
    *, attempt: CallAttempt, operator: User, talk_ended_at: datetime | None
) -> CallAttempt:
    """Split the attempt's time into talk and wrap-up at the moment the operator said the
    conversation was over (`talk_ended_at`, kept inside the attempt; none: it was all talk).
    Written once, by the attempt's own operator: a repeated outcome changes nothing."""
    if attempt.operator_id != operator.pk or attempt.talk_seconds is not None:
        return attempt
    started, ended = attempt.started_at, attempt.ended_at
    talk_end = ended if talk_ended_at is None else min(max(talk_ended_at, started), ended)
    with transaction.atomic():
        attempt.talk_seconds = round((talk_end - started).total_seconds())
        attempt.wrap_up_seconds = round((ended - talk_end).total_seconds())
        attempt.save(update_fields=["talk_seconds", "wrap_up_seconds"])
    return attempt
