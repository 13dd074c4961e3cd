from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api import LogoutView, ObtainTokenView
from contracts.api.views import ContractViewSet
from reports.api import SlaSummaryView
from servicedesk.health import healthz
from tickets.api.views import EscalationViewSet, NotificationViewSet, TicketViewSet

router = DefaultRouter()
router.register("contracts", ContractViewSet, basename="contract")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("escalations", EscalationViewSet, basename="escalation")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/sla/summary/", SlaSummaryView.as_view(), name="api-sla-summary"),
    path("api/", include(router.urls)),
    path("", include("tickets.urls")),
]

# Uploaded files are never served from MEDIA_URL: tickets.views.common.download
# checks who may see the ticket first.
