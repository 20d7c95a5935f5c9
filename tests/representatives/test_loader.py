"""Loading districts, MPs and postal areas from the project's fixture (real records)."""

from pathlib import Path

import pytest
from django.core.management import call_command

from harbour.representatives.models import ElectoralDistrict, PostalArea, Representative
from harbour.representatives.services import district_code_for_postal_code

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
    assert district_code_for_postal_code("L1S 2A3") == "35001"  # Ajax
    assert district_code_for_postal_code("X0A 0H0") == ""


def test_ministers_become_cabinet_roles_of_their_mps():
    from harbour.representatives.models import Role

    call_command("load_representatives", "--dir", str(FIXTURE))
    role = Role.objects.get(code="MFA")
    assert role.title_en == "Minister of Foreign Affairs"
    assert role.representative.last_name == "Anand"


def test_house_of_commons_export_refreshes_mps_after_a_by_election(tmp_path):
    call_command("load_representatives", "--dir", str(FIXTURE))
    export = tmp_path / "export.csv"
    export.write_text(
        "Honorific Title,First Name,Last Name,Constituency,Province / Territory,"
        "Political Affiliation,Start Date,End Date\n"
        ",Jennifer,McKelvie,Ajax,Ontario,Liberal,2025-04-28 12:00:00 AM,2026-01-01\n"
        "Hon.,Pat,Newmember,Ajax,Ontario,Conservative,2026-03-02 12:00:00 AM,\n"
        ",Some,One,Atlantis,Ontario,Green,2025-04-28 12:00:00 AM,\n",
        encoding="utf-8",
    )
    call_command("load_representatives", "--mps", str(export))
    current = Representative.objects.get(district__code="35001", active_to=None)
    assert (current.honorific, current.last_name, current.party) == (
        "Hon.",
        "Newmember",
        "Conservative",
    )
    old = Representative.objects.get(district__code="35001", last_name="McKelvie")
    assert old.active_to is not None


def test_missing_file_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="does not exist"):
        call_command("load_representatives", "--mps", "/nonexistent.csv")


def test_elections_canada_district_list_is_read(tmp_path):
    listing = tmp_path / "districts.csv"
    listing.write_text(
        "FED_NUM,ED_NAMEE,ED_NAMEF\n35001,Ajax,Ajax\n24001,Abitibi—Baie-James—Nunavik—Eeyou,"
        "Abitibi—Baie-James—Nunavik—Eeyou\n",
        encoding="utf-8",
    )
    call_command("load_representatives", "--districts", str(listing))
    assert ElectoralDistrict.objects.get(code="35001").province == "ON"
    assert ElectoralDistrict.objects.get(code="24001").province == "QC"
