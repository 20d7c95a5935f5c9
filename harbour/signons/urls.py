from django.urls import path

from . import views

app_name = "signons"
urlpatterns = [
    # The sign-on forms post here rather than through Wagtail's page routing, which costs
    # several queries per request on the hottest write path.
    path("sign-on/<int:page_id>/", views.sign_by_id, name="sign"),
]
