"""`GET /api/sla/summary/`: the SLA figures of a period, the same numbers as the dashboard.

The period rule (tickets reported on these local dates, Asia/Shanghai, both
included) and the counting are `reports.sla`, which the dashboard and
the monthly SLA report use too; a clock's outcome is `tickets.models.clocks`.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import MANAGER_ROLES, Role
from accounts.selectors import customer_id_of, role_of
from contracts.models import Contract, Customer
from contracts.targets import TARGET_FIELDS, compliance_target
from core.inputs import date_problem
from reports.sla.compliance import Compliance, compliance
from reports.sla.period import KINDS, MAX_PERIOD_DAYS, Period, StatFilters

# Who may read the figures: the dashboard's roles, and customer contacts for their own organisation.
SUMMARY_ROLES = (*MANAGER_ROLES, Role.CUSTOMER)


class SummaryQuery(serializers.Serializer):
    """The query string: dates in order and not too far apart, ids this user may ask for."""

    from_ = serializers.DateField(input_formats=["%Y-%m-%d"])
    to = serializers.DateField(input_formats=["%Y-%m-%d"])
    customer = serializers.IntegerField(required=False, min_value=1)
    contract = serializers.IntegerField(required=False, min_value=1)

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword: the field is `from_` here and `from` on the wire.
        fields["from"] = fields.pop("from_")
        return fields

    def validate(self, attrs):
        user = self.context["request"].user
        errors = {}
        first, last = attrs["from"], attrs["to"]
        for name, day in (("from", first), ("to", last)):
            if problem := date_problem(day):
                errors[name] = [problem]
        if "from" in errors or "to" in errors:
            pass
        elif last < first:
            errors["to"] = [_("The period cannot end before it starts.")]
        elif (last - first).days + 1 > MAX_PERIOD_DAYS:
            errors["to"] = [_("Choose at most %(days)d days.") % {"days": MAX_PERIOD_DAYS}]
        own = customer_id_of(user) if role_of(user) == Role.CUSTOMER else None
        customer_id = attrs.get("customer")
        if own is not None:
            # A customer contact reads their own organisation only; another one does not exist.
            if customer_id is not None and customer_id != own:
                errors["customer"] = [_("No such customer.")]
            customer_id = own
        elif customer_id is not None and not Customer.objects.filter(pk=customer_id).exists():
            errors["customer"] = [_("No such customer.")]
        contract = None
        if attrs.get("contract") is not None:
            contracts = Contract.objects.only("pk", "customer_id", *TARGET_FIELDS)
            if own is not None:
                contracts = contracts.filter(customer_id=own)
            contract = contracts.filter(pk=attrs["contract"]).first()
            if contract is None:
                errors["contract"] = [_("No such contract.")]
            elif customer_id is not None and contract.customer_id != customer_id:
                errors["contract"] = [_("This contract is not the customer's.")]
        if errors:
            raise serializers.ValidationError(errors)
        attrs["period"] = Period.inclusive(first, last)
        attrs["filters"] = StatFilters(customer=customer_id, contract=attrs.get("contract"))
        attrs["target"] = compliance_target(contract)
        return attrs


def _figures(value: Compliance) -> dict:
    percent = value.percent
    return {
        "met": value.met,
        "breached": value.breached,
        "at_risk": value.at_risk,
        "running": value.running,
        "paused": value.paused,
        "compliance_percent": None if percent is None else round(percent, 2),
    }


_FIGURES = inline_serializer(
    "SlaFigures",
    {
        "met": serializers.IntegerField(),
        "breached": serializers.IntegerField(),
        "at_risk": serializers.IntegerField(),
        "running": serializers.IntegerField(),
        "paused": serializers.IntegerField(),
        "compliance_percent": serializers.FloatField(allow_null=True),
    },
)


class SlaSummaryView(APIView):
    """Clocks of the tickets reported in a period, by kind and outcome, with compliance.

    Managers, leaders and admins: every customer, or one. Customer contacts:
    their own organisation only. Everyone else: 403.
    """

    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, required=True, description="First day, YYYY-MM-DD"),
            OpenApiParameter("to", str, required=True, description="Last day (included)"),
            OpenApiParameter("customer", int, description="Customer id"),
            OpenApiParameter("contract", int, description="Contract id"),
        ],
        responses=inline_serializer(
            "SlaSummary",
            {
                "from": serializers.DateField(),
                "to": serializers.DateField(),
                "time_zone": serializers.CharField(),
                "as_of": serializers.DateTimeField(),
                "customer": serializers.IntegerField(allow_null=True),
                "contract": serializers.IntegerField(allow_null=True),
                "target_percent": serializers.FloatField(),
                "warn_below_percent": serializers.FloatField(),
                "kinds": serializers.DictField(child=_FIGURES),
                "total": _FIGURES,
            },
        ),
    )
    def get(self, request):
        if role_of(request.user) not in SUMMARY_ROLES:
            raise PermissionDenied(_("Only managers and customer contacts see SLA figures."))
        query = SummaryQuery(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        now = timezone.now()
        by_kind = compliance(data["period"], data["filters"], now=now)
        total = Compliance()
        for value in by_kind.values():
            total = total + value
        period, filters, target = data["period"], data["filters"], data["target"]
        return Response(
            {
                "from": period.start.isoformat(),
                "to": period.last_day.isoformat(),
                "time_zone": str(period.start_at.tzinfo),
                "as_of": now,
                "customer": filters.customer,
                "contract": filters.contract,
                "target_percent": target.target,
                "warn_below_percent": target.warn_below,
                "kinds": {kind: _figures(by_kind[kind]) for kind in KINDS},
                "total": _figures(total),
            }
        )
