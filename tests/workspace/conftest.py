from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Sidebar counts are cached per agent id; ids repeat across tests.
    cache.clear()
    yield
    cache.clear()
