from django.apps import AppConfig


class RepresentativesConfig(AppConfig):
    name = "harbour.representatives"
    label = "representatives"
    verbose_name = "Representatives"
