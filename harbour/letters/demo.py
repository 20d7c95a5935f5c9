"""Demo letter campaigns from the coalition's record (the SDIR subcommittee campaign and the
ministers-and-MPs campaign on the extradition treaty), with generated letters
(example.invalid addresses) so the reach chart shows something."""

import datetime
import random
from typing import TextIO

from django.conf import settings
from django.utils import timezone

from harbour.content.models import HomePage
from harbour.people.models import Person
from harbour.representatives.models import TargetGroup
from harbour.representatives.selectors import sitting_mps

from .models import Delivery, DeliveryState, Letter, LetterCampaignPage, LetterState


def _campaign(home: HomePage, **fields: object) -> LetterCampaignPage | None:
    if LetterCampaignPage.objects.filter(slug=fields["slug"]).exists():
        return None
    page = LetterCampaignPage(opens_at=timezone.now() - datetime.timedelta(days=21), **fields)
    home.add_child(instance=page)
    return page


def _letters(page: LetterCampaignPage, count: int, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 (demo data)
    mps = list(sitting_mps().select_related("district"))
    if not mps:
        return
    now = timezone.now()
    people = Person.objects.bulk_create(
        [
            Person(
                email=f"writer{seed}-{n}@example.invalid",
                given_name="Demo",
                family_name=f"Writer {n}",
                language="en",
            )
            for n in range(count)
        ]
    )
    people = list(Person.objects.filter(email__startswith=f"writer{seed}-").order_by("pk"))
    letters = Letter.objects.bulk_create(
        [
            Letter(
                campaign=page,
                person=person,
                state=LetterState.CONFIRMED,
                district=rng.choice(mps).district,
                supporter_name=str(person),
                subject=page.subject_template,
                body="(demo letter)",
                confirmed_at=now - datetime.timedelta(hours=rng.randint(1, 24 * 20)),
            )
            for person in people
        ]
    )
    letters = list(Letter.objects.filter(campaign=page).select_related("district"))
    by_district = {mp.district_id: mp for mp in mps}
    Delivery.objects.bulk_create(
        [
            Delivery(
                letter=letter,
                representative=by_district[letter.district_id],
                state=DeliveryState.SENT,
                sent_at=letter.confirmed_at,
                message_id=f"<demo-{letter.pk}@harbour.invalid>",
            )
            for letter in letters
            if letter.district_id in by_district
        ]
    )


def load(*, stdout: TextIO) -> None:
    home = HomePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).first()
    if home is None:
        return
    ministers, _ = TargetGroup.objects.get_or_create(
        name="Ministers of Foreign Affairs, Public Safety, Justice and Immigration",
        defaults={"kind": "portfolios", "parameter": "MFA, MPS, MJ, MIRC"},
    )
    page = _campaign(
        home,
        title="Urge the SDIR subcommittee to reconvene",
        slug="sdir-reconvene",
        summary="Ask your MP to press for Parliament's human rights subcommittee to meet "
        "again and study Hong Kong and East Turkestan.",
        call_to_action="<p>The Subcommittee on International Human Rights has not met. Ask "
        "your MP to press for it to reconvene and study the human rights situation in Hong "
        "Kong and East Turkestan.</p>",
        talking_points="<ul><li>Parliament's human rights subcommittee is the place for "
        "this study.</li><li>Hongkongers in Canada want their MPs to act.</li></ul>",
        subject_template="Please reconvene the Subcommittee on International Human Rights",
        body_template="{greeting}\n\nAs a constituent in {district}, I urge you "
        "to press for the Subcommittee on International Human Rights to reconvene and "
        "study the human rights atrocities in Hong Kong and East Turkestan.\n\n"
        "Sincerely,\n{supporter_name}\n{supporter_city}",
    )
    if page is not None:
        page.save_revision().publish()
        _letters(page, 240, seed=7)
    page = _campaign(
        home,
        title="Tell ministers and MPs: end the extradition treaty with Hong Kong",
        slug="extradition-treaty",
        summary="Four ministers and your MP, in one letter: end Canada's extradition treaty "
        "with Hong Kong.",
        call_to_action="<p>Canada still has an extradition treaty with Hong Kong, and the "
        "National Security Law claims jurisdiction over people everywhere. Ask the "
        "ministers of Foreign Affairs, Public Safety, Justice and Immigration, and your "
        "MP, to end the treaty.</p>",
        subject_template="End Canada's extradition treaty with Hong Kong",
        body_template="{addressee}\n\n{greeting}\n\nThe National Security Law breaches the "
        "Sino-British Joint Declaration and claims jurisdiction over people in Canada. "
        "I ask you to end Canada's extradition treaty with Hong Kong.\n\n"
        "Sincerely,\n{supporter_name}",
    )
    if page is not None:
        page.save_revision().publish()
        page.target_groups.add(ministers)
        page.save_revision().publish()
        _letters(page, 160, seed=30)
        # The home page's "National Security Law" theme leads to this campaign.
        home.campaigns.filter(title__startswith="National Security Law").update(link_page=page)
        home.save_revision().publish()
