"""Sign-in, the TOTP step for agents who enrolled a device, and sign-out."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from litso.workspace import throttle
from litso.workspace.access import secure_headers
from litso.workspace.forms_auth import CodeForm, SignInForm, locked_error

PENDING = "workspace_pending_sign_in"
# The password step is good for this long; then the agent starts again.
PENDING_SECONDS = 300


class SignInView(LoginView):
    form_class = SignInForm
    template_name = "workspace/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        ip = throttle.client_ip(self.request)
        if user_has_device(user, confirmed=True):
            # The password was right; the session remembers that for a few minutes, and the
            # agent is signed in only once the code is right as well.
            self.request.session[PENDING] = {
                "user": user.pk,
                "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0]),
                "at": time.time(),
                "next": self.get_success_url(),
            }
            return redirect("workspace:login_code")
        throttle.clear_failures(user.get_username(), ip)
        return super().form_valid(form)


sign_in = secure_headers(SignInView.as_view())
sign_out = LogoutView.as_view()


@secure_headers
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    pending: dict[str, Any] | None = request.session.get(PENDING)
    if not pending or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return redirect("workspace:login")
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("workspace:login")
    ip = throttle.client_ip(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        minutes = throttle.locked_minutes(user.get_username(), ip)
        if minutes:
            form.add_error(None, locked_error(minutes))
        else:
            device = _verify(user, form.cleaned_data["code"])
            if device is None:
                throttle.note_failure(user.get_username(), ip)
                form.add_error("code", _("This code is not right. Codes change every 30 seconds."))
            else:
                throttle.clear_failures(user.get_username(), ip)
                del request.session[PENDING]
                login(request, user, backend=pending["backend"])
                otp_login(request, device)
                return HttpResponseRedirect(_safe_next(request, pending.get("next", "")))
    return render(request, "workspace/login_code.html", {"form": form})


def _verify(user: Any, code: str) -> TOTPDevice | None:
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(code):
            return device
    return None


def _safe_next(request: HttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)
