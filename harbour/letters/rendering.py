"""What a letter says to each recipient: a campaign's template with a fixed set of
placeholders filled in, or the supporter's own words as typed."""

import re
from functools import partial

from harbour.representatives.models import ElectoralDistrict, Representative
from harbour.representatives.selectors import representative_title

from .models import Letter

TITLE_PLACEHOLDER = "{representative_title}"
PLACEHOLDERS = (
    "representative",
    "representative_title",
    "district",
    "supporter_name",
    "supporter_city",
)
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


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
        if name == "representative_title":  # a query of the roles unless prefetched
            return representative_title(rep) if rep else ""
        return values[name]

    return _PLACEHOLDER.sub(fill, template)


def letter_text(letter: Letter, *, rep: Representative | None) -> tuple[str, str]:
    """The subject and body `rep` receives: the campaign's template rendered for them, or
    the supporter's own words as they typed them."""
    if not letter.templated:
        return letter.subject, letter.body
    render = partial(
        letter_render,
        rep=rep,
        district=letter.district,
        supporter_name=letter.supporter_name,
        supporter_city=letter.supporter_city,
    )
    return render(letter.subject), render(letter.body)
