from django.apps import AppConfig


class CoalitionConfig(AppConfig):
    name = "harbour.coalition"
    label = "coalition"
    verbose_name = "Coalition"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from .models import MemberGroupPage
        from .organisers import on_group_page_saved

        post_save.connect(
            on_group_page_saved, sender=MemberGroupPage, weak=False, dispatch_uid="organisers"
        )
