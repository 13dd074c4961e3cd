"""Admin of the chat-group robots (superusers: a webhook address lets anyone post to the
group) and of their messages, which only the delivery writes."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import Tier
from core.admin import ReadOnlyAdmin
from tickets.chat import robot_test, webhook_problem
from tickets.models import ChatMessage, ChatRobot


class ChatRobotForm(forms.ModelForm):
    webhook_url = forms.URLField(label=_("webhook address"), max_length=500, assume_scheme="https")
    tiers = forms.MultipleChoiceField(
        label=_("escalation tiers"),
        choices=Tier.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The group hears the escalation steps that go to these tiers."),
    )

    class Meta:
        model = ChatRobot
        fields = ["name", "kind", "webhook_url", "secret", "branch", "tiers", "active"]

    def clean_webhook_url(self):
        url = self.cleaned_data["webhook_url"]
        problem = webhook_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url


@admin.register(ChatRobot)
class ChatRobotAdmin(admin.ModelAdmin):
    form = ChatRobotForm
    list_display = [
        "name",
        "kind",
        "branch",
        "tier_list",
        "active",
        "last_sent_at",
        "last_error_at",
    ]
    list_filter = ["kind", "active"]
    readonly_fields = ["last_sent_at", "last_error", "last_error_at"]
    actions = ["send_test"]

    @admin.display(description=_("escalation tiers"))
    def tier_list(self, robot):
        return ", ".join(robot.tier_labels)

    @admin.action(description=_("Send a test message"))
    def send_test(self, request, queryset):
        for robot in queryset:
            message = robot_test(robot, text=gettext("Test message from the service desk."))
            if message.sent_at:
                self.message_user(request, gettext("%(robot)s: sent.") % {"robot": robot})
            else:
                self.message_user(
                    request,
                    gettext("%(robot)s: not sent (%(error)s).")
                    % {"robot": robot, "error": message.last_error},
                    level=messages.ERROR,
                )


@admin.register(ChatMessage)
class ChatMessageAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["title", "robot", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = ["robot"]
    list_select_related = ["robot"]
