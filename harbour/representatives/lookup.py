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

from .loaders import name_key
from .models import ElectoralDistrict, PostalArea
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


# Cities whose ridings mostly do not carry the city's name, by the forward sortation
# areas Canada Post gives them (every M FSA is in Toronto; H1-H4, H8 and H9 are on the
# island of Montréal; H7 is Laval).
CITY_FSA_PREFIXES = {
    "toronto": ("M",),
    "montreal": ("H1", "H2", "H3", "H4", "H8", "H9"),
    "laval": ("H7",),
}


def _city_districts(words: list[str]) -> set[int]:
    prefixes = CITY_FSA_PREFIXES.get(" ".join(words), ())
    if not prefixes:
        return set()
    areas = PostalArea.objects.values_list("fsa", "district_id")
    return {district_id for fsa, district_id in areas if fsa.startswith(prefixes)}


def district_search(query: str, *, limit: int = 30) -> list[ElectoralDistrict]:
    """ "Not your riding?": districts whose English or French name holds every word typed,
    ignoring case, accents, dashes and apostrophes ("Ottawa" finds the four Ottawa
    ridings, "trois rivieres" finds Trois-Rivières), and for Toronto, Montréal and Laval
    every riding of the city (CITY_FSA_PREFIXES). The 343 names are compared in memory."""
    words = name_key(query).split()[:5]
    if not words:
        return []
    in_city = _city_districts(words)
    found = []
    for district in ElectoralDistrict.objects.order_by("name_en"):
        names = f" {name_key(district.name_en)} {name_key(district.name_fr)} "
        if district.pk in in_city or all(f" {word}" in names for word in words):
            found.append(district)
            if len(found) == limit:
                break
    return found
