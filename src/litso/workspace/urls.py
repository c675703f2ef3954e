from __future__ import annotations

from django.urls import path

from litso.workspace import (
    views_auth,
    views_dashboard,
    views_inbox,
    views_live,
    views_search,
    views_ticket,
    views_triage,
)

app_name = "workspace"

urlpatterns = [
    path("login/", views_auth.sign_in, name="login"),
    path("login/code/", views_auth.sign_in_code, name="login_code"),
    path("logout/", views_auth.sign_out, name="logout"),
    path("", views_inbox.inbox, name="inbox"),
    path("inbox/bulk/", views_inbox.bulk, name="bulk"),
    path("inbox/<slug:view>/", views_inbox.inbox, name="inbox_view"),
    path("inbox/<slug:view>/save/", views_inbox.save_view, name="save_view"),
    path("saved/<int:pk>/delete/", views_inbox.delete_view, name="delete_view"),
    path("go/", views_ticket.go, name="go"),
    path("shift/", views_triage.shift, name="shift"),
    path("search/", views_search.search_page, name="search"),
    path("live/", views_live.stream, name="live"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("t/<int:number>/", views_ticket.ticket_page, name="ticket"),
    # Before ticket_action, whose <slug:action> would take "typing" too.
    path("t/<int:number>/typing/", views_live.typing, name="typing"),
    path("t/<int:number>/<slug:action>/", views_ticket.ticket_action, name="ticket_action"),
    path(
        "t/<int:number>/files/<int:attachment_id>/",
        views_ticket.download,
        name="attachment",
    ),
    path(
        "t/<int:number>/messages/<int:message_id>/retry/",
        views_ticket.retry,
        name="retry",
    ),
]
