from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from litso.mail.models import InboundMail, InboundState, Mailbox

HEADER_PREVIEW = 32768


class MailboxForm(forms.ModelForm):
    # The stored password is never sent to the browser; an empty field keeps it.
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the current password.",
    )

    class Meta:
        model = Mailbox
        fields = (
            "name",
            "department",
            "active",
            "host",
            "port",
            "use_ssl",
            "username",
            "password",
            "folder",
            "done_folder",
            "poll_every",
        )

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password") or ""
        if not password and self.instance.pk:
            return self.instance.password
        return password


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = (
        "name",
        "department",
        "username",
        "host",
        "folder",
        "active",
        "last_polled_at",
        "next_poll_at",
        "failures",
        "error",
    )
    list_filter = ("active", "department")
    list_select_related = ("department",)
    search_fields = ("name", "username", "host")
    readonly_fields = ("last_polled_at", "next_poll_at", "failures", "last_error")
    fieldsets = (
        (None, {"fields": ("name", "department", "active")}),
        ("Server", {"fields": ("host", "port", "use_ssl", "username", "password")}),
        ("Folders", {"fields": ("folder", "done_folder", "poll_every")}),
        ("Status", {"fields": ("last_polled_at", "next_poll_at", "failures", "last_error")}),
    )
    actions = ["poll_now"]

    @admin.display(description="last error")
    def error(self, obj: Mailbox) -> str:
        return obj.last_error[:120]

    @admin.action(description="Poll the selected mailboxes now")
    def poll_now(self, request: HttpRequest, queryset: QuerySet[Mailbox]) -> None:
        # The scheduler picks them up within seconds; polling here would hold the request.
        count = queryset.update(next_poll_at=timezone.now())
        self.message_user(request, f"{count} mailbox(es) will be polled shortly.", messages.SUCCESS)


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    list_display = (
        "received_at",
        "state",
        "sender",
        "subject",
        "short_reason",
        "source",
        "mailbox",
        "ticket",
    )
    list_filter = ("state", "source", "mailbox")
    list_select_related = ("mailbox", "ticket")
    # Reasons, senders and subjects are free text: searched, not listed as filter choices.
    search_fields = ("sender", "subject", "reason", "=header_message_id", "=sha256")
    show_full_result_count = False
    actions = ["process_again"]
    readonly_fields = (
        "received_at",
        "state",
        "reason",
        "sender",
        "subject",
        "source",
        "mailbox",
        "envelope_recipients",
        "header_message_id",
        "sha256",
        "blob",
        "ticket",
        "message",
        "processed_at",
        "attempts",
        "headers",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Mail comes in through receive_raw only.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="reason")
    def short_reason(self, obj: InboundMail) -> str:
        return obj.reason[:100]

    @admin.display(description="headers as received")
    def headers(self, obj: InboundMail) -> str:
        try:
            with default_storage.open(obj.blob.storage_name, "rb") as fh:
                head: bytes = fh.read(HEADER_PREVIEW)
        except OSError as exc:
            return f"(the stored file cannot be read: {exc})"
        for end in (b"\r\n\r\n", b"\n\n"):
            if end in head:
                head = head[: head.index(end)]
                break
        return head.decode("utf-8", "replace")

    def has_process_permission(self, request: HttpRequest) -> bool:
        # The change view is read-only for everyone; re-processing is what changing means.
        return request.user.has_perm("mail.change_inboundmail")

    @admin.action(description="Process the selected mail again", permissions=["process"])
    def process_again(self, request: HttpRequest, queryset: QuerySet[InboundMail]) -> None:
        # Imported here: the task module pulls in the whole processing pipeline.
        from litso.mail.tasks import process_inbound

        # Mail that already became a ticket message stays as it is: again would be twice.
        again = queryset.exclude(state=InboundState.PROCESSED, message__isnull=False)
        with transaction.atomic():
            ids = list(again.values_list("pk", flat=True))
            InboundMail.objects.filter(pk__in=ids).update(state=InboundState.RECEIVED)
            for pk in ids:
                process_inbound.enqueue(pk)
        skipped = queryset.count() - len(ids)
        text = f"{len(ids)} mail(s) queued for processing again."
        if skipped:
            text += f" {skipped} already in a ticket left alone."
        self.message_user(request, text, messages.SUCCESS)
