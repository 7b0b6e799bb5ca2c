"""The reports router: KPIs (JSON, CSV, Excel) and Erlang C staffing (SPEC: Reports)."""

from datetime import date
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from orderdesk.accounts.models import Role
from orderdesk.accounts.principals import principal_of, user_of
from orderdesk.core.errors import ValidationFailed
from orderdesk.core.exports import CSV_CONTENT_TYPE, CSV_MEDIA_TYPE, XLSX_CONTENT_TYPE
from orderdesk.core.schemas import error_responses

from .erlang import agents_needed
from .exports import kpi_csv, kpi_xlsx
from .kpis import KpiQuery, kpi_report
from .scope import operator_ids_named, stores_of_user

router = Router(tags=["reports"])

MAX_PERIOD_DAYS = 366
MAX_TRAFFIC_ERLANGS = 5000
PERIOD_TOO_LONG = "period_too_long"
PERIOD_REVERSED = "period_reversed"
UNKNOWN_STORE = "unknown_store"
UNKNOWN_OPERATOR = "unknown_operator"
TRAFFIC_TOO_HIGH = "traffic_too_high"
XLSX_TYPE = XLSX_CONTENT_TYPE


class KpiParams(Schema):
    model_config = ConfigDict(populate_by_name=True)

    from_on: date = Field(alias="from", description="the first local day (YYYY-MM-DD)")
    to_on: date = Field(alias="to", description="the last local day, included")
    group_by: Literal["store", "source", "operator", "locality", "day", "hour"] | None = None
    format: Literal["json", "csv", "xlsx"] = "json"
    store: str | None = Field(None, description="a store's slug (within the caller's stores)")
    source: str | None = Field(None, description="an order source: website, kaspi…")
    operator: str | None = Field(None, description="an operator's username")


class KpiFiguresOut(Schema):
    model_config = ConfigDict(extra="allow")

    orders: int | None = Field(description="orders that came in; null by operator")
    confirmed: int
    cancelled: int
    cancelled_by_reason: dict[str, int]
    approval_rate: float | None = Field(description="confirmed / (confirmed + cancelled)")
    delivered: int
    returned: int
    buyout_rate: float | None = Field(description="delivered / (delivered + returned)")
    attempts: int
    contacted: int
    contact_rate: float | None = Field(description="calls that reached the customer / calls")
    attempts_to_first_contact: float | None
    median_first_call_s: float | None = Field(description="seconds inside the calling window")
    p90_first_call_s: float | None
    called_within_15m_rate: float | None
    median_confirm_s: float | None
    aht_s: float | None = Field(description="talk + wrap-up of calls that reached the customer")
    upsell_revenue: str | None = Field(description="null when no source is registered")
    problems_won_back: int | None = Field(description="null when no source is registered")


class KpiRowOut(KpiFiguresOut):
    key: str | None = Field(description="the group: a slug, source, username, locality, day…")


class KpiReportOut(Schema):
    rows: list[KpiRowOut]
    totals: KpiFiguresOut


def _invalid(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed([{"field": field, "code": code, "message": message}])


def kpi_query_from(request: HttpRequest, params: KpiParams) -> KpiQuery:
    """The caller's stores (a store key its own; a supervisor theirs; an admin all), narrowed
    by the filters; a store outside them is 404, as anything not yours."""
    if params.to_on < params.from_on:
        raise _invalid("to", PERIOD_REVERSED, "to: must not be before from")
    if (params.to_on - params.from_on).days >= MAX_PERIOD_DAYS:
        raise _invalid("to", PERIOD_TOO_LONG, f"to: at most {MAX_PERIOD_DAYS} days")
    principal = principal_of(request)
    if principal.store is not None:
        stores = {principal.store.slug: principal.store.pk}
    else:
        stores = stores_of_user(user_of(request, Role.SUPERVISOR, Role.ADMIN))
    if params.store is not None:
        if params.store not in stores:
            raise Http404
        stores = {params.store: stores[params.store]}
    operator_ids: tuple[int, ...] = ()
    if params.operator:
        operator_ids = operator_ids_named(params.operator)
        if not operator_ids:
            raise _invalid("operator", UNKNOWN_OPERATOR, "operator: no such user")
    return KpiQuery(
        store_ids=tuple(sorted(stores.values())),
        since_on=params.from_on,
        until_on=params.to_on,
        group_by=params.group_by,
        sources=(params.source,) if params.source else (),
        operator_ids=operator_ids,
    )


@router.get(
    "/kpis",
    response={200: KpiReportOut, **error_responses(401, 403, 404, 422)},
    summary="KPIs by store, source, operator, locality, day or hour (the store's local days)",
    description="`format=csv` or `xlsx` answers the same rows as a file (text cells "
    "formula-safe). Supervisors and admins, or a store key for its own figures.",
    openapi_extra={
        "responses": {
            200: {
                "content": {
                    CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
                    XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                }
            }
        }
    },
)
def kpis(request: HttpRequest, params: Query[KpiParams]) -> Any:
    query = kpi_query_from(request, params)
    report = kpi_report(query)
    if params.format == "json":
        return report
    name = f"kpis-{params.from_on}-{params.to_on}"
    if params.format == "csv":
        response = HttpResponse(kpi_csv(report, query=query), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    response = HttpResponse(
        kpi_xlsx(report, query=query),
        content_type=XLSX_TYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


class StaffingParams(Schema):
    calls_per_hour: float = Field(ge=0, description="calls offered per hour")
    aht_s: float = Field(gt=0, description="average handling time, seconds (talk + wrap-up)")
    target_sl: float = Field(0.8, gt=0, lt=1, description="share answered within target_s")
    target_s: float = Field(20, ge=0, description="seconds")
    shrinkage: float = Field(0, ge=0, lt=1, description="share of paid time off the phones")


class StaffingOut(Schema):
    agents: int = Field(description="the fewest agents on the phones meeting the target")
    service_level: float
    occupancy: float
    waiting_probability: float = Field(description="Erlang C: the share of calls that wait")
    traffic_erlangs: float
    scheduled: int = Field(description="agents / (1 − shrinkage), rounded up")


@router.get(
    "/staffing",
    response={200: StaffingOut, **error_responses(401, 403, 422)},
    summary="Operators needed for a target service level (Erlang C)",
)
def staffing(request: HttpRequest, params: Query[StaffingParams]) -> Any:
    principal = principal_of(request)
    if principal.store is None:
        user_of(request, Role.SUPERVISOR, Role.ADMIN)
    if params.calls_per_hour * params.aht_s / 3600 > MAX_TRAFFIC_ERLANGS:
        raise _invalid(
            "calls_per_hour", TRAFFIC_TOO_HIGH,
            f"calls_per_hour: with this aht_s the traffic exceeds {MAX_TRAFFIC_ERLANGS} erlangs",
        )  # fmt: skip
    plan = agents_needed(
        calls_per_hour=params.calls_per_hour, aht_s=params.aht_s, target_sl=params.target_sl,
        target_s=params.target_s, shrinkage=params.shrinkage,
    )  # fmt: skip
    return {
        "agents": plan.agents,
        "service_level": round(plan.service_level, 4),
        "occupancy": round(plan.occupancy, 4),
        "waiting_probability": round(plan.waiting_probability, 4),
        "traffic_erlangs": round(plan.traffic, 4),
        "scheduled": plan.scheduled,
    }
