import pytest

from harbour.newsletter.models import MailingList, NewsletterPage


@pytest.fixture
def newsletter(home):
    """The /newsletter/ page and two lists: "Alliance news" (the action boxes' list) and
    "Action alerts"."""
    page = NewsletterPage(title="Newsletter", slug="newsletter")
    home.add_child(instance=page)
    page.save_revision().publish()
    news = MailingList.objects.create(name="Alliance news", slug="news", default=True)
    alerts = MailingList.objects.create(name="Action alerts", slug="alerts", sort_order=1)
    return {"page": page, "news": news, "alerts": alerts, "home": home}
