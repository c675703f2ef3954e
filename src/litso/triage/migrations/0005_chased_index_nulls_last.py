# PostgreSQL: the chased index in the order the dashboard reads it.
#
# The dashboard sorts by last_chased_at DESC NULLS LAST (a chase without a time, as imported
# data may have, after the dated ones). PostgreSQL's DESC index keeps NULLs first, so it could
# not give that order and sorted every chased row instead (40 ms at a million tickets).
# SQLite's DESC index already keeps NULLs last, and its CREATE INDEX takes no NULLS clause,
# so the model's Index stays as it is and only PostgreSQL's index is rebuilt here.

from typing import Any

from django.db import migrations

_POSTGRESQL = (
    'CREATE INDEX "triage_chased" ON "triage_tickettriage" '
    '("chase_count" DESC, "last_chased_at" DESC NULLS LAST, "ticket_id") '
    'WHERE "chase_count" > 0'
)
_AS_DJANGO_MAKES_IT = (
    'CREATE INDEX "triage_chased" ON "triage_tickettriage" '
    '("chase_count" DESC, "last_chased_at" DESC, "ticket_id") WHERE "chase_count" > 0'
)


def _rebuild(create: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute('DROP INDEX IF EXISTS "triage_chased"')
        schema_editor.execute(create)

    return run


class Migration(migrations.Migration):
    dependencies = [("triage", "0004_waiting_partial_index")]

    operations = [
        migrations.RunPython(_rebuild(_POSTGRESQL), _rebuild(_AS_DJANGO_MAKES_IT)),
    ]
