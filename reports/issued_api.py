"""`/api/reports/issued/`: the written reports issued to customers, through the same service
(reports.issued) and the same visibility rule (reports.selectors.issued_reports_visible_to)
as the pages and the admin."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from core.api_errors import errors
from core.inputs import as_id
from core.web import stored_file_response
from reports.issued import issued_report_issue, may_issue_reports
from reports.models import IssuedReport, ReportJob
from reports.selectors import issued_reports_visible_to
from tickets.api.views import IDEMPOTENCY_PARAMETER
from tickets.submissions import api_create_once


class IssuedReportSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    status = serializers.ChoiceField(
        source="job.status",
        choices=ReportJob.Status.choices,
        read_only=True,
        help_text="queued and running: being prepared; done: ready to download; "
        "failed (staff only): the render failed and may be retried on the reports page.",
    )
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = IssuedReport
        fields = [
            "id",
            "customer",
            "customer_name",
            "kind",
            "year",
            "version",
            "issued_at",
            "status",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, issue: IssuedReport) -> str | None:
        """The PDF's address once it is ready, else null."""
        return reverse("issued-report-download", args=[issue.pk]) if issue.is_ready else None


class IssueInputSerializer(serializers.Serializer):
    """What to issue; the year's range and the customer are checked by the service."""

    customer = serializers.IntegerField(help_text="Customer id.")
    year = serializers.IntegerField(help_text="From 2000 to the current year.")


class _JsonForErrors(DefaultContentNegotiation):
    """The download answers a PDF whatever the client accepts, and its errors JSON: the
    negotiation never refuses (406) a client that asks for application/pdf."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


_FILTERS = [
    OpenApiParameter("customer", OpenApiTypes.INT, description="Only this customer's reports."),
    OpenApiParameter("year", OpenApiTypes.INT, description="Only reports of this year."),
]


class IssuedReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Reports issued to customers (提交书面报告), newest first. Managers, leaders and admins:
    every issue and version; customer contacts: their organisation's current versions
    (never a failed one); anyone else: an empty list. `POST` issues one (managers, leaders,
    admins); `…/download/` is the PDF once it is ready."""

    serializer_class = IssuedReportSerializer
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return IssuedReport.objects.none()
        issues = issued_reports_visible_to(self.request.user).order_by("-issued_at", "-pk")
        params = self.request.query_params
        if "customer" in params:
            issues = issues.filter(customer_id=as_id(params["customer"]) or 0)
        if "year" in params:
            year = as_id(params["year"])
            issues = issues.filter(year=year) if year and year < 10000 else issues.none()
        return issues

    @extend_schema(parameters=_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=IssueInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: IssuedReportSerializer},
    )
    def create(self, request):
        if not may_issue_reports(request.user):
            raise PermissionDenied(_("Only managers issue reports to customers."))

        def run():
            given = IssueInputSerializer(data=request.data)
            given.is_valid(raise_exception=True)
            issue = issued_report_issue(user=request.user, **given.validated_data)
            fresh = issued_reports_visible_to(request.user).get(pk=issue.pk)
            return Response(IssuedReportSerializer(fresh).data, status=status.HTTP_201_CREATED)

        # Once per Idempotency-Key: a retry issues one version.
        return api_create_once(request, run)

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **errors(409)},
    )
    @action(detail=True, methods=["get"], content_negotiation_class=_JsonForErrors)
    def download(self, request, pk=None):
        """The issued report's PDF; 409 while it is being prepared (or failed, for staff)."""
        issue = self.get_object()
        if not issue.is_ready:
            failed = issue.job.status == ReportJob.Status.FAILED
            detail = (
                _("The report could not be rendered; retry it on the reports page.")
                if failed
                else _("The report is still being prepared.")
            )
            return Response({"detail": detail}, status=status.HTTP_409_CONFLICT)
        return stored_file_response(
            issue.job.file,
            filename=issue.filename,
            as_attachment=True,
            content_type="application/pdf",
        )
