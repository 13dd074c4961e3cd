"""The pages of tickets: the hotline console and staff ticket page, the engineer's phone, the
customer portal, notifications and the files hung on tickets."""

from django.urls import include, path

from tickets.views import (
    console,
    engineer,
    files,
    notifications,
    portal,
    portal_contracts,
    staff_ticket,
)

desk = [
    path("", console.queue, name="queue"),
    path("rows/", console.queue_rows, name="queue_rows"),
    path("call/", console.call, name="call"),
    path("call/options/", console.call_options, name="call_options"),
    path("lookup/", console.lookup, name="lookup"),
    path("tickets/<str:number>/", staff_ticket.ticket, name="ticket"),
    path("tickets/<str:number>/do/<str:action>/", staff_ticket.transition, name="transition"),
    path("tickets/<str:number>/dispatch/", staff_ticket.dispatch_engineer, name="dispatch"),
    path("tickets/<str:number>/priority/", staff_ticket.change_priority, name="priority"),
    path("tickets/<str:number>/comment/", staff_ticket.comment, name="comment"),
    path("tickets/<str:number>/attach/", staff_ticket.attach, name="attach"),
    path("tickets/<str:number>/accept/", engineer.accept, name="accept"),
    path("tickets/<str:number>/check-in/", engineer.check_in, name="check_in"),
    path("tickets/<str:number>/work-log/", engineer.work_log, name="work_log"),
    path("tickets/<str:number>/resolve/", engineer.resolve, name="resolve"),
    path("tickets/<str:number>/sign-off/", engineer.sign_off, name="sign_off"),
    path("tickets/<str:number>/remote/", engineer.remote_request, name="remote_request"),
    path("tickets/<str:number>/change/", staff_ticket.change_evaluation, name="change_evaluation"),
    path("tickets/<str:number>/complaint/", staff_ticket.complaint, name="complaint"),
    path("tickets/<str:number>/trial-answer/", staff_ticket.trial_answer, name="trial_answer"),
    path(
        "tickets/<str:number>/trial-answer/deployment/",
        staff_ticket.trial_deployment,
        name="trial_deployment",
    ),
    path(
        "tickets/<str:number>/change/<str:step>/paper/",
        staff_ticket.change_on_paper,
        name="change_on_paper",
    ),
]

engineer_urls = [path("", engineer.home, name="home")]

portal_urls = [
    path("", portal.home, name="home"),
    path("new/", portal.new, name="new"),
    path("contracts/", portal_contracts.contracts, name="contracts"),
    path("tickets/<str:number>/", portal.ticket, name="ticket"),
    path("tickets/<str:number>/reply/", portal.reply, name="reply"),
    path("tickets/<str:number>/do/<str:action>/", portal.transition, name="transition"),
    path("tickets/<str:number>/rate/", portal.rate, name="rate"),
    path("tickets/<str:number>/change/sign/", portal.change_signature, name="change_sign"),
    path("tickets/<str:number>/change/accept/", portal.change_acceptance, name="change_accept"),
    path("remote/<int:pk>/", portal.remote_decide, name="remote_decide"),
]

urlpatterns = [
    path("files/<str:kind>/<int:pk>/", files.download, name="download"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path("desk/", include((desk, "desk"))),
    path("m/", include((engineer_urls, "engineer"))),
    path("portal/", include((portal_urls, "portal"))),
]
