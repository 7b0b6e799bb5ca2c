"""Operator state as time slices: ready, paused (with a code), in a call, offline."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.core.errors import ApplicationError, ValidationFailed
from orderdesk.core.sql import model_columns, sql_instances

from ..models import Lease, OperatorState, OperatorStateSlice, PauseCode

OPERATOR_STATE_INVALID = "operator_state_invalid"
OPERATOR_PAUSE_CODE_MISSING = "operator_pause_code_missing"
OPERATOR_PAUSE_CODE_INVALID = "operator_pause_code_invalid"
OPERATOR_HOLDS_CALL = "operator_holds_call"
# The states an operator chooses; `in_call` is the claim's to set.
CHOSEN_STATES = (OperatorState.READY, OperatorState.PAUSED, OperatorState.OFFLINE)


def _state_errors(*, state: str, pause_code: str) -> list[dict[str, str]]:
    if state not in OperatorState.values:
        return [{"field": "state", "code": OPERATOR_STATE_INVALID, "message": _("Unknown state.")}]
    if state == OperatorState.PAUSED and not pause_code:
        message = _("A pause needs a reason.")
        return [{"field": "pause_code", "code": OPERATOR_PAUSE_CODE_MISSING, "message": message}]
    if pause_code and (state != OperatorState.PAUSED or pause_code not in PauseCode.values):
        message = _("Unknown pause reason.")
        return [{"field": "pause_code", "code": OPERATOR_PAUSE_CODE_INVALID, "message": message}]
    return []


def _state_write_sql() -> str:
    """Close the open slice unless it is already in the wanted state, and open one unless it
    is: one statement, run once the operator's row is locked (a statement of its own, so this
    one's snapshot sees what the lock waited for). The insert reads the update's result, so
    PostgreSQL runs the close first (the one-open-slice constraint would refuse the other
    order). Measured: the two writes as ORM statements cost a claim and an outcome some 2 ms of
    Python each (bench/queue.py). Names from the model."""
    table = OperatorStateSlice._meta.db_table
    columns = model_columns(OperatorStateSlice, "s")
    return f"""
        WITH open_slice AS (
            SELECT {columns} FROM {table} s
            WHERE s.operator_id = %(operator)s AND s.ended_at IS NULL
        ),
        closed AS (
            UPDATE {table} SET ended_at = %(at)s
            WHERE id IN (SELECT id FROM open_slice
                         WHERE NOT (state = %(state)s AND pause_code = %(pause_code)s))
            RETURNING id
        ),
        opened AS (
            INSERT INTO {table} (operator_id, state, pause_code, started_at, ended_at)
            SELECT %(operator)s, %(state)s, %(pause_code)s, %(at)s, NULL
            WHERE (SELECT count(*) FROM closed) >= 0
              AND NOT EXISTS (SELECT 1 FROM open_slice
                              WHERE state = %(state)s AND pause_code = %(pause_code)s)
            RETURNING {model_columns(OperatorStateSlice, table)}
        )
        SELECT * FROM opened
        UNION ALL
        SELECT * FROM open_slice WHERE state = %(state)s AND pause_code = %(pause_code)s
    """  # noqa: S608 (names from the models)


_STATE_WRITE_SQL = _state_write_sql()


def operator_state_set(
    *, operator: User, state: str, pause_code: str = "", at: datetime | None = None
) -> OperatorStateSlice:
    """Close the operator's open slice and open one in `state`; the same state again is a no-op.

    The operator's user row is locked first, so two tabs switching state at once still leave
    exactly one open slice (also guarded by a partial unique constraint). Inside a caller's
    transaction (a claim, an outcome) it runs in it."""
    errors = _state_errors(state=state, pause_code=pause_code)
    if errors:
        raise ValidationFailed(errors)
    at = at or timezone.now()
    params = {"operator": operator.pk, "state": state, "pause_code": pause_code, "at": at}
    with transaction.atomic(savepoint=False):
        list(User.objects.select_for_update().filter(pk=operator.pk).values_list("pk", flat=True))
        (current,) = sql_instances(OperatorStateSlice, _STATE_WRITE_SQL, params)
    return current


def operator_state_choose(
    *, operator: User, state: str, pause_code: str = "", at: datetime | None = None
) -> OperatorStateSlice:
    """The operator's own choice of state (the desk's buttons, `POST /calls/state`).

    Without a call it is the state from now. During a call the operator stays in it: a pause
    chosen then is kept on the lease and begins when the outcome is recorded (ready clears it),
    and going offline is refused (409) — the customer on the line would be dropped."""
    errors = _state_errors(state=state, pause_code=pause_code)
    if not errors and state not in CHOSEN_STATES:
        errors = [
            {"field": "state", "code": OPERATOR_STATE_INVALID, "message": _("Unknown state.")}
        ]
    if errors:
        raise ValidationFailed(errors)
    at = at or timezone.now()
    with transaction.atomic():
        lease = (
            Lease.objects.select_for_update()
            .filter(operator=operator, ended_at__isnull=True, expires_at__gt=at)
            .first()
        )
        if lease is None:
            return operator_state_set(operator=operator, state=state, pause_code=pause_code, at=at)
        if state == OperatorState.OFFLINE:
            raise ApplicationError(
                OPERATOR_HOLDS_CALL,
                _("You are in a call: record its outcome before going offline."),
                status_code=409,
            )
        lease.then_state = state if state == OperatorState.PAUSED else ""
        lease.then_pause_code = pause_code if state == OperatorState.PAUSED else ""
        lease.save(update_fields=["then_state", "then_pause_code"])
        return OperatorStateSlice.objects.get(operator=operator, ended_at__isnull=True)
