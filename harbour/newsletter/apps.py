from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "harbour.newsletter"
    label = "newsletter"
    verbose_name = "Newsletter"

    def ready(self) -> None:
        from django.core import checks

        from harbour.core.confirmed_action import pending_actions_register
        from harbour.core.roles import role_permissions_add
        from harbour.people import registry

        from .checks import link_days_check
        from .models import SignupRequest
        from .people_provider import provider
        from .roles import PERMISSIONS

        checks.register(link_days_check)
        registry.register(provider)
        role_permissions_add(PERMISSIONS)
        pending_actions_register(
            "newsletter sign-ups", lambda: SignupRequest.objects.filter(confirmed_at=None)
        )

        # Providers' bounces, complaints and unsubscribes, through anymail's webhooks.
        from anymail.signals import tracking

        from .bounces import tracking_receive

        tracking.connect(tracking_receive, dispatch_uid="harbour.newsletter.bounces")
