"""The admin's list of outgoing mail: what is stuck, with its error, and a retry action."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .infra.mail import mail_send
from .models import MailStatus, QueuedMail


@admin.register(QueuedMail)
class QueuedMailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "subject", "status", "attempts", "short_error"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    readonly_fields = [
        "to",
        "from_email",
        "subject",
        "body",
        "html_body",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "last_attempt_at",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error if len(obj.last_error) <= 60 else f"{obj.last_error[:59]}…"

    @admin.action(description=_("Send the selected mail again"), permissions=["view"])
    def send_again(self, request, queryset):
        result = mail_send(mails=queryset.exclude(status=MailStatus.SENT))
        if result.sent:
            self.message_user(
                request,
                ngettext("%(count)d mail sent.", "%(count)d mails sent.", result.sent)
                % {"count": result.sent},
                messages.SUCCESS,
            )
        if result.failed:
            self.message_user(
                request,
                ngettext(
                    "%(count)d mail could not be sent: see its error.",
                    "%(count)d mails could not be sent: see their errors.",
                    result.failed,
                )
                % {"count": result.failed},
                messages.ERROR,
            )
        if not (result.sent or result.failed):
            self.message_user(request, _("Nothing to send."), messages.INFO)
