"""The newsletter scenario's longer notes (newsletter_report.py makes the table)."""

import os
from typing import Any

from bench.scenarios.newsletter_common import WORKER_ENV


def _tasks(run: dict[str, Any], name: str) -> dict[str, Any]:
    """The run's tasks named `name`, all statuses together."""
    found = {"tasks": 0, "answered": 0, "claimed_more_than_once": 0, "run_s": 0.0, "status": []}
    for key, value in run["tasks"].items():
        task, status = key.split(" ")
        if task == name:
            found["tasks"] += value["tasks"]
            found["answered"] += value["answered"]
            found["claimed_more_than_once"] += value["claimed_more_than_once"]
            found["run_s"] = max(found["run_s"], value["run_s"])
            found["status"].append(f"{value['tasks']} {status}")
    return found


def other_note(found: dict[str, Any]) -> str:
    shares = {
        "the clean run": found["clean"]["other_cpu_share"],
        "the kill run": found["kills"]["other_cpu_share"],
        "the POST runs": found["other_cpu_posts"],
    }
    shares = {k: v for k, v in shares.items() if v is not None}
    text = ", ".join(f"{v:.0%} during {k}" for k, v in shares.items())
    noisy = max([found["busy"], *shares.values()]) > 0.10
    warning = " The machine was not idle: the numbers are low and noisy." if noisy else ""
    return (
        f"Other processes kept {found['busy']:.0%} of the CPU busy just before this scenario"
        + (f", and took {text}" if text else "")
        + " (all CPU time less this benchmark's own, its PostgreSQL's and Redis's: "
        f"`bench/cpu.py`).{warning}"
    )


def _rss(run: dict[str, Any]) -> str:
    return "; ".join(
        f"`{r['worker_id']}`{' (started again)' if r.get('restarted') else ''}"
        f"{' (killed)' if r['killed'] else ''} {r['start_mb']:.0f} → "
        f"{r['tenth_mb']:.0f} → {r['peak_mb']:.0f} → {r['end_mb']:.0f} MB"
        for r in run["rss"]
    )


def send_note(run: dict[str, Any]) -> str:
    start, batches = _tasks(run, "start_mailing"), _tasks(run, "send_mailing_batch")
    n = max(1, run["messages"])
    cpu = run["cpu_s"]
    worker, pg, sink = (1000 * cpu[key] / n for key in ("workers", "postgresql", "sink"))
    total = worker + pg + sink
    cores = len(os.sched_getaffinity(0))
    c = run["checks"]
    return (
        f"Clean run: the list's {run['subscribers']:,} subscribers (a person, a consent and a "
        "subscription each, written in bulk beforehand) on a list of the scenario's own; a "
        "mailing in English (a heading, three paragraphs with a link, a button) sent by a "
        "superuser with `mailing_send`. Its start task wrote the recipients' rows and queued "
        f"{batches['tasks']} batch tasks ({start['run_s']:.1f} s from its start to its end), "
        f"which the two workers shared ({', '.join(batches['status'])}; they answered "
        f"{batches['answered']:,} sent in all). Messages of {run['message_bytes']:,} bytes on "
        f"average. CPU per message: the workers {worker:.2f} ms, PostgreSQL {pg:.2f} ms, the "
        f"sink {sink:.2f} ms ({total:.2f} ms in all: the {cores} cores could carry "
        f"{1000 * cores / total if total else 0:,.0f}/s if nothing waited; the workers alone "
        f"at most {1000 * cores / worker if worker else 0:,.0f}/s). Workers' RSS, sampled "
        f"every 0.5 s (before the send → at 10% of the messages → peak → end): {_rss(run)}. "
        f"Exactly once, against the sink's records: {c['rows']:,} rows "
        f"({', '.join(f'{v:,} {k}' for k, v in c['states'].items())}), "
        f"{c['rows_received_once']:,} messages received exactly once by the row's own address, "
        f"{c['duplicates']} duplicates, {c['missing']} missing, {c['unknown_message_ids']} "
        "with a Message-ID naming no row."
    )


def dip(run: dict[str, Any]) -> float:
    return sum(kill.get("dip_s", 0.0) for kill in run["kills"])


def kills_note(clean: dict[str, Any], run: dict[str, Any]) -> str:
    batches = _tasks(run, "send_mailing_batch")
    beat = float(WORKER_ENV["HARBOUR_TASK_HEARTBEAT_SECONDS"])
    parts = []
    for number, kill in enumerate(run["kills"], 1):
        recovered = kill.get("recovered_after_s")
        again = f"claimed again {recovered:.1f} s later" if recovered is not None else "never"
        parts.append(
            f"kill {number} at {kill['arrived']:,} messages ({kill['after_s']:.1f} s after "
            f"the commit), worker {kill['slot']} holding batch task "
            f"`{(kill['task_id'] or 'none')[:8]}`, {again}; its slot out of work for "
            f"{kill.get('absent_s', 0):.1f} s, in which {kill.get('arrived_while_absent', 0):,} "
            f"messages arrived ({kill.get('dip_s', 0):.1f} s short of the run's mean rate)"
        )
    restarted = [w for w in run["workers"] if not w["worker_id"].endswith("-0")]
    ready = [w["ready_at"] - w["started_at"] for w in restarted if w.get("ready_at")]
    c = run["checks"]
    lost = run["clock_s"] - clean["clock_s"]
    twice = "; ".join(
        f"`{d['message_id']}` (row {d.get('state', '?')}, claimed by "
        f"`{str(d.get('claimed_by', ''))[:8]}`, copies over connections "
        f"{', '.join(str(copy['connection']) for copy in d['copies'])})"
        for d in c["duplicated"]
    )
    return (
        f"Kill run: another mailing to the same list, sent as the first; {'; '.join(parts)}. "
        f"Each killed worker was started again after 1 s (ready in "
        f"{', '.join(f'{s:.1f} s' for s in ready) or '?'}); its batch goes back to the "
        f"queue once its heartbeat is {3 * beat:.0f} s stale, found by the other worker's "
        f"task recovery (every {3 * beat:.0f} s), after the retry back-off (1–2 s). "
        f"{run['messages']:,} messages in {run['clock_s']:.1f} s from the commit against "
        f"{clean['clock_s']:.1f} s clean ({lost:+.1f} s; {run['per_s']:,.0f}/s first to "
        f"last against {clean['per_s']:,.0f}/s); the dips after the kills come to "
        f"{dip(run):.1f} s: the time the kills cost, read from the run itself (the difference "
        "between the two runs also holds the variation of a shared machine). Batch tasks: "
        f"{', '.join(batches['status'])}, {batches['claimed_more_than_once']} claimed more "
        f"than once. Rows: {', '.join(f'{v:,} {k}' for k, v in c['states'].items())}; "
        f"duplicates {c['duplicates']}; missing {c['missing']}; `uncertain` "
        f"{c['uncertain']}, of which {c['uncertain_received']} had reached the sink (sent, "
        f"and never sent again) and {c['uncertain_not_received']} had not. Workers' RSS: "
        f"{_rss(run)}." + (f" Received more than once: {twice}." if twice else "")
    )


def _parts(shares: dict[str, float], labels: dict[str, str]) -> str:
    return ", ".join(f"{labels[k]} {shares[k]:.0%}" for k in labels if shares.get(k, 0) >= 0.005)


def batch_profile_note(p: dict[str, Any]) -> str:
    shares = dict(p["shares"])
    smtp = shares.get("smtp_send", 0) - shares.get("mime_build", 0) - shares.get("mime_bytes", 0)
    shares["smtp_exchange"] = max(0.0, smtp)
    shares["window"] = shares.get("send_bytes", 0) + shares.get("send", 0)
    labels = {
        "personal": "the recipient's values (`personal`: links, tokens)",
        "bytes": "their message's bytes (`recipient_bytes`, before the claim)",
        "send_bytes": "sending those bytes over the kept session (`mail_send_bytes`, after "
        "the claim)",
        "send": "sending through Django's e-mail (`mail_send`, after the claim)",
        "mime_build": "Django building the MIME message (`EmailMessage.message`)",
        "mime_bytes": "and serialising it (`as_bytes`: header encoding and folding)",
        "smtp_exchange": "Django's SMTP exchange (with address sanitising)",
        "claim": "claiming each row and recording the one before sent (`recipient_claim`, "
        "one UPDATE)",
        "claims": "moving rows (`recipient_move`: one UPDATE each)",
        "commit": "commits in `transaction.atomic`",
        "render": "the personal message (`recipient_message`: links, tokens, headers)",
        "sql": "SQL, building and waiting",
    }
    return (
        f"Where a message's time goes, in one process without queue or other worker "
        f"(`mailing_batch_send` over {p['count']} rows of a list of "
        f"{p['recipients']:,}, into the sink): {p['ms_each']:.2f} ms each "
        f"({p['cpu_ms_each']:.2f} ms of CPU), {p['sql_each']:.1f} SQL statements taking "
        f"{p['sql_ms_each']:.2f} ms; under cProfile (the other {p['count']} rows): "
        f"{_parts(shares, labels)} (parts overlap). Sending after the claim "
        f"({shares['window']:.0%}) is the window in which a killed worker leaves a row "
        "`uncertain` whose message never left. The start "
        f"task wrote the rows at {p['start_ms_per_row']:.3f} ms each. The whole profile is "
        "in the JSON file."
    )


def signup_profile_note(p: dict[str, Any]) -> str:
    labels = {
        "routing": "Wagtail's routing to the page (`route_for_request`)",
        "view": "the view (`newsletter.views.signup`)",
        "create": "of which `signup_create` (the transaction)",
        "person": "`person_get_or_create`",
        "limits": "the rate limits",
        "form": "the form's validation",
        "sql": "SQL, building and waiting",
    }
    return (
        f"Where a sign-up's time goes, in one process, one at a time (Django's test client, "
        f"same settings and Redis, {p['count']} sign-ups, no load): {p['ms_each']:.1f} ms "
        f"each ({p['cpu_ms_each']:.1f} ms of CPU), {p['sql_each']:.0f} SQL statements taking "
        f"{p['sql_ms_each']:.1f} ms; under cProfile (as many again): "
        f"{_parts(p['shares'], labels)} (parts overlap). The whole profile is in the JSON file."
    )
