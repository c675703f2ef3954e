from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.parametrize(("language", "words"), [
    ("ru", "Администрирование"),
    ("pl", "Administracja"),
    ("en", "Site administration"),
])
def test_staff_see_the_desk_in_their_own_language(desk, client: Client, language, words) -> None:
    desk.admin.is_staff = desk.admin.is_superuser = True
    desk.admin.save()
    desk.admin.agent.ui_language = language
    desk.admin.agent.save()
    client.force_login(desk.admin)
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert words in response.content.decode()
    assert response["Content-Language"] == language
