"""Electoral districts, the people who represent them, and the postal areas that point to
them. Loaded from public data by `manage.py load_representatives`; editors correct records
in the admin, and a later load keeps their corrections (see `edited_fields`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ElectoralDistrict(models.Model):
    """A federal electoral district of the 2023 Representation Order (343 of them)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    province = models.CharField(_("province"), max_length=2, db_index=True)
    representation_order = models.CharField(max_length=4, default="2023")

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("electoral district")

    def __str__(self) -> str:
        return self.name_en


class Office(models.TextChoices):
    MP = "mp", _("Member of Parliament")
    SENATOR = "senator", _("Senator")
    MINISTER = "minister", _("Minister")
    MPP = "mpp", _("MPP / MLA / MNA")
    COUNCILLOR = "councillor", _("City councillor")


class Representative(models.Model):
    source_key = models.CharField(
        max_length=100, unique=True, help_text=_("Where the loader found this record.")
    )
    honorific = models.CharField(_("honorific"), max_length=40, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    office = models.CharField(_("office"), max_length=20, choices=Office.choices)
    party = models.CharField(_("party"), max_length=100, blank=True)
    district = models.ForeignKey(
        ElectoralDistrict,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="representatives",
    )
    province = models.CharField(_("province"), max_length=2, blank=True)
    email = models.EmailField(_("official e-mail"), blank=True)
    photo_url = models.URLField(_("photo"), blank=True, max_length=500)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_to = models.DateField(_("active to"), null=True, blank=True)
    # Fields an editor corrected by hand; a later load leaves them alone unless --force.
    edited_fields = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("representative")

    def __str__(self) -> str:
        return f"{self.honorific} {self.first_name} {self.last_name}".strip()


class PostalArea(models.Model):
    """A forward sortation area (the first three characters of a postal code) and the one
    district the approximate table names for it; many FSAs span several districts."""

    fsa = models.CharField(_("FSA"), max_length=3, unique=True)
    district = models.ForeignKey(ElectoralDistrict, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("postal area")

    def __str__(self) -> str:
        return self.fsa
