from __future__ import annotations

from django.db import models


class Blob(models.Model):
    """Bytes stored once by their SHA-256, however many messages carry them."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… ({self.size} bytes)"

    @property
    def storage_name(self) -> str:
        return storage_name(self.sha256)


def storage_name(sha256: str) -> str:
    # Two levels of fan-out keep directories small at millions of files.
    return f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"
