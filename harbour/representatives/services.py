"""Representatives' data: loading from CSV files, and lookups other apps use."""

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string

from harbour.core.audit import audit_record
from harbour.core.models import AuditEntry
from harbour.core.roles import ADMINISTRATORS

from . import loaders
from .export import DATA_DIR
from .loaders import LoadReport, Progress
from .models import PostalArea, Representative


def data_dir() -> Path:
    """HARBOUR_REPRESENTATIVES_DIR when set, else the project's own copy of the data
    (representatives/data, written by `representatives_export`)."""
    configured = settings.HARBOUR_REPRESENTATIVES_DIR
    return Path(configured) if configured else DATA_DIR


def in_legislature_domain(email: str) -> bool:
    """Whether an address is in one of the legislatures' domains (HARBOUR_PARLIAMENT_DOMAINS)."""
    domain = email.rsplit("@", 1)[-1].lower()
    return any(domain == d or domain.endswith("." + d) for d in settings.HARBOUR_PARLIAMENT_DOMAINS)


def letters_may_go_to(representative: Representative) -> bool:
    """Supporters' letters (with their names, addresses and postal codes) go only to an
    address in a legislature's domains, or to the one an administrator approved."""
    email = representative.email.strip()
    if not email:
        return False
    return in_legislature_domain(email) or email.lower() == representative.email_approved.lower()


CONTACT_FIELDS = ("email", "photo_url")


def representative_contact_changed(
    *, representative: Representative, before: Representative, actor: Any, approve_email: bool
) -> AuditEntry | None:
    """Record who changed where a representative's mail goes (before, after), keep or drop
    the administrator's approval of the address, and tell every administrator. Called by the
    admin's edit view after the form saved; changes nothing when no contact field changed."""
    details = {
        field: {"before": getattr(before, field), "after": getattr(representative, field)}
        for field in CONTACT_FIELDS
        if getattr(before, field) != getattr(representative, field)
    }
    approved = representative.email if approve_email and representative.email else ""
    if not approve_email and representative.email.lower() == before.email_approved.lower():
        approved = before.email_approved  # the approved address is kept unchanged
    if approved != before.email_approved:
        Representative.objects.filter(pk=representative.pk).update(email_approved=approved)
        representative.email_approved = approved
        details["email_approved"] = {"before": before.email_approved, "after": approved}
    if not details:
        return None
    if "photo_url" in details:
        from .photos import photo_forget

        photo_forget(representative)  # the placeholder until the next --photos load
    entry = audit_record(
        actor=actor, action="representative.contact_change", target=representative, details=details
    )
    from .tasks import send_contact_change_notice

    send_contact_change_notice.enqueue(entry.pk)  # committed with the audit entry
    return entry


def contact_change_notify(*, audit_entry_id: int) -> int:
    """E-mail every active administrator (the Administrators group and superusers) what
    changed; returns how many were told."""
    entry = AuditEntry.objects.filter(
        pk=audit_entry_id, action="representative.contact_change"
    ).first()
    if entry is None:
        return 0
    representative = Representative.objects.filter(pk=entry.target_id).first()
    if representative is None:
        return 0
    User = get_user_model()
    administrators = (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=ADMINISTRATORS))
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    recipients = sorted(set(administrators))
    context = {"entry": entry, "representative": representative, "changes": entry.details}
    for address in recipients:
        send_mail(
            render_to_string("representatives/email/contact_changed_subject.txt", context).strip(),
            render_to_string("representatives/email/contact_changed.txt", context),
            None,
            [address],
        )
    return len(recipients)


def address_may_be_a_members(email: str) -> bool:
    """Whether an address in a legislature's domain can stand for a sitting member.

    Staff and constituency offices share their legislature's domain. Where the sitting
    members' official addresses are on file for that exact domain (the House of Commons'
    parl.gc.ca), only those addresses can; where none is on file (a province's assembly,
    the Senate), the domain is all Harbour knows."""
    domain = email.rsplit("@", 1)[-1]
    members = Representative.objects.sitting().filter(email__iendswith=f"@{domain}")
    return not members.exists() or members.filter(email__iexact=email).exists()


@transaction.atomic
def representatives_load(
    *, directory: Path, force: bool = False, progress: Progress | None = None
) -> LoadReport:
    """Load whatever of the known files `directory` holds (idempotent)."""
    report = LoadReport()
    show = progress or (lambda items: items)
    for name in ("federal_electoral_districts_2023.csv", "electoral_districts.csv"):
        if (directory / name).exists():
            loaders.load_districts(directory / name, report)
    for name in ("members_of_parliament_45th.csv", "members_of_parliament.csv"):
        if (directory / name).exists():
            loaders.load_mps(directory / name, report, force=force, progress=show)
    if (directory / "ministers_current.csv").exists():
        loaders.load_ministers(directory / "ministers_current.csv", report)
    if (directory / "fsa_to_district_approximate.csv").exists():
        loaders.load_postal_areas(directory / "fsa_to_district_approximate.csv", report)
    transaction.on_commit(fsa_table_forget)
    fsa_table_forget()
    return report


_FSA_SECONDS = 600
_fsa_table: dict[str, str] = {}
_fsa_loaded_at = 0.0


def district_code_for_postal_code(postal_code: str) -> str:
    """The district code the offline FSA table names for a normalised postal code, or "".

    Read from an in-process copy of the table (about 1,400 rows), refreshed every ten
    minutes: counting signatures by district must not cost a query per signature."""
    global _fsa_loaded_at
    if time.monotonic() - _fsa_loaded_at > _FSA_SECONDS or not _fsa_table:
        _fsa_table.clear()
        _fsa_table.update(PostalArea.objects.values_list("fsa", "district__code"))
        _fsa_loaded_at = time.monotonic()
    return _fsa_table.get(postal_code[:3], "")


def fsa_table_forget() -> None:
    """Drop this process's copy of the FSA table and its districts (after a load)."""
    from .lookup import OfflineFSABackend

    _fsa_table.clear()
    OfflineFSABackend._districts.clear()
