from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "harbour.content"
    label = "content"
    verbose_name = "Publishing"
