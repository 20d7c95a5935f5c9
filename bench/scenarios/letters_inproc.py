"""What the in-Django parts of the letters scenario share (letters_django, letters_lookups,
letters_integrity): the input and answer files, the demo campaign set for the measurement,
the task queue's counts, a worker loop in this process, and letters created through the
service. Imported only in the Django process `run_in_django` starts."""

import json
import os
import random
import time
from pathlib import Path
from typing import Any

CAMPAIGN_SLUG = "sdir-reconvene"
# Postal codes (harbour.core.postal): an FSA's first letter, and the letters of the rest.
FIRST_LETTERS = "ABCEGHJKLMNPRSTVXY"
OTHER_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
LETTER_TASK = "harbour.letters.tasks.send_letter"
RETRY_TASK = "harbour.letters.tasks.send_delivery"  # retries only: none expected here
CONFIRMATION_TASK = "harbour.letters.tasks.send_letter_confirmation"
# What the campaign must say for the measurement to be the one described (set every time).
CAMPAIGN_SETTINGS = {
    "target_own_mp": True,
    "daily_digest": False,
    "daily_cap_per_target": 0,
    "delivery": "send",
    # Supporters send the campaign's own words, its placeholders filled per recipient.
    "allow_editing": False,
}


def bench_input() -> Any:
    return json.loads(Path(os.environ["BENCH_IN"]).read_text())


def bench_output(data: Any) -> None:
    Path(os.environ["BENCH_OUT"]).write_text(json.dumps(data))


# --- postal-code lookups ------------------------------------------------------------------


def postal_code(rng: random.Random, fsa: str) -> str:
    """ "L1S 2A3": the FSA, a space, digit letter digit."""
    return f"{fsa} {rng.randrange(10)}{rng.choice(OTHER_LETTERS)}{rng.randrange(10)}"


def campaign_for_run() -> tuple[Any, dict[str, Any]]:
    """The demo campaign, set to send each letter at once to the supporter's MP."""
    from harbour.letters.models import LetterCampaignPage

    campaign = LetterCampaignPage.objects.get(slug=CAMPAIGN_SLUG, locale__language_code="en")
    before = {field: getattr(campaign, field) for field in CAMPAIGN_SETTINGS}
    # An update of the row, not a page save: a save would add a revision and queue
    # Wagtail's indexing tasks into the queue the workers are about to drain.
    LetterCampaignPage.objects.filter(pk=campaign.pk).update(**CAMPAIGN_SETTINGS)
    campaign.refresh_from_db()
    if not campaign.is_open():
        raise RuntimeError(f"the campaign {CAMPAIGN_SLUG!r} is closed")
    return campaign, before


def queue_counts() -> dict[str, int]:
    """Tasks waiting or running, by status and task."""
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    rows = (
        DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
        .values_list("status", "task_path")
        .order_by()
        .annotate(n=Count("id"))
    )
    return {f"{status} {path}": n for status, path, n in rows}


def drain_in_process() -> float:
    """Run the queue empty in this process with django_tasks_db's own worker loop."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="bench-prepare",
        excluded_queue_names=[],
    )
    started = time.perf_counter()
    worker.run()
    return time.perf_counter() - started


def letters_create(campaign: Any, count: int, run_id: str, seed: int) -> tuple[list[int], float]:
    from harbour.letters.services import letter_create
    from harbour.representatives.models import ElectoralDistrict, Office, PostalArea, Representative

    rng = random.Random(seed)
    with_mp = sorted(
        set(
            Representative.objects.filter(office=Office.MP, active_to=None, district__isnull=False)
            .exclude(email="")
            .values_list("district_id", flat=True)
        )
    )
    fsas: dict[int, list[str]] = {}
    for fsa, district_id in PostalArea.objects.values_list("fsa", "district_id"):
        fsas.setdefault(district_id, []).append(fsa)
    # letter_create checks the postal code: only ridings with a postal area of their own.
    with_mp = [district_id for district_id in with_mp if district_id in fsas]
    if not with_mp:
        raise RuntimeError("no district with a postal area has an MP with an e-mail address")
    districts = ElectoralDistrict.objects.in_bulk(with_mp)
    ids = []
    started = time.perf_counter()
    for n in range(count):
        district = districts[rng.choice(with_mp)]
        choices = fsas[district.pk]
        outcome = letter_create(
            campaign=campaign,
            email=f"letters-{run_id}-{n}@example.invalid",
            given_name="Bench",
            family_name=f"Writer {n}",
            postal_code=postal_code(rng, rng.choice(choices)),
            city="Bench City",
            district_code=district.code,
            # The campaign's own words (allow_editing is off), filled per recipient.
            subject=campaign.subject_template,
            body=campaign.body_template,
            newsletter=n % 2 == 0,
            language="en",
        )
        if outcome.letter is None:
            raise RuntimeError(f"letter_create found a sent letter for supporter {n}")
        ids.append(outcome.letter.pk)
    return ids, time.perf_counter() - started
