"""One supporter record per e-mail address, and what each supporter agreed to."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The newsletter box's wording, which each newsletter consent record keeps.
from harbour.core.forms import NEWSLETTER_WORDING as NEWSLETTER_WORDING


class Person(models.Model):
    """A supporter. Every action (signature, letter, registration...) points here, so one
    export or one erasure covers everything a person did."""

    email = models.EmailField(_("e-mail"), max_length=254, unique=True, null=True, blank=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    province = models.CharField(_("province or territory"), max_length=2, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # The staff list, newest first, over millions of supporters.
        indexes = [models.Index(fields=["created_at"], name="person_created_at")]
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        permissions = [
            ("export_person", "Can export a supporter's data"),
            ("erase_person", "Can erase a supporter"),
        ]

    def __str__(self) -> str:
        if self.erased_at:
            return f"Erased supporter #{self.pk}"
        name = f"{self.given_name} {self.family_name}".strip()
        return name or f"Supporter #{self.pk}"


class ConsentTopic(models.TextChoices):
    NEWSLETTER = "newsletter", _("Newsletter and campaign updates")
    PUBLIC_LISTING = "public_listing", _("Being listed publicly as a signer")
    GROUP_CONTACT = "group_contact", _("Contact by a member group")


class Consent(models.Model):
    """What a person agreed (or declined), in the words they were shown, when and where.

    Canada's anti-spam law (CASL) asks for this record; withdrawing sets `withdrawn_at`.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    topic = models.CharField(_("topic"), max_length=30, choices=ConsentTopic.choices)
    granted = models.BooleanField(_("agreed"))
    wording = models.TextField(_("wording shown"))
    # The language the wording was shown in ("" where the form's own words are not known,
    # as for a list imported with its consent's description).
    language = models.CharField(_("language shown"), max_length=10, blank=True)
    source = models.CharField(_("form"), max_length=200)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("consent")

    def __str__(self) -> str:
        return f"{self.topic}: {'yes' if self.granted else 'no'}"
