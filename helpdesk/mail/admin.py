"""Admin for the e-mail channel: mailboxes (the IMAP password is never shown back), what came in, what
went out."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from helpdesk.models import InboundEmail, Mailbox, OrganizationDomain, OutboundEmail, TicketCc


class MailboxForm(forms.ModelForm):
    imap_password = forms.CharField(
        label="IMAP password",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the current password.",
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "email_address",
            "team",
            "is_active",
            "imap_host",
            "imap_port",
            "imap_ssl",
            "imap_username",
            "imap_password",
            "imap_folder",
        ]

    def clean_imap_password(self) -> str:
        entered = self.cleaned_data.get("imap_password", "")
        if not entered and self.instance.pk:
            return (
                Mailbox.objects.filter(pk=self.instance.pk).values_list("imap_password", flat=True).first()
                or ""
            )
        return entered


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["name", "email_address", "team", "imap_host", "is_active", "last_polled_at", "has_error"]
    list_filter = ["is_active", "team"]
    search_fields = ["name", "email_address"]
    readonly_fields = ["last_polled_at", "last_error"]

    @admin.display(boolean=True, description="error")
    def has_error(self, obj: Mailbox) -> bool:
        return bool(obj.last_error)


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "sender", "subject", "via", "outcome", "reason", "ticket_id"]
    list_filter = ["outcome", "via", "reason"]
    search_fields = ["sender", "subject", "message_id_header"]
    exclude = ["raw"]
    readonly_fields = [f.name for f in InboundEmail._meta.fields if f.name != "raw"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "ticket_id", "kind", "to", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["to", "subject", "message_id_header"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(TicketCc)
class TicketCcAdmin(admin.ModelAdmin):
    list_display = ["email", "ticket_id", "created_at"]
    search_fields = ["email"]
    raw_id_fields = ["ticket"]


class OrganizationDomainInline(admin.TabularInline):
    model = OrganizationDomain
    extra = 1
