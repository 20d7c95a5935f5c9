from django.urls import path

from . import views

urlpatterns = [
    path("organisers/confirm/<str:token>/", views.invitation, name="coalition_invitation"),
]
