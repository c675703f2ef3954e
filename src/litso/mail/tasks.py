from __future__ import annotations

from litso.jobs.durable import durable_task
from litso.mail.processing import process


@durable_task(queue_name="intake")
def process_inbound(inbound_id: int) -> str:
    """Parse and thread one stored mail (idempotent: a processed mail is left alone)."""
    outcome = process(inbound_id)
    if outcome.ticket is not None:
        return f"{outcome.state}: ticket #{outcome.ticket.number}"
    return outcome.state
