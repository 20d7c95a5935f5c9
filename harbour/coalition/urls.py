from django.urls import path

from . import views

urlpatterns = [
    path("organisers/invitation/<str:token>/", views.invitation, name="coalition_invitation"),
]
