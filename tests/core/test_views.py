from __future__ import annotations

from django.test import Client

from litso.tickets.models import Ticket


def test_healthz_reports_the_database(db, client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_home_leads_to_the_desk(db, client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302


def test_admin_ticket_list_costs_the_same_queries_at_any_size(
    desk, client: Client, django_assert_max_num_queries
) -> None:
    desk.admin.is_staff = desk.admin.is_superuser = True
    desk.admin.save()
    client.force_login(desk.admin)
    desk.open()
    response = client.get("/admin/tickets/ticket/")
    assert response.status_code == 200
    with django_assert_max_num_queries(12) as few:
        client.get("/admin/tickets/ticket/")
    for _ in range(20):
        desk.open(customer=desk.customer_y, department=desk.dept_b)
    assert Ticket.objects.count() == 21
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/admin/tickets/ticket/")
    assert response.status_code == 200
    assert b"Where is my order?" in response.content
