# The plain index on waiting_for_agent becomes a partial index of the waiting tickets.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0007_message_id_ticket"),
        ("triage", "0003_dashboard_chased_index"),
    ]

    operations = [
        # Only the index goes: Django's SQLite schema editor would copy the whole table to
        # drop it (a million rows on a big desk).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="tickettriage",
                    name="waiting_for_agent",
                    field=models.BooleanField(default=False, verbose_name="waiting for an agent"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "triage_tickettriage_waiting_for_agent_c2d54a1a"',
                    reverse_sql=(
                        'CREATE INDEX "triage_tickettriage_waiting_for_agent_c2d54a1a" '
                        'ON "triage_tickettriage" ("waiting_for_agent")'
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="tickettriage",
            index=models.Index(
                condition=models.Q(("waiting_for_agent", True)),
                fields=["ticket"],
                name="triage_waiting",
            ),
        ),
    ]
