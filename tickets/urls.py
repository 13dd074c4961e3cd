from django.contrib.auth import views as auth_views
from django.urls import include, path

from tickets.views import common, console, dashboard, engineer, portal

desk = [
    path("", console.queue, name="queue"),
    path("call/", console.call, name="call"),
    path("lookup/", console.lookup, name="lookup"),
    path("tickets/<str:number>/", console.ticket, name="ticket"),
    path("tickets/<str:number>/do/<str:action>/", console.transition, name="transition"),
    path("tickets/<str:number>/dispatch/", console.dispatch_engineer, name="dispatch"),
    path("tickets/<str:number>/priority/", console.change_priority, name="priority"),
    path("tickets/<str:number>/comment/", console.comment, name="comment"),
    path("tickets/<str:number>/attach/", console.attach, name="attach"),
    path("tickets/<str:number>/accept/", console.accept, name="accept"),
    path("tickets/<str:number>/check-in/", console.check_in, name="check_in"),
    path("tickets/<str:number>/work-log/", console.work_log, name="work_log"),
    path("tickets/<str:number>/resolve/", console.resolve, name="resolve"),
    path("tickets/<str:number>/sign-off/", console.sign_off, name="sign_off"),
    path("tickets/<str:number>/remote/", console.remote_request, name="remote_request"),
]

engineer_urls = [path("", engineer.home, name="home")]

portal_urls = [
    path("", portal.home, name="home"),
    path("new/", portal.new, name="new"),
    path("contracts/", portal.contracts, name="contracts"),
    path("tickets/<str:number>/", portal.ticket, name="ticket"),
    path("tickets/<str:number>/reply/", portal.reply, name="reply"),
    path("tickets/<str:number>/do/<str:action>/", portal.transition, name="transition"),
    path("tickets/<str:number>/rate/", portal.rate, name="rate"),
    path("remote/<int:pk>/", portal.remote_decide, name="remote_decide"),
]

dashboard_urls = [
    path("", dashboard.home, name="home"),
    path("escalations/", dashboard.escalations, name="escalations"),
    path("escalations/<int:pk>/acknowledge/", dashboard.escalation_acknowledge, name="acknowledge"),
]

urlpatterns = [
    path("", common.home, name="home"),
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
    path("files/<str:kind>/<int:pk>/", common.download, name="download"),
    path("notifications/", common.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", common.notification_read, name="notification_read"),
    path("notifications/read-all/", common.notifications_read_all, name="notifications_read_all"),
    path("desk/", include((desk, "desk"))),
    path("m/", include((engineer_urls, "engineer"))),
    path("portal/", include((portal_urls, "portal"))),
    path("dashboard/", include((dashboard_urls, "dashboard"))),
    path("inspections/", include("inspections.urls")),
    path("surveys/", include("reports.survey_urls")),
    path("reports/", include("reports.urls")),
]
