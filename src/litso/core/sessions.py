"""Django's database sessions, the session read by its key through a prepared query.

Every request reads its session; Django builds and compiles that query each time, with the
expiry in the query. Here it is compiled once per process (core/prepared.py) and the expiry
is checked on the row read, which is the same test.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from litso.core.prepared import Prepared

_by_key = Prepared(lambda key: Session.objects.filter(session_key=key))


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        session = _by_key.first(self.session_key, using=self._using()) if self.session_key else None
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        return session

    def _using(self) -> str:
        from django.db import router

        return router.db_for_read(self.model) or "default"
