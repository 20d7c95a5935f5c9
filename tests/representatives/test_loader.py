"""Loading districts, MPs and postal areas from the project's fixture (real records)."""

from pathlib import Path

import pytest
from django.core.management import call_command

from harbour.representatives.models import ElectoralDistrict, PostalArea, Representative
from harbour.representatives.services import district_for_postal_code

FIXTURE = Path(__file__).parents[2] / "harbour" / "representatives" / "fixtures" / "canada"

pytestmark = pytest.mark.django_db


def test_load_is_idempotent_and_links_mps_to_districts(capsys):
    call_command("load_representatives", "--dir", str(FIXTURE))
    call_command("load_representatives", "--dir", str(FIXTURE))
    assert ElectoralDistrict.objects.count() == 6
    assert Representative.objects.count() == 6
    ajax = Representative.objects.get(district__code="35001")
    assert (ajax.first_name, ajax.last_name, ajax.party) == ("Jennifer", "McKelvie", "Liberal")
    assert ajax.province == "ON"
    assert "6 districts, 0 representatives created" in capsys.readouterr().out


def test_a_hand_correction_survives_a_reload_unless_forced():
    call_command("load_representatives", "--dir", str(FIXTURE))
    mp = Representative.objects.get(district__code="35001")
    mp.party = "Independent"
    mp.edited_fields = ["party"]
    mp.save()
    call_command("load_representatives", "--dir", str(FIXTURE))
    assert Representative.objects.get(pk=mp.pk).party == "Independent"
    call_command("load_representatives", "--dir", str(FIXTURE), "--force")
    assert Representative.objects.get(pk=mp.pk).party == "Liberal"


def test_postal_code_finds_its_district_by_fsa():
    call_command("load_representatives", "--dir", str(FIXTURE))
    assert PostalArea.objects.filter(fsa="L1S").exists()
    assert district_for_postal_code("L1S 2A3").name_en == "Ajax"
    assert district_for_postal_code("X0A 0H0") is None
