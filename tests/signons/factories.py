import datetime

from django.utils import timezone

from harbour.signons.models import PetitionPage, StatementPage


def make_statement(home, *, slug="jan-6", closes_in_days=None, **kwargs) -> StatementPage:
    fields = {
        "title": "Joint statement on the mass arrests",
        "slug": slug,
        "body": "<p>We condemn the arrests.</p>",
        "opens_at": timezone.now() - datetime.timedelta(days=1),
        "allow_organisations": True,
        "allow_parliamentarians": True,
        "allow_individuals": True,
        **kwargs,
    }
    if closes_in_days is not None:
        fields["closes_at"] = timezone.now() + datetime.timedelta(days=closes_in_days)
    page = StatementPage(**fields)
    home.add_child(instance=page)
    page.demands.create(sort_order=0, text="Apply Magnitsky sanctions.")
    page.save_revision().publish()
    return page


def make_petition(home, *, slug="petition", goal=100, **kwargs) -> PetitionPage:
    page = PetitionPage(
        title="Protect people in Canada from foreign interference",
        slug=slug,
        target="the House of Commons",
        goal=goal,
        opens_at=timezone.now() - datetime.timedelta(days=1),
        **kwargs,
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


ORGANISATION = {
    "kind": "organisation",
    "organisation-organisation": "Canada-Hong Kong Link",
    "organisation-city": "Toronto",
    "organisation-region": "Ontario",
    "organisation-website": "https://example.org",
    "organisation-contact_name": "Alex Chan",
    "organisation-email": "alex@example.org",
}
PARLIAMENTARIAN = {
    "kind": "parliamentarian",
    "parliamentarian-honorific": "Hon.",
    "parliamentarian-name": "Jenny Kwan",
    "parliamentarian-office": "mp",
    "parliamentarian-region": "British Columbia",
    "parliamentarian-email": "jenny.kwan@parl.gc.ca",
}
INDIVIDUAL = {
    "kind": "individual",
    "individual-given_name": "Mimi",
    "individual-family_name": "Lee",
    "individual-email": "mimi@example.org",
    "individual-postal_code": "l3r 0a1",
    "individual-city": "Markham",
    "individual-listing": "full",
}
