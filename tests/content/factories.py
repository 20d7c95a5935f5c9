import datetime
import json

import factory
from django.contrib.auth.models import Group, User

from harbour.content.models import ArticleKind, ArticlePage, Author, NewsIndexPage


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    location = "Markham, Ontario"
    bio = "<p>Organiser of a member group.</p>"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.SelfAttribute("username")
    password = factory.PostGenerationMethodCall("set_password", "a-long-test-password")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()


def make_article(
    news: NewsIndexPage,
    *,
    title: str = "An article",
    slug: str | None = None,
    kind: str = ArticleKind.ANNOUNCEMENT,
    live: bool = True,
    summary: str = "A summary",
    body_text: str = "Body text of the article.",
    date: datetime.date | None = None,
    authors: list[Author] | None = None,
    tags: list[str] | None = None,
) -> ArticlePage:
    article = ArticlePage(
        title=title,
        slug=slug or title.lower().replace(" ", "-"),
        kind=kind,
        summary=summary,
        date=date or datetime.date(2021, 1, 6),
        body=json.dumps([{"type": "paragraph", "value": f"<p>{body_text}</p>"}]),
        live=live,
    )
    news.add_child(instance=article)
    if authors:
        article.authors.set(authors)
    if tags:
        article.tags.add(*tags)
    revision = article.save_revision()
    if live:
        revision.publish()
    return article
