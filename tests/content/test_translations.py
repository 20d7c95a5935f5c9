"""Translated pages (wagtail-localize): /fr/ and /zh-hant/ serve the translation; an action
signed in any language counts once, on the same list."""

import re

import pytest
from django.core import mail
from wagtail.models import Locale

from harbour.signons.counts import count_total
from harbour.signons.models import Signature
from tests.letters.test_flow import FIXTURE, LETTER, campaign  # noqa: F401 (fixture)
from tests.signons.factories import INDIVIDUAL, make_petition

pytestmark = pytest.mark.django_db


def _translate(page, language: str, title: str):
    locale, _ = Locale.objects.get_or_create(language_code=language)
    translated = page.copy_for_translation(locale, copy_parents=True)
    translated.title = title
    translated.save_revision().publish()
    return translated


def test_a_signature_on_the_french_page_counts_on_the_english_one(client, home):
    petition = make_petition(home)
    french = _translate(petition, "fr", "Protégez les gens au Canada")
    assert french.url == f"/fr{petition.url}"
    page = client.get(french.url).content.decode()
    assert '<html lang="fr">' in page and "Protégez les gens au Canada" in page
    action = re.search(r'<form method="post" action="([^"]+)"', page).group(1)
    assert action.startswith("/fr/")
    thanks = client.post(action, {**INDIVIDUAL, "individual-email": "fr@example.org"})
    assert thanks["Location"].startswith(french.url)
    [message] = mail.outbox
    link = re.search(r"http://\S+/confirm/\S+/", message.body).group(0)
    assert link.startswith(f"http://127.0.0.1:8000{french.url}confirm/")
    confirm = link.removeprefix("http://127.0.0.1:8000")
    assert '<html lang="fr">' in client.get(confirm).content.decode()
    client.post(confirm)
    assert Signature.objects.get().page_id == petition.pk
    assert count_total(page=petition) == 1
    for url in (petition.url, french.url):
        html = client.get(url).content.decode()
        assert 'data-testid="signature-count">1<' in html, url


def test_an_english_link_works_on_the_english_page_and_not_on_another(client, home):
    petition = make_petition(home)
    _translate(petition, "zh-hant", "保護在加拿大的人")
    client.post(petition.url + "sign/", INDIVIDUAL)
    link = re.search(r"http://\S+/confirm/\S+/", mail.outbox[0].body).group(0)
    path = link.removeprefix("http://127.0.0.1:8000")
    assert path.startswith(petition.url)  # the signer wrote in English
    assert client.get(path.replace(petition.url, f"/zh-hant{petition.url}")).status_code == 200
    other = make_petition(home, slug="another")
    assert client.get(path.replace(petition.url, other.url)).status_code == 400


def test_take_action_lists_each_action_once_in_the_visitors_language(client, home):
    petition = make_petition(home)
    french = _translate(petition, "fr", "Protégez les gens au Canada")
    english = client.get("/take-action/").content.decode()
    assert english.count('<li class="action-card') == 1
    assert f'href="{petition.url}"' in english
    in_french = client.get("/fr/take-action/").content.decode()
    assert in_french.count('<li class="action-card') == 1
    assert f'<a href="{french.url}">Protégez les gens au Canada</a>' in in_french


def test_a_letter_written_from_the_chinese_page_counts_on_the_campaign(client, campaign):  # noqa: F811
    from harbour.letters.models import Delivery, Letter

    chinese = _translate(campaign, "zh-hant", "促請國會小組委員會復會")
    sent = client.post(chinese.url + "send/", LETTER)
    assert sent["Location"].startswith(chinese.url)
    link = re.search(r"http://\S+/confirm/\S+/", mail.outbox[-1].body).group(0)
    path = link.removeprefix("http://127.0.0.1:8000")
    assert path.startswith(f"{chinese.url}confirm/")  # the page in the writer's language
    client.post(path)
    assert Letter.objects.get().campaign_id == campaign.pk
    assert Delivery.objects.filter(state="sent").count() == 1
    for url in (campaign.url, chinese.url):
        assert 'data-testid="letter-count">1<' in client.get(url).content.decode(), url


def test_the_switcher_and_hreflang_lead_to_the_pages_own_translation(client, home):
    petition = make_petition(home)
    french = _translate(petition, "fr", "Protégez les gens au Canada")
    french.slug = "protegez"  # a translated address
    french.save_revision().publish()
    french.refresh_from_db()
    html = client.get(petition.url).content.decode()
    assert f'<link rel="alternate" hreflang="fr" href="http://127.0.0.1:8000{french.url}">' in html
    assert (
        f'<link rel="alternate" hreflang="en" href="http://127.0.0.1:8000{petition.url}">' in html
    )
    assert 'hreflang="zh-hant" href="http' not in html  # not translated: no alternate
    assert f'<a href="{french.url}" hreflang="fr" lang="fr">' in html
    back = client.get(french.url).content.decode()
    assert f'<a href="{petition.url}" hreflang="en" lang="en">' in back
    assert f'<a href="/zh-hant{petition.url}" hreflang="zh-hant"' in back


def test_french_pages_name_ridings_provinces_and_members_in_french(client, campaign):  # noqa: F811
    from harbour.representatives.models import ElectoralDistrict

    oakville = ElectoralDistrict.objects.get(code="35075")
    french = _translate(campaign, "fr", "Écrivez à votre député")
    page = client.post(french.url + "write/", {"postal_code": "L6H 1A1"}).content.decode()
    assert re.search(r"Votre circonscription\s: <strong>Oakville-Est</strong>", page)
    assert oakville.name_fr == "Oakville-Est"
    assert "Ministre des Affaires étrangères" in page  # Oakville East's MP is a minister
    ajax = client.post(french.url + "write/", {"postal_code": "L1S 2A3"}).content.decode()
    assert "Député·e d’Ajax" in ajax
    chinese = _translate(campaign, "zh-hant", "寫信給你的國會議員")
    page = client.post(chinese.url + "write/", {"postal_code": "L1S 2A3"}).content.decode()
    assert "Ajax 國會議員" in page
    english = client.post(campaign.url + "write/", {"postal_code": "L1S 2A3"}).content.decode()
    assert "Member of Parliament for Ajax" in english


def test_the_french_petition_names_provinces_and_districts_in_french(client, home):
    from django.core.management import call_command

    from harbour.representatives.services import fsa_table_forget
    from harbour.signons.services import confirmation_token as token
    from harbour.signons.services import signature_confirm

    call_command("load_representatives", "--dir", str(FIXTURE), stdout=open("/dev/null", "w"))  # noqa: SIM115
    fsa_table_forget()
    petition = make_petition(home)
    french = _translate(petition, "fr", "Protégez les gens au Canada")
    client.post(petition.url + "sign/", {**INDIVIDUAL, "individual-postal_code": "L6H 1A1"})
    signature_confirm(token=token(Signature.objects.get()))
    page = client.get(french.url).content.decode()
    assert "<td>Ontario</td><td>1</td>" in page
    assert "<td>Oakville-Est</td><td>ON</td><td>1</td>" in page
    assert "<td>Oakville East</td>" in client.get(petition.url).content.decode()


def test_the_chinese_statement_pdf_embeds_a_chinese_font(client, home):
    from tests.signons.factories import make_statement

    statement = make_statement(home)
    chinese = _translate(statement, "zh-hant", "譴責大搜捕的聯合聲明")
    pdf = client.get(chinese.url + "pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The characters are drawn with a CJK font (make test installs Noto CJK), not boxes:
    # its name is in the PDF's (compressed) object streams.
    import zlib

    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf.content, re.S)
    inflated = b"".join(zlib.decompress(data) for data in streams if data[:1] == b"x")
    assert b"NotoSansCJK" in inflated
