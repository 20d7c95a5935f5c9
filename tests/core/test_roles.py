"""Least privilege for each role, and opinions that go through moderation before they are public."""

import pytest
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from harbour.content.models import ArticlePage
from harbour.core.roles import ADMINISTRATORS, EDITORS, MEMBER_AUTHORS, MODERATORS
from tests.admin_helpers import assert_denied
from tests.content.factories import UserFactory, make_article

pytestmark = pytest.mark.django_db


def _article_form(title: str, action: str) -> dict:
    data = nested_form_data(
        {
            "title": title,
            "slug": title.lower().replace(" ", "-"),
            "kind": "opinion",
            "date": "2020-12-19",
            "summary": "A look back.",
            "body": streamfield([("paragraph", rich_text("<p>We rallied for sanctions.</p>"))]),
            "tags": "",
            "comments": inline_formset([]),
        }
    )
    data[action] = "1"
    return data


def test_member_author_submits_an_opinion_and_a_moderator_approves_it(client, news):
    author = UserFactory(roles=[MEMBER_AUTHORS])
    moderator = UserFactory(roles=[MODERATORS])
    client.force_login(author)

    # Trying to publish directly does not make it public.
    response = client.post(
        f"/admin/pages/add/content/articlepage/{news.pk}/",
        _article_form("My 2020 roundup", "action-publish"),
    )
    # Wagtail saves it as a draft and goes to its edit view: nothing is published.
    page = ArticlePage.objects.get(slug="my-2020-roundup")
    assert (response.status_code, response["Location"]) == (302, f"/admin/pages/{page.pk}/edit/")
    assert not page.live and page.live_revision is None
    assert client.get("/news/my-2020-roundup/").status_code == 404

    response = client.post(
        f"/admin/pages/add/content/articlepage/{news.pk}/",
        _article_form("My opinion", "action-submit"),
    )
    assert response.status_code == 302, response.content[:2000]
    opinion = ArticlePage.objects.get(slug="my-opinion")
    assert not opinion.live
    assert opinion.workflow_in_progress
    assert client.get("/news/my-opinion/").status_code == 404
    assert not opinion.permissions_for_user(author).can_publish()

    # The moderator sees it waiting and approves it.
    client.force_login(moderator)
    dashboard = client.get("/admin/")
    assert b"My opinion" in dashboard.content
    task_state = opinion.current_workflow_task_state
    response = client.post(
        f"/admin/pages/workflow/action/{opinion.pk}/approve/{task_state.pk}/",
        {"comment": ""},
    )
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.live
    client.logout()
    assert b"We rallied for sanctions." in client.get("/news/my-opinion/").content


def test_member_author_cannot_edit_other_pages_or_manage_users(client, news):
    author = UserFactory(roles=[MEMBER_AUTHORS])
    someone_elses = make_article(news, title="Announcement")
    client.force_login(author)
    assert_denied(client.get(f"/admin/pages/{someone_elses.pk}/edit/"))
    assert_denied(client.get(f"/admin/pages/add/content/standardpage/{news.get_parent().pk}/"))
    assert_denied(client.get("/admin/users/"))


def test_editor_publishes_but_cannot_manage_users(client, news):
    editor = UserFactory(roles=[EDITORS])
    article = make_article(news, title="Draft release", live=False)
    assert article.permissions_for_user(editor).can_publish()
    client.force_login(editor)
    assert_denied(client.get("/admin/users/"))
    assert_denied(client.get("/admin/groups/"))
    assert client.get("/admin/pages/").status_code == 200


def test_editor_cannot_approve_moderation_tasks(news):
    editor = UserFactory(roles=[EDITORS])
    author = UserFactory(roles=[MEMBER_AUTHORS])
    article = make_article(news, title="Opinion", live=False)
    workflow = article.get_workflow()
    workflow.start(article, author)
    task = article.current_workflow_task
    assert not task.user_can_access_editor(article, editor)
    assert task.get_actions(article, editor) == []


def test_administrator_manages_users(client, home):
    admin = UserFactory(roles=[ADMINISTRATORS])
    client.force_login(admin)
    assert client.get("/admin/users/").status_code == 200


def test_anonymous_visitors_are_sent_to_login(client, home):
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_roles_are_idempotent():
    from django.contrib.auth.models import Group
    from wagtail.models import GroupPagePermission

    from harbour.core.roles import ensure_roles

    before = GroupPagePermission.objects.count()
    ensure_roles()
    ensure_roles()
    assert GroupPagePermission.objects.count() == before
    assert set(Group.objects.values_list("name", flat=True)) >= {
        EDITORS,
        MODERATORS,
        ADMINISTRATORS,
        MEMBER_AUTHORS,
    }
    assert (
        not Page.get_first_root_node()
        .permissions_for_user(UserFactory(roles=[MEMBER_AUTHORS]))
        .can_add_subpage()
    )
