from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "harbour.events"
    label = "events"
    verbose_name = "Events"

    def ready(self) -> None:
        from django.db.models.signals import post_save
        from wagtail.signals import page_published

        from harbour.coalition.registry import group_section_register
        from harbour.core.actions import open_actions_register
        from harbour.core.confirmed_action import pending_actions_register
        from harbour.newsletter.registry import audience_filter_register
        from harbour.people import registry

        from .audiences import registered
        from .models import EventIndexPage, EventPage, Registration, RegistrationState
        from .people_provider import provider
        from .selectors import event_cards, group_events_section
        from .updates import on_event_published, on_listing_saved

        registry.register(provider)
        audience_filter_register(registered)
        open_actions_register(event_cards)
        group_section_register(group_events_section)
        pending_actions_register(
            "event registrations",
            lambda: Registration.objects.filter(state=RegistrationState.PENDING),
        )
        page_published.connect(
            on_event_published, sender=EventPage, weak=False, dispatch_uid="event-updates"
        )
        post_save.connect(
            on_listing_saved, sender=EventIndexPage, weak=False, dispatch_uid="event-listing"
        )
