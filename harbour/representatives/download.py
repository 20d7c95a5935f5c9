"""`load_representatives --download`: the official lists, fetched and loaded.

The House of Commons publishes its sitting members as a CSV export (HARBOUR_MPS_CSV_URL)
and Elections Canada its federal electoral districts (HARBOUR_DISTRICTS_CSV_URL); both
formats are read by `loaders`. Each file is fetched with a timeout and a size limit,
decoded (UTF-8, else Windows-1252, which Elections Canada's files use), and written into a
temporary folder under the names `representatives_load` knows, so the load itself is the
usual one: in one transaction, keeping editors' corrections."""

import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

from .loaders import LoadReport, Progress

TIMEOUT_SECONDS = 30
MAX_BYTES = 5_000_000


class DownloadFailed(Exception):
    """A source could not be fetched or read; the message says which and why."""


def _fetch(url: str, what: str) -> str:
    request = urllib.request.Request(url, headers={"User-Agent": "Harbour"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            data = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise DownloadFailed(f"{what} could not be fetched from {url}: {error}") from None
    if len(data) > MAX_BYTES:
        raise DownloadFailed(f"{what} at {url} is larger than {MAX_BYTES:,} bytes.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "," not in text.partition("\n")[0]:
        raise DownloadFailed(f"{what} at {url} is not a CSV file.")
    return text


def representatives_download(
    *, force: bool = False, progress: Progress | None = None
) -> LoadReport:
    """Fetch both official lists, then load them (districts first). Nothing is loaded
    unless both were fetched."""
    from .services import representatives_load

    districts = _fetch(settings.HARBOUR_DISTRICTS_CSV_URL, "The list of districts")
    members = _fetch(settings.HARBOUR_MPS_CSV_URL, "The list of members")
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        (directory / "electoral_districts.csv").write_text(districts, encoding="utf-8")
        (directory / "members_of_parliament.csv").write_text(members, encoding="utf-8")
        return representatives_load(directory=directory, force=force, progress=progress)
