"""Notifications, every user's own: the list, one marked read, all marked read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import Role
from accounts.selectors import role_of
from tickets.models import Notification
from tickets.selectors import notifications_of


@login_required
def notifications(request):
    queryset = notifications_of(request.user).select_related("ticket")
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    return render(request, "notifications.html", {"page": page, "role": role_of(request.user)})


@require_POST
@login_required
def notification_read(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    if notification.ticket_id and role_of(request.user) != Role.CUSTOMER:
        return redirect("desk:ticket", number=notification.ticket.number)
    return redirect("notifications")


@require_POST
@login_required
def notifications_read_all(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("notifications")
