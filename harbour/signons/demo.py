"""Demo sign-ons: the 6 January 2021 joint statement with the signatories the coalition
recorded, and an open petition with generated signatures (example.invalid addresses)."""

import datetime
import random
from typing import TextIO

from django.conf import settings
from django.utils import timezone
from wagtail.models import Page

from harbour.coalition.demo import ORGANISATIONS
from harbour.coalition.models import MemberGroupPage
from harbour.content.models import HomePage
from harbour.core.postal import PROVINCE_NAMES, postal_code_province
from harbour.people.models import Person

from . import demo_translations
from .counts import signature_counts_reconcile
from .models import (
    Listing,
    Office,
    PetitionPage,
    Signature,
    SignatureState,
    SignerKind,
    StatementPage,
)

PARLIAMENTARIANS = [
    ("", "Jenica Atwin", Office.MP), ("", "Kenny Chiu", Office.MP),
    ("", "Kerry Diotte", Office.MP), ("Hon.", "Linda Frum", Office.SENATOR),
    ("Hon.", "Leo Housakos", Office.SENATOR), ("", "Michael Kram", Office.MP),
    ("", "Jenny Kwan", Office.MP), ("", "Paul Manly", Office.MP),
    ("", "Lindsay Mathyssen", Office.MP), ("", "Elizabeth May", Office.MP),
    ("", "Phil McColeman", Office.MP), ("Hon.", "Jim Munson", Office.SENATOR),
    ("", "Jeremy Patzer", Office.MP), ("", "Kyle Seeback", Office.MP),
    ("", "Warren Steinley", Office.MP), ("", "Cathay Wagantall", Office.MP),
    ("", "Bob Zimmer", Office.MP),
]  # fmt: skip
# Share of generated petition signers per first letter of postal code (roughly population).
POSTAL_LETTERS = "MMMLLLKKNPHHJJGTTTVVVRSBEAC"


def _statement(home: HomePage) -> None:
    if StatementPage.objects.filter(slug="jan-6-mass-arrests").exists():
        return
    opened = datetime.datetime(2021, 1, 6, 9, 0, tzinfo=datetime.UTC)
    page = StatementPage(
        title="Joint statement condemning the 6 January 2021 mass arrests in Hong Kong",
        slug="jan-6-mass-arrests",
        date=datetime.date(2021, 1, 6),
        opens_at=opened,
        allow_organisations=True,
        allow_parliamentarians=True,
        allow_individuals=False,
        preamble=(
            "<p>Any Canadian group or organisation may still add its name to this open letter.</p>"
        ),
        body=(
            "<p>On the morning of 6 January 2021, Hong Kong time, police arrested more than "
            "50 pan-democratic legislators, primary-election candidates and organisers, "
            "accusing them of subverting state power under the National Security Law. We "
            "condemn this assault on the freedoms of the people of Hong Kong: the Basic Law "
            "itself promises permanent residents the right to vote and to stand for "
            "election.</p><p>The arrests show the resolve of the Chinese Communist Party and "
            "its appointees to silence every dissenting voice and turn Hong Kong into one more "
            "mainland city. Canada witnessed the Sino-British Joint Declaration and the Basic "
            "Law; now that Beijing and Hong Kong's government plainly will not keep those "
            "promises, Canada must stop tolerating these violations and act, firmly and "
            "consistently, for human rights, freedom and democracy.</p>"
            "<p>We call on the Government of Canada to:</p>"
        ),
        closing=(
            "<p>Hong Kong stands on the front line between authoritarianism and democracy. "
            "Canada must recognise the threat the Chinese Communist Party poses to democratic "
            "values everywhere, and act quickly, together with its allies.</p>"
        ),
    )
    home.add_child(instance=page)
    demands = [
        "Impose Magnitsky sanctions on the officials responsible for undermining "
        "Hongkongers' rights and freedoms.",
        "Condemn the mass arrest of the pan-democrats who took part in the primaries, and "
        "urge the governments of Hong Kong and China to respect Hongkongers' rights.",
        "Speed up special measures for Hongkongers who face, or are at risk of, political "
        "persecution.",
        "Build a strategic, lasting approach to China together with our international allies.",
    ]
    for order, text in enumerate(demands):
        page.demands.create(sort_order=order, text=text)
    page.save_revision().publish()
    signed = timezone.make_aware(datetime.datetime(2021, 1, 6, 12, 0))
    rows = [
        Signature(
            page=page,
            kind=SignerKind.ORGANISATION,
            state=SignatureState.CONFIRMED,
            name=name,
            city=city,
            region=str(PROVINCE_NAMES.get(province, "")),
            confirmed_at=signed,
            moderation_note="Signed by e-mail before Harbour; entered by staff.",
        )
        for name, city, province in ORGANISATIONS
    ] + [
        Signature(
            page=page,
            kind=SignerKind.PARLIAMENTARIAN,
            state=SignatureState.CONFIRMED,
            honorific=honorific,
            name=name,
            office=office,
            confirmed_at=signed,
            moderation_note="Signed by e-mail before Harbour; entered by staff.",
        )
        for honorific, name, office in PARLIAMENTARIANS
    ]
    Signature.objects.bulk_create(rows)
    signature_counts_reconcile(page=page)


# Real cities for each postal code's first letter (Canada Post's regions), so a demo
# signer from an Ontario FSA lives in an Ontario city.
CITIES_BY_POSTAL_LETTER = {
    "A": ["St. John's", "Mount Pearl"],
    "B": ["Halifax", "Dartmouth", "Sydney"],
    "C": ["Charlottetown"],
    "E": ["Moncton", "Fredericton", "Saint John"],
    "G": ["Québec", "Lévis"],
    "H": ["Montréal", "Laval"],
    "J": ["Gatineau", "Sherbrooke", "Longueuil"],
    "K": ["Ottawa", "Kingston"],
    "L": ["Markham", "Mississauga", "Brampton", "Oakville", "Hamilton", "Richmond Hill"],
    "M": ["Toronto"],
    "N": ["London", "Waterloo", "Kitchener", "Windsor"],
    "P": ["Sudbury", "Thunder Bay"],
    "R": ["Winnipeg"],
    "S": ["Regina", "Saskatoon"],
    "T": ["Calgary", "Edmonton"],
    "V": ["Vancouver", "Richmond", "Burnaby", "Victoria", "Surrey"],
}


def _petition(home: HomePage) -> None:
    if PetitionPage.objects.filter(slug="stop-foreign-interference").exists():
        return
    page = PetitionPage(
        title="Protect people in Canada from foreign interference",
        slug="stop-foreign-interference",
        target="the House of Commons",
        goal=1000,
        featured=True,
        summary="Ask the House of Commons for a foreign agent registry and a safe way to "
        "report transnational repression.",
        opens_at=timezone.now() - datetime.timedelta(days=30),
        preamble=(
            "<p>Members of Canada's diaspora communities are watched, threatened and pressured "
            "by agents of foreign governments, here in Canada.</p>"
        ),
        body=(
            "<p>We ask the House of Commons to create a foreign agent registry, to give "
            "victims of transnational repression a safe way to report it, and to investigate "
            "interference in Canadian media, universities and elections.</p>"
        ),
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    from faker import Faker

    fake = Faker("en_CA")
    Faker.seed(2021)
    rng = random.Random(2021)  # noqa: S311 (demo data)
    now = timezone.now()
    people, signatures = [], []
    from harbour.representatives.models import PostalArea
    from harbour.representatives.services import district_code_for_postal_code

    # Postal areas the FSA table knows, so the by-district table has something to show.
    areas = list(PostalArea.objects.values_list("fsa", flat=True).order_by("fsa"))
    for n in range(320):
        given, family = fake.first_name(), fake.last_name()
        letter = rng.choice(POSTAL_LETTERS)
        fsa = rng.choice([a for a in areas if a.startswith(letter)] or areas or [f"{letter}1A"])
        code = f"{fsa} {rng.randint(0, 9)}{rng.choice('ABCEGHJKLMNPRSTVWXYZ')}{rng.randint(0, 9)}"
        city = rng.choice(CITIES_BY_POSTAL_LETTER.get(letter, ["Ottawa"]))
        people.append(
            Person(
                email=f"supporter{n}@example.invalid",
                given_name=given,
                family_name=family,
                postal_code=code,
                city=city,
                province=postal_code_province(code),
                language="en",
            )
        )
    Person.objects.bulk_create(people)
    people = list(Person.objects.filter(email__endswith="@example.invalid").order_by("pk"))
    for person in people:
        when = now - datetime.timedelta(minutes=rng.randint(10, 60 * 24 * 28))
        signatures.append(
            Signature(
                page=page,
                person=person,
                kind=SignerKind.INDIVIDUAL,
                state=SignatureState.CONFIRMED,
                name=f"{person.given_name} {person.family_name}",
                city=person.city,
                province=person.province,
                fsa=person.postal_code[:3],
                district_code=district_code_for_postal_code(person.postal_code),
                listing=rng.choice([Listing.FULL_NAME, Listing.INITIALS_CITY, Listing.HIDDEN]),
                confirmed_at=when,
            )
        )
    Signature.objects.bulk_create(signatures)
    # They signed, then opened the link in their e-mail: minutes to a day before confirming.
    for signature in signatures:
        delay = datetime.timedelta(minutes=rng.randint(1, 60 * 24))
        signature.created_at = (signature.confirmed_at or now) - delay
    Signature.objects.bulk_update(signatures, ["created_at"])
    signature_counts_reconcile(page=page)


def _member_groups_linked() -> None:
    """The statement's organisations that are member groups, linked as a moderator would
    (by hand in the moderation queue; here by their exact names), where not linked yet."""
    groups = {
        group.title: group
        for group in MemberGroupPage.objects.filter(locale__language_code=settings.LANGUAGE_CODE)
    }
    unlinked = Signature.objects.filter(
        kind=SignerKind.ORGANISATION, member_group=None, name__in=list(groups)
    )
    for signature in unlinked:
        signature.member_group = groups[signature.name]
        signature.save(update_fields=["member_group"])


def load(*, stdout: TextIO) -> None:
    home = HomePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).first()
    if home is None:  # content's demo runs first (INSTALLED_APPS order)
        home = Page.get_first_root_node()
    _statement(home)
    _petition(home)
    _member_groups_linked()
    demo_translations.load()
