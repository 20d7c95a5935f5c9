"""The interface in English, French and Traditional Chinese, with a language switcher."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "heading", "like_button"),
    [
        ("en", "Latest news", "Like it"),
        ("fr", "Dernières nouvelles", "J’aime"),
        ("zh-hant", "最新消息", "讚好"),
    ],
)
def test_switcher_changes_the_interface_language(client, news, language, heading, like_button):
    from tests.content.factories import make_article

    make_article(news, title="Our work", slug="our-work")

    response = client.post("/i18n/setlang/", {"language": language, "next": "/news/our-work/"})

    assert response.status_code == 302
    prefix = "" if language == "en" else f"/{language}"
    assert response["Location"] == f"{prefix}/news/our-work/"
    # An article not translated yet: its words as written, the interface in the language.
    article = client.get(response["Location"]).content.decode()
    assert f'<html lang="{language}">' in article
    assert like_button in article
    assert heading in client.get(f"{prefix}/").content.decode()


def test_switcher_offers_the_three_languages_as_plain_links(client, home):
    content = client.get("/take-action/").content.decode()
    for code, name, url in (
        ("en", "English", "/take-action/"),
        ("fr", "français", "/fr/take-action/"),
        ("zh-hant", "繁體中文", "/zh-hant/take-action/"),
    ):
        assert f'<a href="{url}" hreflang="{code}" lang="{code}"' in content
        assert f">{name}</a>" in content
    assert '<a href="/take-action/" hreflang="en" lang="en" aria-current="true">' in content


def test_unknown_language_falls_back_to_english(client, home):
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()


def test_unsafe_next_url_is_not_followed(client, home):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "https://evil.example/"})
    assert "evil.example" not in response.get("Location", "")
