from __future__ import annotations

import datetime
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from litso.workspace.models import LoginFailure


def sign_in(client: Client, username: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": username, "password": password}, **extra)


def test_anonymous_visitors_are_sent_to_sign_in(db, client: Client) -> None:
    response = client.get("/t/1001/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/t/1001/"


def test_staff_sign_in_with_a_password(desk, client: Client) -> None:
    page = client.get("/login/")
    assert page.status_code == 200
    assert b"csrfmiddlewaretoken" in page.content
    response = sign_in(client, "anna", "pw-anna")
    assert response.status_code == 302
    assert response["Location"] == "/"
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert client.get("/").status_code == 200


def test_a_wrong_password_says_so_and_signs_nobody_in(desk, client: Client) -> None:
    response = sign_in(client, "anna", "nope")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert client.get("/").status_code == 302


def test_customers_cannot_sign_in_to_the_workspace(desk, client: Client) -> None:
    response = sign_in(client, "xena-portal", "pw")
    assert response.status_code == 200
    assert "for the support team" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_signed_in_customer_gets_403_on_every_page(desk, client: Client) -> None:
    ticket = desk.open()
    client.force_login(desk.customer_x.user)
    for url in ("/", "/inbox/all/", f"/t/{ticket.number}/", "/go/?q=1"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "The workspace is for the support team" in response.content.decode()
    assert client.post(f"/t/{ticket.number}/note/", {"body": "x"}).status_code == 403


def test_five_failures_lock_the_name_from_that_address(desk, client: Client, settings) -> None:
    for _ in range(4):
        assert "correct username" in sign_in(client, "anna", "bad").content.decode()
    fifth = sign_in(client, "Anna", "bad")
    assert "Too many failed sign-ins" in fifth.content.decode()
    # Locked: even the right password does not get in, and the reason is given.
    locked = sign_in(client, "anna", "pw-anna")
    assert "Try again in 15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out.
    assert sign_in(client, "anna", "pw-anna", REMOTE_ADDR="10.0.0.9").status_code == 302


def test_the_lock_lifts_after_the_window(desk, client: Client) -> None:
    for _ in range(5):
        sign_in(client, "anna", "bad")
    assert "Too many" in sign_in(client, "anna", "pw-anna").content.decode()
    LoginFailure.objects.update(at=timezone.now() - datetime.timedelta(minutes=16))
    assert sign_in(client, "anna", "pw-anna").status_code == 302
    # A successful sign-in forgets the failures.
    assert not LoginFailure.objects.filter(username="anna").exists()


def test_forms_need_the_csrf_token(desk) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert sign_in(strict, "anna", "pw-anna").status_code == 403
    ticket = desk.open()
    strict.force_login(desk.agent_a)
    assert strict.post(f"/t/{ticket.number}/note/", {"body": "x"}).status_code == 403
    assert not ticket.messages.filter(kind="note").exists()


def test_sign_out(desk, client: Client) -> None:
    client.force_login(desk.agent_a)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/").status_code == 302


def _device(user) -> TOTPDevice:  # type: ignore[no-untyped-def]
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_an_agent_with_totp_also_gives_the_code(desk, client: Client) -> None:
    device = _device(desk.agent_a)
    response = sign_in(client, "anna", "pw-anna")
    assert response["Location"] == "/login/code/"
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
    wrong = client.post("/login/code/", {"code": "000000" if _code(device) != "000000" else "1"})
    assert wrong.status_code == 200
    assert "This code is not right" in wrong.content.decode()
    device.refresh_from_db()
    # django-otp slows guessing down after a failure; this test does not wait for it.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0,
                                                   throttling_failure_timestamp=None)
    right = client.post("/login/code/", {"code": _code(device)})
    assert right.status_code == 302
    assert right["Location"] == "/"
    assert client.session["_auth_user_id"] == str(desk.agent_a.pk)
    assert client.session["otp_device_id"] == device.persistent_id
    assert client.get("/").status_code == 200


def test_the_code_page_needs_the_password_first(desk, client: Client) -> None:
    _device(desk.agent_a)
    assert client.get("/login/code/")["Location"] == "/login/"


def test_an_unconfirmed_device_asks_for_no_code(desk, client: Client) -> None:
    TOTPDevice.objects.create(user=desk.agent_a, name="phone", confirmed=False)
    assert sign_in(client, "anna", "pw-anna")["Location"] == "/"


@pytest.mark.parametrize(("value", "secure"), [("1", "True"), ("0", "False")])
def test_cookies_are_secure_when_served_over_https(value: str, secure: str, tmp_path) -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "litso.settings", "LITSO_HTTPS": value,
             "LITSO_DATA_DIR": str(tmp_path)},
        capture_output=True, text=True, check=True,
    ).stdout
    assert out.split() == [secure, secure, "True", "Lax"]
