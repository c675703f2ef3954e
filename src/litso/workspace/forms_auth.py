"""Sign-in: password (throttled per user name and address), then a TOTP code if enrolled."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from litso.tickets.access import is_staff_member
from litso.workspace import throttle


def locked_error(minutes: int) -> ValidationError:
    return ValidationError(
        ngettext(
            "Too many failed sign-ins for this user name from your address. "
            "Try again in %(minutes)d minute.",
            "Too many failed sign-ins for this user name from your address. "
            "Try again in %(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes},
        code="locked",
    )


class SignInForm(AuthenticationForm):
    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip = throttle.client_ip(self.request) if self.request else "unknown"
        minutes = throttle.locked_minutes(username, ip)
        if minutes:
            # Checked before the password: a locked pair learns nothing from further guesses.
            raise locked_error(minutes)
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                throttle.note_failure(username, ip)
                minutes = throttle.locked_minutes(username, ip)
                if minutes:
                    raise locked_error(minutes) from None
            raise

    def confirm_login_allowed(self, user: AbstractBaseUser) -> None:
        super().confirm_login_allowed(user)  # type: ignore[arg-type]
        if not is_staff_member(user):  # type: ignore[arg-type]
            raise ValidationError(
                _("This sign-in is for the support team; customers use the customer portal."),
                code="not_staff",
            )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise ValidationError(_("The code is made of digits only."), code="format")
        return code
