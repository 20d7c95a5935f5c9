"""The resource library: by kind, tag and search; a members-only resource and its file open
for members only, by the page, by the document's address and by the file's own path."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.test import Client, override_settings
from wagtail.documents import get_document_model
from wagtail.models import Collection, PageViewRestriction

from harbour.coalition.models import ResourceFile, ResourceIndexPage, ResourcePage
from harbour.coalition.roles import members_group, members_only_collection

pytestmark = pytest.mark.django_db

SECRET = b"Members-only advocacy notes"


def _document(title, filename, content, collection):
    document = get_document_model()(title=title, collection=collection)
    document.file.save(filename, ContentFile(content), save=False)
    document.save()
    return document


def _resource(library, title, slug, kind, *, tags=(), document=None, summary=""):
    resource = ResourcePage(title=title, slug=slug, kind=kind, summary=summary)
    resource.tags.add(*tags)
    if document is not None:
        resource.files = [ResourceFile(document=document)]
    library.add_child(instance=resource)
    resource.save_revision().publish()
    return resource


@pytest.fixture(autouse=True)
def files_on_disk(settings, tmp_path):
    """Documents as production keeps them: files under MEDIA_ROOT."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@pytest.fixture
def library(home):
    library = ResourceIndexPage(title="Resources", slug="resources")
    home.add_child(instance=library)
    library.save_revision().publish()
    root = Collection.get_first_root_node()
    public = _document("Letter template", "letter.txt", b"Dear MP,", root)
    secret = _document("Toolkit", "toolkit.txt", SECRET, members_only_collection())
    _resource(
        library,
        "Open letter to your MP",
        "letter",
        "template",
        tags=["letters"],
        document=public,
        summary="Adapt it and send it.",
    )
    _resource(library, "Policy brief outline", "brief", "template", tags=["policy"])
    _resource(library, "Webinar recording: parties", "parties", "recording", tags=["webinars"])
    toolkit = _resource(
        library, "Advocacy toolkit", "toolkit", "toolkit", tags=["webinars"], document=secret
    )
    restriction = PageViewRestriction.objects.create(
        page=toolkit, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(members_group())
    return {"library": library, "public": public, "secret": secret, "toolkit": toolkit}


def _member(client):
    user = User.objects.create_user("member@example.org", "member@example.org", "a-long-pass")
    user.groups.add(members_group())
    return user


def test_the_library_lists_filters_by_kind_and_tag_and_searches(client, library):
    page = client.get("/resources/").content.decode()
    assert "Open letter to your MP" in page and "Policy brief outline" in page
    assert "Advocacy toolkit" not in page  # members only
    templates = client.get("/resources/?kind=template").content.decode()
    assert "Policy brief outline" in templates and "Webinar recording" not in templates
    webinars = client.get("/resources/?tag=webinars").content.decode()
    assert "Webinar recording: parties" in webinars and "Open letter" not in webinars
    found = client.get("/resources/?q=adapt").content.decode()
    assert "Open letter to your MP" in found and "Policy brief" not in found
    nothing = client.get("/resources/?q=zzzz").content.decode()
    assert "No resource matches." in nothing


def test_a_bad_kind_is_a_400_that_says_so(client, library):
    response = client.get("/resources/?kind=<script>")
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is no kind of resource with that name." in html and "<script>" not in html


def test_a_public_file_opens_for_anyone(client, library):
    assert client.get("/resources/letter/").status_code == 200
    response = client.get(library["public"].url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Dear MP,"


def test_members_only_page_and_file_are_refused_to_the_public_by_every_address(
    client, library, settings
):
    page = client.get("/resources/toolkit/")
    assert page.status_code == 302 and "/_util/login/" in page["Location"]
    document = client.get(library["secret"].url)
    assert document.status_code == 302 and "/_util/login/" in document["Location"]
    with override_settings(ROOT_URLCONF="tests.coalition.media_urls"):  # as `make run` serves
        raw = client.get("/media/" + library["secret"].file.name)  # the file's own path
        assert raw.status_code == 404
        other = Path(settings.MEDIA_ROOT) / "images" / "logo.txt"
        other.parent.mkdir(parents=True)
        other.write_bytes(b"served")
        assert client.get("/media/images/logo.txt").status_code == 200  # other media are
    signed_in_non_member = Client()
    signed_in_non_member.force_login(User.objects.create_user("someone@example.org"))
    assert signed_in_non_member.get(library["secret"].url).status_code == 302
    assert "Advocacy toolkit" not in signed_in_non_member.get("/resources/").content.decode()


def test_a_member_signs_in_and_opens_the_members_only_resource_and_file(client, library):
    _member(client)
    login = client.get("/resources/toolkit/", follow=True)
    html = login.content.decode()
    assert "Members&#x27; sign-in" in html or "Members' sign-in" in html
    signed_in = client.post(
        "/_util/login/",
        {
            "username": "member@example.org",
            "password": "a-long-pass",
            "next": "/resources/toolkit/",
        },
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/resources/toolkit/"
    page = client.get("/resources/toolkit/").content.decode()
    assert "Advocacy toolkit" in page and library["secret"].url in page
    assert "Advocacy toolkit" in client.get("/resources/").content.decode()
    response = client.get(library["secret"].url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == SECRET
