from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "harbour.newsletter"
    label = "newsletter"
    verbose_name = "Newsletter"

    def ready(self) -> None:
        from harbour.core.confirmed_action import pending_actions_register
        from harbour.people import registry

        from .models import SignupRequest
        from .people_provider import provider

        registry.register(provider)
        pending_actions_register(
            "newsletter sign-ups", lambda: SignupRequest.objects.filter(confirmed_at=None)
        )
