"""The calls router's answers (stable interfaces, described for the OpenAPI document): the
lease, the tasks it holds, the attempt an outcome recorded, the operator's state. Plain
pydantic models over the dicts `apis.py` builds, as orders.schemas does for the order."""

from uuid import UUID

from pydantic import BaseModel, Field

from orderdesk.core.schemas import IsoDateTime
from orderdesk.orders.schemas import OrderOut

from .models import CallPurpose, CallResult, OperatorState


class LeaseOut(BaseModel):
    id: UUID
    claimed_at: IsoDateTime
    expires_at: IsoDateTime = Field(description="the call is lost then unless a heartbeat comes")
    order_ids: list[UUID] = Field(description="the orders whose tasks the lease holds")
    resumed: bool = Field(description="true when the operator already held this lease")


class ClaimTaskOut(BaseModel):
    id: UUID
    purpose: CallPurpose
    order_id: UUID
    reason: str = Field(description="why the task was opened (empty for a confirmation)")


class ClaimOut(BaseModel):
    lease: LeaseOut
    tasks: list[ClaimTaskOut] = Field(
        description="every task of the customer in the store that this call takes"
    )
    orders: list[OrderOut] = Field(
        description="the customer's open orders and those the tasks are about"
    )


class HeartbeatOut(BaseModel):
    lease: LeaseOut


class AttemptOut(BaseModel):
    id: int
    result: CallResult
    started_at: IsoDateTime
    ended_at: IsoDateTime
    notes: str
    contacted: bool = Field(description="the customer was spoken to")
    final: bool = Field(description="calling about the held orders ends with this result")
    success: bool


class OutcomeOut(BaseModel):
    attempt: AttemptOut
    orders: list[OrderOut] = Field(description="the lease's orders as they are now")
    replayed: bool = Field(description="true when this outcome had been recorded already")


class StateOut(BaseModel):
    state: OperatorState
    pause_code: str | None
    since: IsoDateTime | None


class AddressCheckOut(BaseModel):
    order: OrderOut = Field(description="the order as it is now")
    deliverable: bool
    note: str
    checked_by: str = Field(description="the user who recorded the answer")
    checked_at: IsoDateTime
