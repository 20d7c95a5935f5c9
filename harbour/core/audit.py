"""Who did what to which record, and when: moderation decisions, exports, erasures.

Entries name records by type and id, never by a person's name or e-mail, so the audit log
itself holds no personal data that an erasure would have to reach.
"""

from typing import Any

from django.db import models

from .models import AuditEntry


def audit_record(
    *, actor: Any, action: str, target: models.Model, details: dict[str, Any] | None = None
) -> AuditEntry:
    label = getattr(actor, "get_username", lambda: "system")() if actor else "system"
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=label,
        action=action,
        target_type=target._meta.label,
        target_id=str(target.pk),
        details=details or {},
    )
