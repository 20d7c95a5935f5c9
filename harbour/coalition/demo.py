"""Demo member groups: the eleven organisations that signed the coalition's 6 January 2021
joint statement, with the cities and provinces the statement gave (blank where it gave
none). Their descriptions are placeholders for the groups to write themselves."""

import secrets
from typing import TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from wagtail.models import Page, Site

from harbour.core.demo_translation import translation_publish

from . import demo_resources
from .models import JoinPage, JoinPrinciple, MemberGroupIndexPage, MemberGroupPage

# (name, city, province code); shared with signons' demo statement, which lists them.
ORGANISATIONS = [
    ("Action Free Hong Kong Montreal", "Montréal", "QC"),
    ("Canada-Hong Kong Link", "Toronto", "ON"),
    ("Friends of Hong Kong - Edmonton", "Edmonton", "AB"),
    ("Human Rights Manifesto", "", ""),
    ("Saskatchewan Stands with Hong Kong", "", "SK"),
    ("McMaster Stands With Hong Kong", "Hamilton", "ON"),
    ("Mustard Seeds HK Concern Group", "", ""),
    ("Ontario Hong Kong Youth Action (OHKYA)", "", "ON"),
    ("Torontonian HongKongers Action Group", "Toronto", "ON"),
    ("Vancouver Christians for Love Peace and Justice", "Vancouver", "BC"),
    (
        "Vancouver Society in Support of Democratic Movement (VSSDM)",
        "Vancouver",
        "BC",
    ),
]

INTRO = (
    "The alliance is a coalition of equals: autonomous community groups across Canada that "
    "sign on to the collective, share skills and act together. Find a group near you."
)


# The directory and the groups' placeholder descriptions in the other languages (our own
# wording); the groups' names are their own and stay as they are.
DIRECTORY = {
    "fr": {
        "title": "Groupes membres",
        "intro": (
            "L'alliance est une coalition d'égaux : des groupes communautaires autonomes de "
            "tout le Canada qui se joignent au collectif, partagent leurs savoir-faire et "
            "agissent ensemble. Trouvez un groupe près de chez vous."
        ),
    },
    "zh-hant": {
        "title": "成員團體",
        "intro": "聯盟由全國各地自主的社區團體平等組成：大家加入集體、分享技能、一起行動。找一個離你最近的團體吧。",
    },
}


def _summary(city: str, language: str = "en") -> str:
    if language == "fr":
        where = f"à {city}" if city else "au Canada"
        return (
            f"Un groupe membre de l'alliance {where}, qui défend les droits et libertés des "
            "Hongkongais. (Texte de démonstration : le groupe rédige sa propre description.)"
        )
    if language == "zh-hant":
        where = city or "加拿大"
        return (
            f"聯盟在{where}的成員團體，爭取香港人的權利和自由。（示範文字：由團體自行撰寫簡介。）"
        )
    where = f"in {city}" if city else "in Canada"
    return (
        f"A member group of the alliance {where}, working for the rights and freedoms of "
        "Hongkongers. (Demo text: the group writes its own description.)"
    )


def _translations(directory: MemberGroupIndexPage) -> None:
    for language, fields in DIRECTORY.items():
        translation_publish(directory, language, fields)
        for group in MemberGroupPage.objects.child_of(directory):
            translation_publish(group, language, {"summary": _summary(group.city, language)})


def _directory(home: Page) -> MemberGroupIndexPage:
    found = MemberGroupIndexPage.objects.filter(locale=home.locale).first()
    if found is not None:
        return found
    directory = MemberGroupIndexPage(title="Member groups", slug="members", intro=INTRO)
    home.add_child(instance=directory)
    directory.save_revision().publish()
    return directory


def load(*, stdout: TextIO) -> None:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page if site is not None else Page.get_first_root_node()
    if home.locale.language_code != settings.LANGUAGE_CODE:  # pragma: no cover (demo only)
        return
    directory = _directory(home)
    existing = set(MemberGroupPage.objects.child_of(directory).values_list("title", flat=True))
    for name, city, province in ORGANISATIONS:
        if name in existing:
            continue
        group = MemberGroupPage(title=name, city=city, province=province, summary=_summary(city))
        directory.add_child(instance=group)
        group.save_revision().publish()
    _translations(directory)
    demo_resources.load(home)
    _organiser(directory, stdout)
    _join_page(home)


# The alliance's four principles, in our words, shown in full to a group that applies.
PRINCIPLES = [
    (
        "Community first",
        "A campaign by Hongkongers for Hongkongers, centred on the community, including "
        "Hongkongers who are not ethnically Chinese.",
    ),
    (
        "Solidarity",
        "We stand with BIPOC and LGBTQA2+ communities and other marginalised people in Canada "
        "and abroad, and with Taiwanese, Tibetans, Uyghurs and others who suffer under the "
        "same regime.",
    ),
    (
        "Equity, diversity and inclusion",
        "Every strategic and day-to-day decision puts community and solidarity into practice, "
        "so that taking part is healthy and worthwhile for everyone.",
    ),
    (
        "Multi-partisan",
        "We seek support from every political party and look for common ground among all "
        "political actors.",
    ),
]


def _join_page(home: Page) -> None:
    if JoinPage.objects.filter(locale=home.locale).exists():
        return
    page = JoinPage(
        title="Join the alliance",
        slug="join",
        intro=(
            "Community groups across Canada join the alliance as equals: they keep their "
            "autonomy, share skills and resources, and act together. Tell us about yours."
        ),
    )
    page.principles = [  # type: ignore[assignment]
        JoinPrinciple(sort_order=order, title=title, text=text)
        for order, (title, text) in enumerate(PRINCIPLES)
    ]
    home.add_child(instance=page)
    page.save_revision().publish()


ORGANISER_EMAIL = "organiser@harbour.invalid"
ORGANISED = "Canada-Hong Kong Link"


def _organiser(directory: MemberGroupIndexPage, stdout: TextIO) -> None:
    """One organiser account, for one group; its password is printed once, when made."""
    from .organisers import organiser_add

    User = get_user_model()
    if User.objects.filter(username=ORGANISER_EMAIL).exists():
        return
    group = MemberGroupPage.objects.child_of(directory).filter(title=ORGANISED).first()
    if group is None:
        return
    password = secrets.token_urlsafe(12)
    user = User.objects.create_user(
        ORGANISER_EMAIL, ORGANISER_EMAIL, password, first_name="Demo", last_name="Organiser"
    )
    organiser_add(group=group.specific, user=user, actor=None)
    stdout.write(
        f"Organiser of {ORGANISED} (edits that group only): {ORGANISER_EMAIL} / {password}"
    )
