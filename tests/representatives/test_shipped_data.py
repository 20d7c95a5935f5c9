"""Canada's data ships with the project (harbour/representatives/data, written by
`representatives_export`): a clean checkout finds the MP of a real postal code without any
folder beside it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from harbour.representatives.export import DATA_DIR
from harbour.representatives.lookup import district_lookup
from harbour.representatives.models import ElectoralDistrict, PostalArea, Role
from harbour.representatives.selectors import sitting_mps
from harbour.representatives.services import data_dir
from tests.letters.factories import make_campaign

FIXTURE = Path(__file__).parents[2] / "harbour" / "representatives" / "fixtures" / "canada"
# Parliament Hill, downtown Vancouver, Toronto's waterfront, Montréal's Plateau, Calgary's core.
EXPECTED = {
    "K1A 0A6": "Ottawa Centre",
    "V6B 1A1": "Vancouver Centre",
    "M5V 3L9": "Spadina—Harbourfront",
    "H2X 1Y4": "Laurier—Sainte-Marie",
    "T2P 1J9": "Calgary Centre",
}


@pytest.fixture
def shipped(db):
    call_command("load_representatives", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_data_is_read_from_inside_the_project():
    assert settings.HARBOUR_REPRESENTATIVES_DIR == ""
    assert data_dir() == DATA_DIR
    assert DATA_DIR.is_relative_to(Path(settings.BASE_DIR))
    readme = (DATA_DIR / "README.md").read_text()
    for fact in (
        "Open Government Licence – Canada",
        "House of Commons",
        "Known defects",
        "Mary Simon",
    ):
        assert fact in readme


def test_all_districts_mps_ministers_and_postal_areas_load(shipped):
    assert ElectoralDistrict.objects.count() == 343
    assert sitting_mps().count() == 343
    # 51 portfolios, one of them the Governor General's, who sits in no House seat.
    assert Role.objects.count() == 50
    assert PostalArea.objects.count() == 1358
    assert ElectoralDistrict.objects.get(code="24037").name_fr == "Laurier—Sainte-Marie"


@pytest.mark.parametrize(("postal_code", "district"), EXPECTED.items())
def test_real_postal_codes_find_their_district_and_mp(shipped, postal_code, district):
    found = district_lookup(postal_code).district
    assert found is not None and found.name_en == district
    [mp] = sitting_mps().filter(district=found)
    assert mp.email.endswith("@parl.gc.ca")


def test_the_letter_form_shows_the_mp_of_a_parliament_hill_postal_code(client, home, shipped):
    campaign = make_campaign(home)
    page = client.post(campaign.url + "write/", {"postal_code": "K1A 0A6"}).content.decode()
    mp = sitting_mps().get(district__name_en="Ottawa Centre")
    assert "Ottawa Centre" in page
    assert f"{mp.first_name} {mp.last_name}" in page


def test_the_export_command_writes_checked_sorted_files_and_a_readme(tmp_path):
    call_command("representatives_export", "--source", str(FIXTURE), "--to", str(tmp_path))
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted([p.name for p in FIXTURE.glob("*.csv")] + ["README.md"])
    districts = (tmp_path / "federal_electoral_districts_2023.csv").read_text().splitlines()
    assert districts[0] == "code,name_en,name_fr,province"
    assert districts[1:] == sorted(districts[1:])
    readme = (tmp_path / "README.md").read_text()
    assert f"| `federal_electoral_districts_2023.csv` | {len(districts) - 1} |" in readme


def test_a_wrong_row_stops_the_export_before_anything_is_written(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for path in FIXTURE.glob("*.csv"):
        (source / path.name).write_text(path.read_text())
    fsas = source / "fsa_to_district_approximate.csv"
    fsas.write_text(fsas.read_text() + "ZZZ,35001\n")
    target = tmp_path / "out"
    with pytest.raises(CommandError, match=r"Nothing written: .*row \d+: 'ZZZ'"):
        call_command("representatives_export", "--source", str(source), "--to", str(target))
    assert not target.exists()


def test_not_your_riding_finds_every_riding_of_a_city(shipped):
    from harbour.representatives.lookup import district_search

    assert [d.name_en for d in district_search("Ottawa")] == [
        "Ottawa Centre",
        "Ottawa South",
        "Ottawa West—Nepean",
        "Ottawa—Vanier—Gloucester",
    ]
    assert [d.name_en for d in district_search("trois rivieres")] == ["Trois-Rivières"]
    montreal = [d.name_en for d in district_search("Montréal")]
    assert "Laurier—Sainte-Marie" in montreal and "Outremont" in montreal
    assert montreal == [d.name_en for d in district_search("montreal")]
    assert "Spadina—Harbourfront" in [d.name_en for d in district_search("toronto")]


def test_the_write_page_says_when_no_riding_matches(client, home, shipped):
    campaign = make_campaign(home, body_template="{greeting}\n\nPlease act.")
    data = {"postal_code": "K1A 0A6", "district_query": "Atlantis"}
    page = client.post(campaign.url + "write/", data).content.decode()
    assert "No riding matches “Atlantis”." in page
    data["district_query"] = "ottawa"
    page = client.post(campaign.url + "write/", data).content.decode()
    assert "No riding matches" not in page
    assert 'value="35080"' in page and "Ottawa South" in page
