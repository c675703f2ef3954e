"""Business-time calendars and SLA deadline arithmetic, usable without a database."""
