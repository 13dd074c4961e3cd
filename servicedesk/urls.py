from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import LogoutAllView, LogoutView, ObtainTokenView
from accounts.language import set_language
from contracts.api.views import ContractViewSet
from deductions.api.views import DeductionViewSet, ThirdPartyRepairViewSet
from duty.api.views import DutyGapsView, DutyShiftViewSet
from inspections import urls as inspection_urls
from item_history.api.views import ItemHistoryView, ItemVersionView
from knowledge.api.views import ArticleViewSet
from mail_intake.api.views import InboundMailViewSet
from maintenance.api.views import DowntimeWindowViewSet, SoftwareNoticeViewSet, UpgradeViewSet
from reports import urls as report_urls
from reports.api import SlaSummaryView
from reports.issued_api import IssuedReportViewSet
from servicedesk import landing
from servicedesk.health import healthz
from spares.api.views import PartUseViewSet, StockViewSet, SubstituteViewSet
from tickets.api.changes import (
    ChangeAcceptView,
    ChangeApprovalView,
    ChangeEvaluateView,
    ChangeSignView,
)
from tickets.api.chat import ChatRobotViewSet
from tickets.api.complaints import ComplaintView
from tickets.api.trial import TrialAnswerView, TrialDeploymentView
from tickets.api.views import EscalationViewSet, NotificationViewSet, TicketViewSet
from training import urls as training_urls
from training.api.views import TrainingSessionViewSet

router = DefaultRouter()
router.register("contracts", ContractViewSet, basename="contract")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("escalations", EscalationViewSet, basename="escalation")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("chat-robots", ChatRobotViewSet, basename="chat-robot")
router.register("spares/stock", StockViewSet, basename="stock")
router.register("spares/parts", PartUseViewSet, basename="part-use")
router.register("spares/substitutes", SubstituteViewSet, basename="substitute")
router.register("maintenance/windows", DowntimeWindowViewSet, basename="downtime-window")
router.register("maintenance/upgrades", UpgradeViewSet, basename="upgrade")
router.register("maintenance/notices", SoftwareNoticeViewSet, basename="software-notice")
router.register("training/sessions", TrainingSessionViewSet, basename="training-session")
router.register("duty/shifts", DutyShiftViewSet, basename="duty-shift")
router.register("knowledge/articles", ArticleViewSet, basename="knowledge-article")
router.register("mail", InboundMailViewSet, basename="inbound-mail")
router.register("deductions/ledger", DeductionViewSet, basename="deduction")
router.register("reports/issued", IssuedReportViewSet, basename="issued-report")
router.register(
    "deductions/third-party-repairs", ThirdPartyRepairViewSet, basename="third-party-repair"
)

# The inspection pages, and the inspection report that reports renders among them.
inspection_pages = [*inspection_urls.urlpatterns, *report_urls.inspection_documents]
# The training pages, and the sign-in sheet that reports renders among them.
training_pages = [*training_urls.urlpatterns, *report_urls.training_documents]

urlpatterns = [
    # Before Django's: the switch also remembers the language for e-mails.
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("api/auth/logout-all/", LogoutAllView.as_view(), name="api-logout-all"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/sla/summary/", SlaSummaryView.as_view(), name="api-sla-summary"),
    path(
        "api/tickets/<int:pk>/change-approval/",
        ChangeApprovalView.as_view(),
        name="api-change-approval",
    ),
    path("api/tickets/<int:pk>/change-approval/sign/", ChangeSignView.as_view()),
    path("api/tickets/<int:pk>/complaint/", ComplaintView.as_view(), name="api-complaint"),
    path("api/tickets/<int:pk>/trial-answer/", TrialAnswerView.as_view(), name="api-trial-answer"),
    path("api/tickets/<int:pk>/trial-answer/deployment/", TrialDeploymentView.as_view()),
    path("api/tickets/<int:pk>/change-approval/evaluate/", ChangeEvaluateView.as_view()),
    path("api/tickets/<int:pk>/change-approval/accept/", ChangeAcceptView.as_view()),
    path("api/items/<int:pk>/history/", ItemHistoryView.as_view(), name="api-item-history"),
    path("api/items/<int:pk>/versions/", ItemVersionView.as_view(), name="api-item-versions"),
    path("api/duty/gaps/", DutyGapsView.as_view(), name="api-duty-gaps"),
    path("api/", include(router.urls)),
    # Password reset by email (templates/registration/password_reset_*).
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password_reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password_reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", landing.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("portal/reports/", include((report_urls.portal_reports, "portal_reports"))),
    path("", include("tickets.urls")),
    path("spares/", include("spares.urls")),
    path("deductions/", include("deductions.urls")),
    path("maintenance/", include("maintenance.urls")),
    path("training/", include((training_pages, "training"))),
    path("duty/", include("duty.urls")),
    path("knowledge/", include("knowledge.urls")),
    path("mail/", include("mail_intake.urls")),
    path("items/", include("item_history.urls")),
    path("dashboard/", include("reports.dashboard_urls")),
    path("inspections/", include((inspection_pages, "inspections"))),
    path("surveys/", include("reports.survey_urls")),
    path("reports/", include("reports.urls")),
]

# Uploaded files are never served from MEDIA_URL: tickets.views.files.download
# checks who may see the ticket first.

# JSON errors under /api/, the HTML templates elsewhere (core.error_views).
handler400 = "core.error_views.bad_request"
handler403 = "core.error_views.permission_denied"
handler404 = "core.error_views.page_not_found"
handler500 = "core.error_views.server_error"
