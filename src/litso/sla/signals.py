"""Recompute the open tickets' deadlines when a calendar or a policy changes.

The recompute is a task enqueued in the saving transaction, so it runs only if the change
committed, and after it: saving never touches the running timers itself.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from litso.departments.models import Department
from litso.sla.models import BusinessCalendar, SlaPolicy


def enqueue_recompute() -> None:
    from litso.sla.tasks import recompute_open_tickets

    recompute_open_tickets.enqueue()


def touch_policies(**lookup: Any) -> None:
    """Move the policies' `updated_at`, which tells every process to reload them."""
    SlaPolicy.objects.filter(**lookup).update(updated_at=timezone.now())


@receiver(post_save, sender=BusinessCalendar)
@receiver(post_delete, sender=BusinessCalendar)
def _calendar_changed(sender: type, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        # Any policy may use it, directly or through a department.
        touch_policies()
        enqueue_recompute()


@receiver(post_save, sender=SlaPolicy)
@receiver(post_delete, sender=SlaPolicy)
def _policy_changed(sender: type, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        enqueue_recompute()


@receiver(post_save, sender=Department)
def _department_changed(sender: type, raw: bool = False, **kwargs: Any) -> None:
    # Its calendar may have changed; cheap when the desk has no policy.
    if not raw and SlaPolicy.objects.exists():
        touch_policies()
        enqueue_recompute()


@receiver(m2m_changed, sender=SlaPolicy.departments.through)
@receiver(m2m_changed, sender=SlaPolicy.organisations.through)
@receiver(m2m_changed, sender=SlaPolicy.request_types.through)
def _conditions_changed(sender: type, instance: Any, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        if isinstance(instance, SlaPolicy):
            touch_policies(pk=instance.pk)
        else:
            touch_policies()
        enqueue_recompute()
