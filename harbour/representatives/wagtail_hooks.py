"""Editors correct representatives in the admin; what they change is remembered so a later
`load_representatives` keeps it (unless --force)."""

from typing import Any

from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import ElectoralDistrict, Representative, Role, TargetGroup

TRACKED = [
    "honorific",
    "first_name",
    "last_name",
    "party",
    "email",
    "photo_url",
    "district",
    "province",
    "active_from",
    "active_to",
    "office",
]


class RepresentativeEditView(generic.EditView):
    def save_instance(self) -> Any:
        instance = self.form.instance
        changed = set(self.form.changed_data) & set(TRACKED)
        instance.edited_fields = sorted(set(instance.edited_fields) | changed)
        return super().save_instance()


class RepresentativeViewSet(ModelViewSet):
    model = Representative
    icon = "user"
    menu_label = "Representatives"
    list_display = ["__str__", "office", "party", "district", "email", "active_to"]
    list_filter = ["office", "party", "province"]
    search_fields = ["first_name", "last_name", "party"]
    search_backend_name = None
    edit_view_class = RepresentativeEditView
    panels = [FieldPanel(name) for name in TRACKED]


class DistrictViewSet(ModelViewSet):
    model = ElectoralDistrict
    icon = "site"
    list_display = ["name_en", "code", "province"]
    list_filter = ["province"]
    search_fields = ["name_en", "name_fr", "code"]
    search_backend_name = None
    form_fields = ["name_en", "name_fr", "province"]


class RoleViewSet(ModelViewSet):
    """Cabinet portfolios come from the loader; committee seats (e.g. SDIR) are entered here."""

    model = Role
    icon = "tag"
    list_display = ["title_en", "representative", "kind", "code"]
    list_filter = ["kind", "code"]
    form_fields = ["representative", "kind", "code", "title_en", "title_fr", "since"]


class TargetGroupViewSet(ModelViewSet):
    model = TargetGroup
    icon = "group"
    list_display = ["name", "kind", "parameter"]
    form_fields = ["name", "kind", "parameter", "chosen"]


class RepresentativesGroup(ModelViewSetGroup):
    menu_label = "Representatives"
    menu_icon = "user"
    menu_order = 330
    items = (
        RepresentativeViewSet("representatives"),
        DistrictViewSet("districts"),
        TargetGroupViewSet("target_groups"),
    )


@hooks.register("register_admin_viewset")
def register_representatives_viewsets():  # type: ignore[no-untyped-def]
    return RepresentativesGroup()
