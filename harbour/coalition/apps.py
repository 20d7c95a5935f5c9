from django.apps import AppConfig


class CoalitionConfig(AppConfig):
    name = "harbour.coalition"
    label = "coalition"
    verbose_name = "Coalition"
