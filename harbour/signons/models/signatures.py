"""Signatures and their counters. A signature is a plain row, never part of a page."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower, Trim
from django.utils.translation import gettext_lazy as _


class SignerKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    PARLIAMENTARIAN = "parliamentarian", _("Parliamentarian")
    INDIVIDUAL = "individual", _("Individual")


class SignatureState(models.TextChoices):
    """Moves: signons.states.SIGNATURE_MOVES."""

    PENDING = "pending", _("Waiting for e-mail confirmation")
    AWAITING_MODERATION = "awaiting_moderation", _("Waiting for a moderator")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    SPAM = "spam", _("Spam")


# What erasing a signer (people registry) and retention (signons.retention) leave of a
# signature: it still counts, in its province and district, and says nothing of who.
ANONYMOUS: dict[str, object] = {
    "person": None,
    "name": "",
    "honorific": "",
    "city": "",
    "website": "",
    "contact_name": "",
    "fsa": "",
    "ip_hash": "",
    "listing": "hidden",
}

# Counted, and shown on the public list (as the signer chose).
COUNTED_STATES = frozenset({SignatureState.CONFIRMED})


class Office(models.TextChoices):
    MP = "mp", _("Member of Parliament")
    SENATOR = "senator", _("Senator")
    MPP = "mpp", _("MPP")
    MLA = "mla", _("MLA")
    COUNCILLOR = "councillor", _("City councillor")
    OTHER = "other", _("Other")


class Listing(models.TextChoices):
    FULL_NAME = "full", _("My full name")
    INITIALS_CITY = "initials_city", _("My initials and city")
    HIDDEN = "hidden", _("Do not list me (count me only)")


class Signature(models.Model):
    """A signature row is written on every submission of a spike, so it keeps few indexes:
    lookups by page use the unique (page, person) and (page, state, ...) indexes, not one of
    their own, and province and moderator are never searched alone."""

    # PROTECT: a signature is never deleted with its page (an editor's delete must not
    # erase a public record); pages with signatures are closed or unpublished instead.
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.PROTECT, related_name="signatures", db_index=False
    )
    # Null for signatures typed in by staff from before Harbour, and kept after erasure.
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signatures",
    )
    kind = models.CharField(_("signer"), max_length=20, choices=SignerKind.choices)
    state = models.CharField(
        _("state"),
        max_length=24,
        choices=SignatureState.choices,
        default=SignatureState.PENDING,
    )
    # What the public may see (subject to `listing` for individuals).
    name = models.CharField(_("name"), max_length=200)
    honorific = models.CharField(_("honorific"), max_length=40, blank=True)
    office = models.CharField(_("office"), max_length=20, choices=Office.choices, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("province or country"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    listing = models.CharField(
        _("listed as"), max_length=20, choices=Listing.choices, default=Listing.FULL_NAME
    )
    # Never public.
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    province = models.CharField(_("province"), max_length=2, blank=True)
    fsa = models.CharField(_("postal area (FSA)"), max_length=3, blank=True)
    # Federal district from the offline FSA table at signing time (approximate: an FSA can
    # span several districts); blank when unknown.
    district_code = models.CharField(_("federal district"), max_length=10, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    # Signed while its network was past the per-network limit: counted only once a
    # moderator approves it (a flood from one address never drowns genuine signers).
    held = models.BooleanField(_("held for review"), default=False)
    newsletter = models.BooleanField(_("wants the newsletter"), default=False)
    # "Let <the statement's groups> contact me": recorded as consents when confirmed.
    group_contact = models.BooleanField(_("agrees to the groups' contact"), default=False)
    created_at = models.DateTimeField(_("signed"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    # Set when the page's retention passed and the signer's details were removed
    # (signons.retention); the signature still counts.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    moderation_note = models.CharField(_("moderation note"), max_length=300, blank=True)
    # The coalition member group an organisation's signature stands for, set by a moderator
    # (never guessed from the name): the group's page lists the statements it signed.
    member_group = models.ForeignKey(
        "coalition.MemberGroupPage",
        verbose_name=_("member group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signature")
        constraints = [
            models.UniqueConstraint(
                fields=["page", "person"], name="one_signature_per_person_per_page"
            )
        ]
        indexes = [
            models.Index(fields=["page", "state", "kind", "confirmed_at"]),
            models.Index(fields=["state", "created_at"]),
            # "Confirmed today" on the dashboard. Partial: a new (unconfirmed) signature
            # does not touch it, so a spike of sign-ups pays nothing for it.
            models.Index(
                fields=["confirmed_at"],
                name="signature_confirmed_at",
                condition=models.Q(confirmed_at__isnull=False),
            ),
            # Possible duplicates in the moderation queue (selectors.possible_duplicates):
            # the same name on the same page. Partial too: only listed or waiting rows.
            models.Index(
                models.F("page"),
                Lower(Trim("name")),
                name="signature_name_on_page",
                condition=models.Q(state__in=["confirmed", "awaiting_moderation"]),
            ),
            # A member group's statements: a few rows among millions, so only those.
            models.Index(
                fields=["member_group"],
                name="signature_member_group",
                condition=models.Q(member_group__isnull=False),
            ),
        ]
        permissions = [
            ("moderate_signature", "Can moderate signatures"),
            ("export_signature", "Can export signatories"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} signature #{self.pk}"

    @property
    def public_name(self) -> str:
        """The name as the public list shows it ("" when the signer chose not to be listed)."""
        if self.kind == SignerKind.INDIVIDUAL:
            if self.listing == Listing.HIDDEN:
                return ""
            if self.listing == Listing.INITIALS_CITY:
                initials = " ".join(f"{part[0]}." for part in self.name.split() if part)
                return f"{initials}, {self.city}" if self.city else initials
            return self.name
        if self.kind == SignerKind.PARLIAMENTARIAN:
            return f"{self.honorific} {self.name}".strip()
        return self.name


class SignatureCountShard(models.Model):
    """A page's count of counted signatures, spread over a few rows so that simultaneous
    confirmations do not queue on one hot row (e-petitions' lesson). The total is their sum;
    `signature_counts_reconcile` rewrites them from an exact recount."""

    SHARDS = 8

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    shard = models.PositiveSmallIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page", "shard"], name="one_row_per_count_shard")
        ]

    def __str__(self) -> str:
        return f"page {self.page_id} shard {self.shard}: {self.count}"


class SignatureAreaCount(models.Model):
    """A page's counted signatures in one province or federal district, kept in the
    transaction that confirms (or un-counts) a signature and sharded as the total is, so the
    petition page reads a few hundred small rows instead of grouping millions of signatures.
    `signature_counts_reconcile` rewrites them from an exact recount."""

    PROVINCE, DISTRICT = "province", "district"
    KINDS = [(PROVINCE, _("province")), (DISTRICT, _("federal district"))]

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=KINDS)
    code = models.CharField(max_length=10)
    shard = models.PositiveSmallIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["page", "kind", "code", "shard"], name="one_row_per_area_shard"
            )
        ]

    def __str__(self) -> str:
        return f"page {self.page_id} {self.kind} {self.code} shard {self.shard}: {self.count}"
