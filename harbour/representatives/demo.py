"""`make run` loads the project's own copy of Canada's districts, MPs, ministers and FSA
table (representatives/data), or HARBOUR_REPRESENTATIVES_DIR when set."""

from typing import TextIO

from .models import ElectoralDistrict
from .services import data_dir, representatives_load


def load(*, stdout: TextIO) -> None:
    if ElectoralDistrict.objects.exists():
        return
    directory = data_dir()
    report = representatives_load(directory=directory)
    stdout.write(
        f"Loaded {report.districts} districts and {report.postal_areas} postal areas "
        f"from {directory}."
    )
