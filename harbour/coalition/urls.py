from django.urls import path

from . import views

urlpatterns = [
    path("organisers/confirm/<str:token>/", views.invitation, name="coalition_invitation"),
    path("account/sign-in-link/", views.signin_link, name="coalition_signin_link"),
    path(
        "account/sign-in-link/confirm/<str:token>/",
        views.signin_confirm,
        name="coalition_signin_confirm",
    ),
]
