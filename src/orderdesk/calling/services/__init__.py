"""Every write of calling. Callers (API, operator workspace, jobs) import from here.

Call tasks (every piece of calling work, whatever its purpose):
- `call_task_open(*, order, purpose, reason="", due_at=None, actor=None, at=None) -> CallTask`
- `tasks_move(*, tasks, state, fields=None, only_if=None, actor=None, …) -> int`
Claim and lease:
- `call_next_claim(*, operator, at=None) -> Claim | None`
- `lease_heartbeat(*, lease_id, operator, at=None) -> Lease` (409 LEASE_NOT_HELD when gone)
- `leases_expire(*, at=None, limit=200) -> int`
Outcome:
- `call_outcome_record(*, lease_id, operator, result, notes="", callback_at=None,
  personal=False, reason="", decisions=(), at=None) -> OutcomeResult`
- `order_confirm(*, order, delivery_on, actor=None, actor_label="", data=None) -> Order`: the
  one confirmation (the outcome's and the customer's page), after `order_confirm_errors`
- the checks and their error codes: `calling.checks` (re-exported here)
Timers (`services.timers`): `attempt_timers_record(*, attempt, operator, talk_ended_at)`
Operator state:
- `operator_state_set(*, operator, state, pause_code="", at=None) -> OperatorStateSlice`
- `operator_state_choose(...)`: the operator's own choice (409 OPERATOR_HOLDS_CALL for offline
  during a call; a pause chosen during a call starts after its outcome)
- `call_next_claim` answers 409 OPERATOR_OFFLINE to an operator who is offline
Supervision:
- `order_call_requeue(*, order, actor, callback_user=None, next_call_at=None, at=None) -> Order`
- `lease_release(*, lease_id, supervisor, at=None) -> Lease` (409 LEASE_NOT_LIVE)
- `lease_reassign(*, lease_id, operator, supervisor, at=None) -> Lease`
- `order_unreachable_decide(*, order, decision, supervisor, reason="") -> Order`
Address checks:
- `address_check_record(*, order, deliverable, note, actor, at=None) -> AddressCheck`
Jobs: `pending_checks_release(*, at=None)`, `callbacks_release(*, at=None)`."""

from ..checks import (
    ADDRESS_CHECK_REQUIRED,
    ADDRESS_FIELD_MISSING,
    CALLBACK_AT_MISSING,
    CALLBACK_AT_PAST,
    CALLBACK_AT_TOO_FAR,
    CALLBACK_OUTSIDE_WINDOW,
    CANCEL_REASON_INVALID,
    DECISION_INVALID,
    DECISION_MISSING,
    DECISION_UNKNOWN_ORDER,
    OUTCOME_RESULT_INVALID,
    Decision,
    OrderDecision,
    callback_at_errors,
    order_confirm_errors,
)
from .address_checks import ADDRESS_CHECK_NOT_NEEDED, address_check_record
from .housekeeping import callbacks_release, pending_checks_release
from .leases import (
    LEASE_NOT_HELD,
    OPERATOR_OFFLINE,
    Claim,
    call_next_claim,
    lease_abandon,
    lease_heartbeat,
    leases_expire,
)
from .operators import (
    OPERATOR_HOLDS_CALL,
    OPERATOR_PAUSE_CODE_INVALID,
    OPERATOR_PAUSE_CODE_MISSING,
    OPERATOR_STATE_INVALID,
    operator_state_choose,
    operator_state_set,
)
from .outcomes import OutcomeResult, call_outcome_record, order_confirm
from .supervision import (
    LEASE_NOT_LIVE,
    OPERATOR_NOT_ELIGIBLE,
    OPERATOR_NOT_OF_STORE,
    ORDER_IN_CALL,
    ORDER_NOT_IN_CALLING,
    ORDER_NOT_UNREACHABLE,
    UNREACHABLE_DECISION_INVALID,
    UnreachableDecision,
    lease_reassign,
    lease_release,
    order_call_requeue,
    order_unreachable_decide,
)
from .tasks import (
    CALL_TASK_PURPOSE_INVALID,
    ORDER_QUEUE_CONFLICT,
    call_task_open,
    confirmation_tasks_close,
    confirmation_tasks_open,
    tasks_move,
)

__all__ = [
    "ADDRESS_CHECK_NOT_NEEDED",
    "ADDRESS_CHECK_REQUIRED",
    "ADDRESS_FIELD_MISSING",
    "CALLBACK_AT_MISSING",
    "CALLBACK_AT_PAST",
    "CALLBACK_AT_TOO_FAR",
    "CALLBACK_OUTSIDE_WINDOW",
    "CALL_TASK_PURPOSE_INVALID",
    "CANCEL_REASON_INVALID",
    "DECISION_INVALID",
    "DECISION_MISSING",
    "DECISION_UNKNOWN_ORDER",
    "LEASE_NOT_HELD",
    "LEASE_NOT_LIVE",
    "OPERATOR_HOLDS_CALL",
    "OPERATOR_NOT_ELIGIBLE",
    "OPERATOR_NOT_OF_STORE",
    "OPERATOR_OFFLINE",
    "OPERATOR_PAUSE_CODE_INVALID",
    "OPERATOR_PAUSE_CODE_MISSING",
    "OPERATOR_STATE_INVALID",
    "ORDER_IN_CALL",
    "ORDER_NOT_IN_CALLING",
    "ORDER_NOT_UNREACHABLE",
    "ORDER_QUEUE_CONFLICT",
    "OUTCOME_RESULT_INVALID",
    "UNREACHABLE_DECISION_INVALID",
    "Claim",
    "Decision",
    "OrderDecision",
    "OutcomeResult",
    "UnreachableDecision",
    "address_check_record",
    "call_next_claim",
    "call_outcome_record",
    "call_task_open",
    "callback_at_errors",
    "callbacks_release",
    "confirmation_tasks_close",
    "confirmation_tasks_open",
    "lease_abandon",
    "lease_heartbeat",
    "lease_reassign",
    "lease_release",
    "leases_expire",
    "operator_state_choose",
    "operator_state_set",
    "order_call_requeue",
    "order_confirm",
    "order_confirm_errors",
    "order_unreachable_decide",
    "pending_checks_release",
    "tasks_move",
]
