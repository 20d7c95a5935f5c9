"""Reads other apps make of representatives and districts: they call these, never the
models' managers, so that "sitting member" and a district's identity are defined once."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import get_language

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


def representative_local_title(rep: Representative) -> str:
    """What the public pages call `rep`, in the visitor's language (`roles` and `district`
    prefetched): the portfolio (French title from the data), else "Député·e de ..." in
    French (the data has no gender), "... 國會議員" in Chinese; in English what the letters
    say (`representative_title`)."""
    language = get_language() or ""
    if not language.startswith(("fr", "zh")):
        return representative_title(rep)
    cabinet = [r for r in rep.roles.all() if r.kind == RoleKind.CABINET]
    if cabinet:
        role = cabinet[0]
        return role.title_fr if language.startswith("fr") and role.title_fr else role.title_en
    if rep.office != Office.MP or rep.district is None:
        return str(rep.get_office_display())
    if language.startswith("fr"):
        name = rep.district.name_fr or rep.district.name_en
        of = "d’" if name[:1].upper() in "AEIOUYÉÈÊÎÔH" else "de "
        return f"Député·e {of}{name}"
    return f"{rep.district.name_en} 國會議員"
