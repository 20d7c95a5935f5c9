from django.urls import path, re_path

from . import views

app_name = "signons"
urlpatterns = [
    # The sign-on forms post here rather than through Wagtail's page routing, which costs
    # several queries per request on the hottest write path.
    path("sign-on/<int:page_id>/", views.sign_by_id, name="sign"),
    # Every page address (Wagtail's own pattern, less the home page), ahead of Wagtail's:
    # a sign-on form's POST to its page is signed here, the rest is served by Wagtail.
    # Wagtail's own `_util/` views (front-end login, page passwords) stay Wagtail's.
    re_path(r"^(?!_util/)((?:[\w\-]+/)+)$", views.page_post_or_serve, name="page_post_or_serve"),
]
