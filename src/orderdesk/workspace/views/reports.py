"""The supervisor's report pages: KPIs with charts and tables (exported as CSV and Excel), the
wallboard for a TV, the staffing plan and the operators' pay statements. Every figure comes
from `orderdesk.reports`; these views only choose, draw and export."""

from datetime import date, timedelta

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orderdesk.accounts.models import Role, User
from orderdesk.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from orderdesk.orders.models import Source
from orderdesk.reports.charts import Series, bar_chart
from orderdesk.reports.exports import kpi_csv, kpi_xlsx
from orderdesk.reports.kpis import GROUPINGS, KpiQuery, kpi_report
from orderdesk.reports.live import kpis_today, sla_breaches
from orderdesk.reports.pay import pay_statement, pay_statement_xlsx
from orderdesk.reports.staffing import staffing_table

from ..access import supervisor_view
from ..selectors import operators_board, queue_summary, stores_supervised_by

MAX_PERIOD_DAYS = 366
WALLBOARD_REFRESH_SECONDS = 15
GROUP_LABELS = {
    "day": gettext_lazy("Day"),
    "hour": gettext_lazy("Hour"),
    "store": gettext_lazy("Store"),
    "source": gettext_lazy("Source"),
    "operator": gettext_lazy("Operator"),
    "locality": gettext_lazy("Locality"),
}


class ReportFilterForm(forms.Form):
    since_on = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until_on = forms.DateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"})
    )
    group_by = forms.ChoiceField(
        label=gettext_lazy("Group by"), choices=[(g, GROUP_LABELS[g]) for g in GROUPINGS]
    )
    store = forms.ChoiceField(label=gettext_lazy("Store"), required=False)
    source = forms.ChoiceField(
        label=gettext_lazy("Source"), required=False, choices=[("", "—"), *Source.choices]
    )
    operator = forms.ChoiceField(label=gettext_lazy("Operator"), required=False)

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.stores = {str(s.pk): s for s in stores}
        self.fields["store"].choices = [
            ("", _("All my stores")),
            *((k, s.name) for k, s in self.stores.items()),
        ]
        operators = User.objects.filter(role=Role.OPERATOR, stores__in=stores).distinct()
        self.operators = {str(u.pk): u for u in operators.order_by("username")}
        self.fields["operator"].choices = [
            ("", "—"),
            *((k, u.username) for k, u in self.operators.items()),
        ]

    def clean(self):
        data = super().clean()
        since, until = data.get("since_on"), data.get("until_on")
        if since and until and until < since:
            self.add_error("until_on", _("The end of the period is before its start."))
        elif since and until and (until - since).days >= MAX_PERIOD_DAYS:
            self.add_error("until_on", _("A period is at most 366 days."))
        return data

    def query(self) -> KpiQuery:
        data = self.cleaned_data
        stores = [self.stores[data["store"]]] if data["store"] else list(self.stores.values())
        return KpiQuery(
            store_ids=tuple(s.pk for s in stores),
            since_on=data["since_on"],
            until_on=data["until_on"],
            group_by=data["group_by"],
            sources=(data["source"],) if data["source"] else (),
            operator_ids=(int(data["operator"]),) if data["operator"] else (),
        )


def _filter_form(request: HttpRequest) -> ReportFilterForm:
    today = timezone.localdate()
    initial = {"since_on": today - timedelta(days=29), "until_on": today, "group_by": "day"}
    data = request.GET if "since_on" in request.GET else initial
    return ReportFilterForm(data, stores=list(stores_supervised_by(user=request.user)))


def _charts(report: dict) -> list:
    rows = report["rows"]
    labels = [row["key"] if row["key"] is not None else "—" for row in rows]
    if not rows:
        return []
    volumes = [
        Series(_("Orders"), [row["orders"] for row in rows]),
        Series(_("Confirmed"), [row["confirmed"] for row in rows]),
        Series(_("Delivered"), [row["delivered"] for row in rows]),
    ]
    if rows[0]["orders"] is None:  # by operator: orders are nobody's
        volumes = volumes[1:]
    rates = [
        Series(_("Approval rate"), [row["approval_rate"] for row in rows]),
        Series(_("Buyout rate"), [row["buyout_rate"] for row in rows]),
        Series(_("Contact rate"), [row["contact_rate"] for row in rows]),
    ]
    return [
        bar_chart(title=_("Orders, confirmations, deliveries"), labels=labels, series=volumes),
        bar_chart(title=_("Rates"), labels=labels, series=rates, ratio=True),
    ]


@supervisor_view
def reports_page(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    context: dict = {"form": form}
    if form.is_valid():
        query = form.query()
        report = kpi_report(query)
        context |= {
            "report": report,
            "group_label": GROUP_LABELS[query.group_by or "day"],
            "charts": _charts(report),
            "export_query": request.GET.urlencode() if "since_on" in request.GET else "",
            "reasons": sorted(report["totals"]["cancelled_by_reason"].items()),
        }
    return render(
        request, "workspace/reports.html", context, status=200 if form.is_valid() else 422
    )


@supervisor_view
def reports_export(request: HttpRequest, fmt: str) -> HttpResponse:
    form = _filter_form(request)
    if not form.is_valid():
        return render(request, "workspace/reports.html", {"form": form}, status=422)
    query = form.query()
    report = kpi_report(query)
    name = f"kpis-{query.since_on}-{query.until_on}"
    if fmt == "csv":
        response = HttpResponse(
            kpi_csv(report, query=query, total_label=_("Total")), content_type=CSV_CONTENT_TYPE
        )
    else:
        response = HttpResponse(
            kpi_xlsx(report, query=query, total_label=_("Total")),
            content_type=XLSX_CONTENT_TYPE,
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def wallboard_context(request: HttpRequest) -> dict:
    now = timezone.now()
    stores = stores_supervised_by(user=request.user)
    store_ids = [s.pk for s in stores]
    operators = operators_board(stores=stores, now=now)
    states: dict[str, int] = {}
    for row in operators:
        states[row.state_label] = states.get(row.state_label, 0) + 1
    return {
        "now": now,
        "queue": queue_summary(stores=stores),
        "operator_states": sorted(states.items()),
        "today": kpis_today(store_ids=store_ids, now=now),
        "sla_breaches": sla_breaches(store_ids=store_ids, now=now),
        "refresh_seconds": WALLBOARD_REFRESH_SECONDS,
    }


@supervisor_view
def wallboard(request: HttpRequest) -> HttpResponse:
    template = "workspace/wallboard.html#board" if request.htmx else "workspace/wallboard.html"
    return render(request, template, wallboard_context(request))


class StaffingForm(forms.Form):
    store = forms.ChoiceField(label=gettext_lazy("Store"), required=False)
    target_sl = forms.FloatField(
        label=gettext_lazy("Service level, %"), min_value=1, max_value=99, initial=80
    )
    target_s = forms.FloatField(label=gettext_lazy("Within, seconds"), min_value=0, initial=20)
    shrinkage = forms.FloatField(
        label=gettext_lazy("Shrinkage, %"), min_value=0, max_value=90, initial=30
    )

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.stores = {str(s.pk): s for s in stores}
        self.fields["store"].choices = [
            ("", _("All my stores")),
            *((k, s.name) for k, s in self.stores.items()),
        ]


@supervisor_view
def staffing_page(request: HttpRequest) -> HttpResponse:
    """Operators needed per weekday and hour (Erlang C) beside those who were logged in."""
    stores = list(stores_supervised_by(user=request.user))
    data = request.GET if "target_sl" in request.GET else None
    form = StaffingForm(
        data, stores=stores, initial={"target_sl": 80, "target_s": 20, "shrinkage": 30}
    )
    values = form.cleaned_data if data is not None and form.is_valid() else None
    if data is not None and values is None:
        return render(request, "workspace/staffing.html", {"form": form}, status=422)
    values = values or {"store": "", "target_sl": 80, "target_s": 20, "shrinkage": 30}
    chosen = [form.stores[values["store"]]] if values["store"] else stores
    operators = User.objects.filter(role=Role.OPERATOR, stores__in=chosen).distinct()
    zone = chosen[0].default_timezone if chosen else "Asia/Almaty"
    table = staffing_table(
        store_ids=[s.pk for s in chosen], operator_ids=list(operators.values_list("pk", flat=True)),
        zone=zone, target_sl=values["target_sl"] / 100, target_s=values["target_s"],
        shrinkage=values["shrinkage"] / 100,
    )  # fmt: skip
    busy = [h for h in table.hours if h.calls_per_hour or h.logged_in]
    return render(request, "workspace/staffing.html", {"form": form, "table": table, "hours": busy})


class PayForm(forms.Form):
    operator = forms.ChoiceField(label=gettext_lazy("Operator"))
    month = forms.CharField(
        label=gettext_lazy("Month"), widget=forms.DateInput(attrs={"type": "month"})
    )

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        operators = User.objects.filter(role=Role.OPERATOR, stores__in=stores).distinct()
        self.operators = {str(u.pk): u for u in operators.order_by("username")}
        self.fields["operator"].choices = [(k, u.username) for k, u in self.operators.items()]

    def clean_month(self) -> date:
        raw = self.cleaned_data["month"]
        try:
            year, month = (int(part) for part in raw.split("-"))
            return date(year, month, 1)
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Give a month as YYYY-MM.")) from None


@supervisor_view
def pay_page(request: HttpRequest, fmt: str = "html") -> HttpResponse:
    """An operator's monthly pay statement, on the page or as an Excel file."""
    stores = list(stores_supervised_by(user=request.user))
    form = PayForm(request.GET if "operator" in request.GET else None, stores=stores)
    if not form.is_bound or not form.is_valid():
        status = 422 if form.is_bound else 200
        return render(request, "workspace/pay.html", {"form": form}, status=status)
    statement = pay_statement(
        operator=form.operators[form.cleaned_data["operator"]],
        month=form.cleaned_data["month"], store_ids=[s.pk for s in stores],
    )  # fmt: skip
    if fmt == "xlsx":
        response = HttpResponse(
            pay_statement_xlsx(statement),
            content_type=XLSX_CONTENT_TYPE,
        )
        name = f"pay-{statement.operator.username}-{statement.month:%Y-%m}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {
        "form": form, "statement": statement, "totals": sorted(statement.totals().items()),
        "export_query": request.GET.urlencode(),
        "counts": {k: statement.count(k) for k in ("confirmed", "delivered", "returned")},
    }  # fmt: skip
    return render(request, "workspace/pay.html", context)
