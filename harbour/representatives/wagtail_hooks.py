"""Editors correct representatives in the admin; what they change is remembered so a later
`load_representatives` keeps it (unless --force)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import ElectoralDistrict, Representative, Role, TargetGroup
from .services import CONTACT_FIELDS, representative_contact_changed

# Where supporters' letters go: only a role made for it (administrators) sees these fields;
# for everyone else they are not in the form, so a posted value is ignored.
CONTACT_PERMISSION = "representatives.change_representative_contact"

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


class RepresentativeForm(WagtailAdminModelForm):
    approve_email = forms.BooleanField(
        label=_("Approve this address for letters"),
        required=False,
        help_text=_(
            "Letters go only to addresses in the legislature's domains. Tick this to let "
            "supporters' letters go to an address elsewhere (e.g. a minister's department)."
        ),
    )


class RepresentativeEditView(generic.EditView):
    def save_instance(self) -> Any:
        instance = self.form.instance
        before = Representative.objects.get(pk=instance.pk)
        changed = set(self.form.changed_data) & set(TRACKED)
        instance.edited_fields = sorted(set(instance.edited_fields) | changed)
        saved = super().save_instance()
        representative_contact_changed(
            representative=saved,
            before=before,
            actor=self.request.user,
            approve_email=bool(self.form.cleaned_data.get("approve_email")),
        )
        return saved


class RepresentativeViewSet(ModelViewSet):
    model = Representative
    icon = "user"
    menu_label = "Representatives"
    list_display = ["__str__", "office", "party", "district", "email", "active_to"]
    list_filter = ["office", "party", "province"]
    search_fields = ["first_name", "last_name", "party"]
    search_backend_name = None
    edit_view_class = RepresentativeEditView
    edit_handler = ObjectList(
        [
            FieldPanel(name, permission=CONTACT_PERMISSION if name in CONTACT_FIELDS else None)
            for name in TRACKED
        ]
        + [FieldPanel("approve_email", permission=CONTACT_PERMISSION)],
        base_form_class=RepresentativeForm,
    )


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
