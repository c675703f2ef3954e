"""Signing in with Django's model backend; the signed-in user is read with their profile."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User


class StaffBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        # Every request reads the user from the session, then every staff page their agent
        # profile (language, time zone, role): one query with a join instead of two.
        try:
            user = User._default_manager.select_related("agent").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
