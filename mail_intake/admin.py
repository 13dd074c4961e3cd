"""Admin: the mailboxes the desk reads (their passwords never shown again), and the mail
read from them, which changes only through the triage pages and API."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from mail_intake.models import InboundMail, Mailbox
from tickets.chat import LOOPBACK


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=_("password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Leave empty to keep the password already saved."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "address",
            "branch",
            "host",
            "port",
            "security",
            "username",
            "password",
            "folder",
            "active",
        ]

    def clean(self):
        data = super().clean()
        if (
            data.get("security") == Mailbox.Security.NONE
            and data.get("host", "").strip().lower() not in LOOPBACK
        ):
            self.add_error(
                "security",
                _("Without encryption the password crosses the network: use SSL/TLS or STARTTLS."),
            )
        return data

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if not password and self.instance.pk:
            return self.instance.password
        if not password:
            raise forms.ValidationError(_("This field is required."))
        return password


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = [
        "name",
        "address",
        "branch",
        "host",
        "active",
        "last_polled_at",
        "last_error_at",
    ]
    list_filter = ["active"]
    readonly_fields = ["last_polled_at", "last_error", "last_error_at", "last_uid"]


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["received_at", "from_address", "subject", "outcome", "ticket", "mailbox"]
    list_filter = ["outcome", "mailbox"]
    search_fields = ["from_address", "subject", "message_id"]
    list_select_related = ["ticket", "mailbox"]
    exclude = ["raw"]
