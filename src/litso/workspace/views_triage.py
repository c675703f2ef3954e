"""The on-shift switch in the header: automatic assignment only picks agents on shift."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from litso.audit.record import Actor
from litso.staff.models import AgentProfile
from litso.triage.assignment import do_set_on_shift
from litso.workspace import inbox
from litso.workspace.access import staff_required


@require_POST
@staff_required
def shift(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not AgentProfile.objects.filter(user=user).exists():
        # A superuser without an agent profile has no shift to start.
        raise Http404("no agent profile")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("workspace:inbox")
    on_shift = request.POST.get("on_shift") == "1"
    assigned = do_set_on_shift(user.pk, on_shift, Actor.agent(user))
    if on_shift:
        text = _("You are on shift: new tickets may be assigned to you.")
        if assigned:
            text += " " + ngettext(
                "%(count)d waiting ticket was assigned.",
                "%(count)d waiting tickets were assigned.",
                assigned,
            ) % {"count": assigned}
        messages.success(request, text)
    else:
        messages.success(request, _("You are off shift: no new tickets will be assigned to you."))
    inbox.forget_counts(user)
    return HttpResponseRedirect(back)
