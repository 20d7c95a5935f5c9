from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "harbour.content"
    label = "content"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from harbour.core.roles import role_permissions_add
        from harbour.newsletter.registry import news_source_register

        from .newsletter_news import latest_articles
        from .roles import PERMISSIONS

        role_permissions_add(PERMISSIONS)
        news_source_register(latest_articles)
