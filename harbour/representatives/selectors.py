"""Reads other apps make of representatives and districts: they call these, never the
models' managers, so that "sitting member" and a district's identity are defined once."""

from collections.abc import Iterable

from django.db.models import QuerySet

from .models import ElectoralDistrict, Office, Representative, RoleKind


def sitting_members() -> QuerySet[Representative]:
    """Every representative in office now."""
    return Representative.objects.sitting()


def sitting_mps(*, district: ElectoralDistrict | None = None) -> QuerySet[Representative]:
    """The sitting MPs, or the one for `district`."""
    mps = sitting_members().filter(office=Office.MP)
    return mps.filter(district=district) if district is not None else mps


def district_by_code(code: str) -> ElectoralDistrict | None:
    return ElectoralDistrict.objects.filter(code=code).first() if code else None


def districts_by_code(codes: Iterable[str]) -> dict[str, ElectoralDistrict]:
    return {d.code: d for d in ElectoralDistrict.objects.filter(code__in=list(codes))}


def representative_title(rep: Representative) -> str:
    """A cabinet portfolio, else "Member of Parliament for <district>", else the office (with
    `roles` and `district` prefetched, no query)."""
    roles = [r.title_en for r in rep.roles.all() if r.kind == RoleKind.CABINET]
    if roles:
        return roles[0]
    if rep.office == Office.MP and rep.district is not None:
        return f"Member of Parliament for {rep.district.name_en}"
    return rep.get_office_display()
