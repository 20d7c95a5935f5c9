"""Electoral districts, the people who represent them, and the postal areas that point to
them. Loaded from public data by `manage.py load_representatives`; editors correct records
in the admin, and a later load keeps their corrections (see `edited_fields`)."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def local_district_name(name_en: str, name_fr: str) -> str:
    language = get_language() or ""
    return name_fr if language.startswith("fr") and name_fr else name_en


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

    @property
    def local_name(self) -> str:
        """The name in the visitor's language: French from the data; English otherwise
        (the data has no Chinese names)."""
        return local_district_name(self.name_en, self.name_fr)


class Office(models.TextChoices):
    MP = "mp", _("Member of Parliament")
    SENATOR = "senator", _("Senator")
    MINISTER = "minister", _("Minister")
    MPP = "mpp", _("MPP / MLA / MNA")
    COUNCILLOR = "councillor", _("City councillor")


class RepresentativeQuerySet(models.QuerySet["Representative"]):
    def sitting(self) -> "RepresentativeQuerySet":
        """Those in office now (a loader marks who left with `active_to`)."""
        return self.filter(active_to=None)


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
    # Letters go only to an address in a legislature's domains, or to the one address an
    # administrator approved (see services.letters_may_go_to).
    email_approved = models.EmailField(
        _("approved e-mail outside the legislature's domains"), blank=True, editable=False
    )
    photo_url = models.URLField(_("photo"), blank=True, max_length=500)
    # The photo as Harbour serves it, from its own media (`load_representatives --photos`):
    # public pages never load it from the legislature's server, which would learn a
    # supporter's address and, from the photo, their riding.
    photo = models.FileField(upload_to="representatives/", blank=True, editable=False)
    photo_fetched_from = models.URLField(max_length=500, blank=True, editable=False)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_to = models.DateField(_("active to"), null=True, blank=True)
    # Fields an editor corrected by hand; a later load leaves them alone unless --force.
    edited_fields = models.JSONField(default=list, blank=True)

    objects = RepresentativeQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("representative")
        permissions = [
            ("change_representative_contact", "Can change a representative's e-mail and photo")
        ]

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


class RoleKind(models.TextChoices):
    CABINET = "cabinet", _("Cabinet portfolio")
    COMMITTEE = "committee", _("Committee membership")


class Role(models.Model):
    """A portfolio or a committee seat, e.g. Minister of Foreign Affairs, or member of the
    Subcommittee on International Human Rights (SDIR)."""

    representative = models.ForeignKey(
        Representative, on_delete=models.CASCADE, related_name="roles"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RoleKind.choices)
    code = models.CharField(_("code"), max_length=20, help_text=_("e.g. FA or SDIR"))
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["representative", "kind", "code"], name="one_role_per_code"
            )
        ]
        verbose_name = _("role")

    def __str__(self) -> str:
        return self.title_en


class TargetGroupKind(models.TextChoices):
    ALL_MINISTERS = "ministers", _("All ministers")
    PORTFOLIOS = "portfolios", _("The ministers of some portfolios")
    COMMITTEE = "committee", _("Members of a committee")
    PARTY_MPS = "party", _("MPs of a party")
    CHOSEN = "chosen", _("Representatives chosen by hand")


class TargetGroup(models.Model):
    """A set of representatives an editor can address a letter to, kept current by rule
    (all ministers, a committee's members, a party's MPs) or chosen by hand."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=TargetGroupKind.choices)
    parameter = models.CharField(
        _("committee code or party"),
        max_length=100,
        blank=True,
        help_text=_(
            "SDIR for a committee; Liberal, Conservative... for a party; portfolio codes "
            "separated by commas (MFA, MPS, MJ, MIRC...) for ministers by portfolio."
        ),
    )
    chosen = models.ManyToManyField(Representative, blank=True, related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name = _("target group")

    def __str__(self) -> str:
        return self.name

    def members(self) -> models.QuerySet[Representative]:
        active = Representative.objects.sitting()
        if self.kind == TargetGroupKind.ALL_MINISTERS:
            return active.filter(roles__kind=RoleKind.CABINET).distinct()
        if self.kind == TargetGroupKind.PORTFOLIOS:
            codes = [code.strip().upper() for code in self.parameter.split(",") if code.strip()]
            return active.filter(roles__kind=RoleKind.CABINET, roles__code__in=codes).distinct()
        if self.kind == TargetGroupKind.COMMITTEE:
            return active.filter(
                roles__kind=RoleKind.COMMITTEE, roles__code__iexact=self.parameter
            ).distinct()
        if self.kind == TargetGroupKind.PARTY_MPS:
            return active.filter(office=Office.MP, party__iexact=self.parameter)
        return self.chosen.filter(active_to=None)  # the related manager has no sitting()
