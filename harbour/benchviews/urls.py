"""Mounted by harbour/urls.py only with HARBOUR_BENCH."""

from django.urls import path

from . import views

urlpatterns = [
    path("bench/ping/", views.bench_ping),
    path("bench/insert/", views.bench_insert),
    path("bench/insert-enqueue/", views.bench_insert_enqueue),
    path("bench/sign-service/<int:page_id>/", views.bench_sign_service),
]
