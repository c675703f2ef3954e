from __future__ import annotations

from django.db import models


class LoginFailure(models.Model):
    """One failed sign-in: counted per user name and address to lock out password guessing.

    Rows, not the cache: the count must hold across web processes and restarts, and a few
    rows per failure are nothing next to the argon2 hash every attempt already costs.
    """

    username = models.CharField(max_length=150)
    ip = models.CharField(max_length=45)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "ip", "at"], name="login_failure_key")]

    def __str__(self) -> str:
        return f"{self.username} from {self.ip} at {self.at:%Y-%m-%d %H:%M}"
