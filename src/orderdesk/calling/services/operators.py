"""Operator state as time slices: ready, paused (with a code), in a call, offline."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.core.errors import ValidationFailed

from ..models import OperatorState, OperatorStateSlice, PauseCode

OPERATOR_STATE_INVALID = "operator_state_invalid"
OPERATOR_PAUSE_CODE_MISSING = "operator_pause_code_missing"
OPERATOR_PAUSE_CODE_INVALID = "operator_pause_code_invalid"


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


def operator_state_set(
    *, operator: User, state: str, pause_code: str = "", at: datetime | None = None
) -> OperatorStateSlice:
    """Close the operator's open slice and open one in `state`; the same state again is a no-op.

    The operator's user row is locked first, so two tabs switching state at once still leave
    exactly one open slice (also guarded by a partial unique constraint). Inside a caller's
    transaction (a claim, an outcome) it takes no savepoint of its own."""
    errors = _state_errors(state=state, pause_code=pause_code)
    if errors:
        raise ValidationFailed(errors)
    at = at or timezone.now()
    with transaction.atomic(savepoint=False):
        list(User.objects.select_for_update().filter(pk=operator.pk).values_list("pk", flat=True))
        open_slices = OperatorStateSlice.objects.filter(operator=operator, ended_at__isnull=True)
        closed = open_slices.exclude(state=state, pause_code=pause_code).update(ended_at=at)
        if not closed:
            current = open_slices.first()
            if current is not None:
                return current
        return OperatorStateSlice.objects.create(
            operator=operator, state=state, pause_code=pause_code, started_at=at
        )
