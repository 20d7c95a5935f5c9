"""What a letter says to each recipient: a campaign's template with a fixed set of
placeholders filled in, or the supporter's own words as typed."""

import re
from functools import partial

from harbour.representatives.models import ElectoralDistrict, Office, Representative, RoleKind
from harbour.representatives.selectors import representative_title

from .models import Letter

PLACEHOLDERS = (
    "greeting",
    "addressee",
    "representative",
    "representative_title",
    "district",
    "supporter_name",
    "supporter_city",
)
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def _portfolio(rep: Representative, district: ElectoralDistrict | None) -> str:
    """The cabinet portfolio `rep` is written to in, or "" when they are written to as
    the supporter's own MP (a constituent writes to a minister as to their member)."""
    if district is not None and rep.district_id == district.pk:
        return ""
    portfolios = [r.title_en for r in rep.roles.all() if r.kind == RoleKind.CABINET]
    return portfolios[0] if portfolios else ""


def greeting(rep: Representative, district: ElectoralDistrict | None) -> str:
    """ "Dear Minister Anand," to a minister, "Dear Jennifer McKelvie, MP," to a member."""
    if _portfolio(rep, district):
        return f"Dear Minister {rep.last_name},"
    return f"Dear {rep}, MP," if rep.office == Office.MP else f"Dear {rep},"


def addressee(rep: Representative, district: ElectoralDistrict | None) -> str:
    """The line above the greeting: "The Honourable Anita Anand, Minister of Foreign
    Affairs", or "Jennifer McKelvie, Member of Parliament for Ajax"."""
    portfolio = _portfolio(rep, district)
    if portfolio:
        return f"The Honourable {rep}, {portfolio}"
    return f"{rep}, {representative_title(rep)}"


PER_RECIPIENT = {
    "greeting": greeting,
    "addressee": addressee,
    "representative_title": lambda rep, _district: representative_title(rep),
}


def letter_render(
    template: str,
    *,
    rep: Representative | None,
    district: ElectoralDistrict | None,
    supporter_name: str,
    supporter_city: str,
) -> str:
    """A campaign's own template with its placeholders filled in: exactly the names in
    PLACEHOLDERS, each written `{name}`; any other brace stays as typed. Only an editor's
    template is ever rendered; a supporter's text is sent as written (a format string in
    it could otherwise make a 3 MB letter or print Python's internals)."""
    values = {
        "representative": str(rep) if rep else "",
        "district": district.name_en if district else "",
        "supporter_name": supporter_name,
        "supporter_city": supporter_city,
    }

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if rep is None or name not in PER_RECIPIENT:
            return values.get(name, "")
        return PER_RECIPIENT[name](rep, district)  # the roles: a query unless prefetched

    return _PLACEHOLDER.sub(fill, template)


_HEAD = re.compile(r"\A(?:[^\n]*\n){0,3}?[^\n]*\{greeting\}[^\n]*\n*")


def template_head(template: str) -> tuple[str, str]:
    """A template split into its opening lines up to the one with `{greeting}` (within
    the first four lines; with the blank lines after it) and the rest: the head greets each
    recipient even where supporters write the rest themselves."""
    match = _HEAD.match(template)
    if match is None:
        return "", template
    return match.group(0), template[match.end() :]


def needs_roles(text: str) -> bool:
    """Whether rendering `text` reads recipients' roles (worth prefetching them)."""
    return any(f"{{{name}}}" in text for name in PER_RECIPIENT)


def letter_text(letter: Letter, *, rep: Representative | None) -> tuple[str, str]:
    """The subject and body `rep` receives: the campaign's template rendered for them, or
    the supporter's own words as they typed them."""
    render = partial(
        letter_render,
        rep=rep,
        district=letter.district,
        supporter_name=letter.supporter_name,
        supporter_city=letter.supporter_city,
    )
    if not letter.templated:  # the supporter's words as typed, under the greeting
        return letter.subject, render(letter.head) + letter.body
    return render(letter.subject), render(letter.body)
