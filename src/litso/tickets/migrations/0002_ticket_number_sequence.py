from django.conf import settings
from django.db import migrations


def create_sequence(apps, schema_editor):
    # PostgreSQL only: SQLite numbers tickets from the TicketCounter row instead.
    if schema_editor.connection.vendor != "postgresql":
        return
    start = int(getattr(settings, "LITSO_TICKET_NUMBER_START", 1001))
    schema_editor.execute(
        f"CREATE SEQUENCE IF NOT EXISTS litso_ticket_number START WITH {start} MINVALUE 1"
    )


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS litso_ticket_number")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(create_sequence, drop_sequence)]
