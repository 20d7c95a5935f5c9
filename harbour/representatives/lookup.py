"""Postal code → federal district, behind a small backend interface.

The offline backend uses the approximate FSA table (one district per FSA, although many
FSAs span several), so the page always shows what it found and lets the supporter pick
another district. With HARBOUR_REPRESENT_URL set, the Represent API (Open North), which
geocodes full postal codes, is asked first, with a timeout and a fallback to offline."""

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

from harbour.core.postal import postal_code_normalise

from .models import ElectoralDistrict
from .services import district_code_for_postal_code

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lookup:
    district: ElectoralDistrict | None
    approximate: bool
    source: str


class LookupBackend(Protocol):
    def lookup(self, postal_code: str) -> Lookup: ...


class OfflineFSABackend:
    """The in-process FSA table (see services.district_code_for_postal_code) and one cached
    district row per code: a lookup costs no query once warm."""

    _districts: dict[str, ElectoralDistrict] = {}

    def lookup(self, postal_code: str) -> Lookup:
        code = district_code_for_postal_code(postal_code)
        district = self._districts.get(code) if code else None
        if code and district is None:
            district = ElectoralDistrict.objects.filter(code=code).first()
            if district is not None:
                self._districts[code] = district
        return Lookup(district=district, approximate=True, source="fsa")


class RepresentBackend:
    """GET {url}/postcodes/{CODE}/ and take the federal electoral district's code."""

    FEDERAL = "federal electoral district"

    def __init__(self, url: str, timeout: float, fallback: LookupBackend) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.fallback = fallback

    def lookup(self, postal_code: str) -> Lookup:
        code = postal_code.replace(" ", "")
        try:
            with urllib.request.urlopen(  # noqa: S310 (URL from settings, https in production)
                f"{self.url}/postcodes/{code}/", timeout=self.timeout
            ) as response:
                data = json.load(response)
        except (urllib.error.URLError, TimeoutError, ValueError, OSError) as error:
            # No postal code in the log line: the error class says enough.
            logger.warning(
                "Represent lookup failed (%s); using the FSA table", type(error).__name__
            )
            return self.fallback.lookup(postal_code)
        boundaries = data.get("boundaries_centroid", []) + data.get("boundaries_concordance", [])
        for boundary in boundaries:
            if self.FEDERAL in boundary.get("boundary_set_name", "").lower():
                district = ElectoralDistrict.objects.filter(
                    code=str(boundary.get("external_id", ""))
                ).first()
                if district is not None:
                    return Lookup(district=district, approximate=False, source="represent")
        return self.fallback.lookup(postal_code)


def backend() -> LookupBackend:
    offline = OfflineFSABackend()
    if settings.HARBOUR_REPRESENT_URL:
        return RepresentBackend(
            settings.HARBOUR_REPRESENT_URL, settings.HARBOUR_REPRESENT_TIMEOUT, offline
        )
    return offline


def district_lookup(postal_code: str) -> Lookup:
    """Normalise (ValidationError on a malformed code) and look up."""
    return backend().lookup(postal_code_normalise(postal_code))


def district_search(query: str, *, limit: int = 20) -> list[ElectoralDistrict]:
    """ "Not your riding?": districts whose English or French name contains the words
    (district names carry their cities)."""
    districts = ElectoralDistrict.objects.all()
    words = query.split()[:5]
    if not words:
        return []
    for word in words:
        districts = districts.filter(name_en__icontains=word) | districts.filter(
            name_fr__icontains=word
        )
    return list(districts.order_by("name_en")[:limit])
