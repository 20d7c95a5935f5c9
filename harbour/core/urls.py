from django.urls import path

from . import two_factor, views

app_name = "core"
urlpatterns = [
    path("account/two-factor/", two_factor.two_factor, name="two_factor"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("take-action/", views.take_action, name="take_action"),
    path("brand.css", views.brand_css, name="brand_css"),
    path("favicon.ico", views.favicon, name="favicon"),
]
