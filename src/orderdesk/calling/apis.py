"""The calls router (architecture: Interfaces): claim the next customer, heartbeat, outcome; operator state."""

from datetime import date
from typing import Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from orderdesk.accounts.models import Role, User
from orderdesk.accounts.principals import user_of
from orderdesk.core.errors import ValidationFailed
from orderdesk.core.schemas import error_responses
from orderdesk.core.untrusted import Instant
from orderdesk.orders.models import ViewedVia
from orderdesk.orders.representations import order_data, orders_data
from orderdesk.orders.schemas import OrderOut
from orderdesk.orders.selectors import order_get
from orderdesk.orders.services import call_card_view_record

from .models import OUTCOME_RESULTS, RESULT_FLAGS, CallAttempt, Lease, OperatorStateSlice
from .schemas import AddressCheckOut, ClaimOut, HeartbeatOut, OutcomeOut, StateOut
from .selectors import operator_state_current
from .services import (
    OPERATOR_NOT_OF_STORE,
    Claim,
    OrderDecision,
    address_check_record,
    call_next_claim,
    call_outcome_record,
    lease_heartbeat,
    operator_state_choose,
    order_call_requeue,
)

router = Router(tags=["calls"])
# Mounted under /orders: the call work an order's own address takes (architecture: Interfaces).
orders_router = Router(tags=["calls"])
CALLING_ROLES = (Role.OPERATOR, Role.SUPERVISOR)
Result = Literal[OUTCOME_RESULTS]  # type: ignore[valid-type]


def lease_data(lease: Lease, *, resumed: bool = False) -> dict:
    return {
        "id": str(lease.pk),
        "claimed_at": lease.claimed_at.isoformat(),
        "expires_at": lease.expires_at.isoformat(),
        "order_ids": lease.order_ids,
        "resumed": resumed,
    }


def attempt_data(attempt: CallAttempt) -> dict:
    contacted, final, success = RESULT_FLAGS[attempt.result]
    return {
        "id": attempt.pk,
        "result": attempt.result,
        "started_at": attempt.started_at.isoformat(),
        "ended_at": attempt.ended_at.isoformat(),
        "notes": attempt.notes,
        "contacted": contacted,
        "final": final,
        "success": success,
    }


def claim_data(claim: Claim) -> dict:
    """architecture: The call queue: the lease, every task it holds (all the customer's due work in the
    store), and the customer's orders."""
    return {
        "lease": lease_data(claim.lease, resumed=claim.resumed),
        "tasks": [
            {
                "id": str(task.pk),
                "purpose": task.purpose,
                "order_id": str(task.order_id),
                "reason": task.reason,
            }
            for task in claim.tasks
        ],
        "orders": orders_data(claim.orders),
    }


@router.post(
    "/next",
    response={200: ClaimOut, 204: None, **error_responses(401, 403, 409)},
    summary="Claim the most urgent eligible customer (all their open orders in the store)",
)
def call_next(request: HttpRequest):
    operator = user_of(request, *CALLING_ROLES)
    claim = call_next_claim(operator=operator)
    if claim is None:
        return HttpResponse(status=204)
    # The answer carries the customer's orders: a view, once per call like the desk's card.
    call_card_view_record(
        orders=list(claim.orders), actor=operator, lease_id=claim.lease.pk, via=ViewedVia.API
    )
    return 200, claim_data(claim)


@router.post(
    "/{lease_id}/heartbeat",
    response={200: HeartbeatOut, **error_responses(401, 403, 404, 409, 422)},
    summary="Extend the lease",
)
def call_heartbeat(request: HttpRequest, lease_id: UUID):
    operator = user_of(request, *CALLING_ROLES)
    return {"lease": lease_data(lease_heartbeat(lease_id=lease_id, operator=operator))}


class DecisionIn(Schema):
    id: UUID
    decision: Literal["confirm", "cancel", "redeliver", "return"] = Field(
        description="confirm or cancel (a confirmation); redeliver or return (a delivery "
        "problem, result `resolved`)"
    )
    delivery_date: date | None = None
    reason: str = ""
    address: dict[str, str] | None = Field(
        default=None, description="redeliver: the corrected address or recipient fields"
    )


class OutcomeIn(Schema):
    result: Result
    notes: str = ""
    callback_at: Instant | None = None
    personal: bool = False
    reason: str = ""
    orders: list[DecisionIn] = []


@router.post(
    "/{lease_id}/outcome",
    response={200: OutcomeOut, **error_responses(401, 403, 404, 409, 413, 422)},
    summary="Record how the call ended and move every order of the lease",
)
def call_outcome(request: HttpRequest, lease_id: UUID, payload: OutcomeIn):
    operator = user_of(request, *CALLING_ROLES)
    outcome = call_outcome_record(
        lease_id=lease_id,
        operator=operator,
        result=payload.result,
        notes=payload.notes,
        callback_at=payload.callback_at,
        personal=payload.personal,
        reason=payload.reason,
        decisions=[
            OrderDecision(
                order_id=str(d.id),
                decision=d.decision,
                delivery_on=d.delivery_date,
                reason=d.reason,
                address=d.address,
            )
            for d in payload.orders
        ],
    )
    return {
        "attempt": attempt_data(outcome.attempt),
        "orders": orders_data(outcome.orders),
        "replayed": outcome.replayed,
    }


class StateIn(Schema):
    state: Literal["ready", "paused", "offline"]
    pause_code: str = ""


def state_data(current: OperatorStateSlice | None) -> dict:
    if current is None:
        return {"state": "offline", "pause_code": None, "since": None}
    return {
        "state": current.state,
        "pause_code": current.pause_code or None,
        "since": current.started_at.isoformat(),
    }


@router.get(
    "/state",
    response={200: StateOut, **error_responses(401, 403)},
    summary="The operator's current state",
)
def operator_state(request: HttpRequest):
    operator = user_of(request, *CALLING_ROLES)
    return state_data(operator_state_current(operator=operator))


@router.post(
    "/state",
    response={200: StateOut, **error_responses(401, 403, 409, 413, 422)},
    summary="Set the operator's state: ready, paused, offline (not offline during a call; a "
    "pause chosen during a call starts after its outcome)",
)
def operator_state_change(request: HttpRequest, payload: StateIn):
    operator = user_of(request, *CALLING_ROLES)
    return state_data(
        operator_state_choose(operator=operator, state=payload.state, pause_code=payload.pause_code)
    )


class RequeueIn(Schema):
    operator_id: int | None = None
    next_call_at: Instant | None = None


@router.post(
    "/orders/{order_id}/requeue",
    response={200: OrderOut, **error_responses(401, 403, 404, 409, 413, 422)},
    summary="Supervisor: queue an order again, or as a personal callback for one operator",
)
def order_requeue(request: HttpRequest, order_id: UUID, payload: RequeueIn):
    actor = user_of(request, Role.SUPERVISOR, Role.ADMIN)
    order = order_get(order_id=order_id, user=actor)
    callback_user = None
    if payload.operator_id is not None:
        callback_user = User.objects.filter(pk=payload.operator_id, is_active=True).first()
        if callback_user is None:
            raise ValidationFailed(
                [{"field": "operator_id", "code": OPERATOR_NOT_OF_STORE, "message": "no such user"}]
            )
    order = order_call_requeue(
        order=order, actor=actor, callback_user=callback_user, next_call_at=payload.next_call_at
    )
    return order_data(order_get(order_id=order.pk, user=actor))


class AddressCheckIn(Schema):
    deliverable: bool = Field(description="can the carrier deliver to the order's address")
    note: str = Field("", max_length=2000, description="what the check found out")


@orders_router.post(
    "/{order_id}/address-check",
    response={200: AddressCheckOut, **error_responses(401, 403, 404, 409, 413, 422)},
    summary="Supervisor: record the answer to an order's out-of-city address check",
)
def order_address_check(request: HttpRequest, order_id: UUID, payload: AddressCheckIn):
    actor = user_of(request, Role.SUPERVISOR, Role.ADMIN)
    order = order_get(order_id=order_id, user=actor)
    check = address_check_record(
        order=order, deliverable=payload.deliverable, note=payload.note, actor=actor
    )
    return {
        "order": order_data(order_get(order_id=order.pk, user=actor)),
        "deliverable": check.deliverable,
        "note": check.note,
        "checked_by": actor.username,
        "checked_at": check.checked_at.isoformat(),
    }
