"""Judge the figures against the goals and write them as Markdown."""

from __future__ import annotations

from .weight import GOALS as WEIGHT_GOALS

LOOKUP = "lookup_api"
FORM_POST = "lookup_form_post"
# Public pages for anonymous visitors, and pages with a client's data (issue 18's goals).
PUBLIC_PAGES = ("home", "lookup_form_page", "checklists", "checklist", "hygiene_rules", "notices", "notice",
                "interpreters", "glossary", "emergency_form", "call_display")
CLIENT_PAGES = ("result_page", "ticket_page")
# Tolerances for "flat" and "linear": the machine's own noise between two runs is about this large.
FLAT = 1.25


def _goal(text: str, value, met: bool) -> dict:
    return {"goal": text, "value": value, "met": bool(met)}


def goals(results: dict) -> list[dict]:
    """Return each goal of the issue with the measured value and whether it is met."""
    found = []
    for backend, figures in (results.get("throughput") or {}).items():
        if not isinstance(figures, dict) or LOOKUP not in figures.get("portal", {}):
            continue
        lookup = figures["portal"][LOOKUP]
        found.append(_goal(f"{backend}: status lookup at least half the bare app's throughput",
                           lookup["throughput_ratio"], lookup["throughput_ratio"] >= 0.5))
        found.append(_goal(f"{backend}: status lookup p99 under 30 ms at 32 connections", lookup["p99_ms"],
                           lookup["p99_ms"] < 30))
        portal = figures["portal"]
        if FORM_POST in portal:
            found.append(_goal(f"{backend}: lookup form post at least 0.3 of the bare app's throughput",
                               portal[FORM_POST]["throughput_ratio"], portal[FORM_POST]["throughput_ratio"] >= 0.3))
        for page in PUBLIC_PAGES:
            if page in portal:
                found.append(_goal(f"{backend}: {page} at least 0.3 of the bare app's throughput, p99 under 60 ms",
                                   f"{portal[page]['throughput_ratio']}, {portal[page]['p99_ms']} ms",
                                   portal[page]["throughput_ratio"] >= 0.3 and portal[page]["p99_ms"] < 60))
        for page in CLIENT_PAGES:
            if page in portal:
                found.append(_goal(f"{backend}: {page} at least 0.15 of the bare app's throughput",
                                   portal[page]["throughput_ratio"], portal[page]["throughput_ratio"] >= 0.15))
        if "growth" in figures:
            large = figures["growth"]["large"][LOOKUP]
            # Each p50 relative to the bare app's just before it, so that a busier machine does not count.
            ratio = round(large["p50_ratio"] / lookup["p50_ratio"], 2)
            found.append(_goal(f"{backend}: lookup p50 at {figures['growth']['appointments']['large']:,} "
                               f"vs {figures['growth']['appointments']['small']:,} appointments, each relative "
                               f"to the bare app (flat)",
                               ratio, ratio <= FLAT))
    live = results.get("live") or {}
    for name, figures in live.get("milliseconds_per_request", {}).items():
        if name.startswith("unchanged_poll_early"):
            found.append(_goal(f"live: {name} at most 0.3 ms of CPU in the app", figures["cpu_ms"],
                               figures["cpu_ms"] <= 0.3))
    for name, figures in live.get("throughput", {}).items():
        if name.startswith("unchanged_poll_early"):
            found.append(_goal(f"live: {name} at least half the bare app's throughput", figures["throughput_ratio"],
                               figures["throughput_ratio"] >= 0.5))
    costs = (results.get("costs") or {}).get("milliseconds_per_request", {})
    if "home" in costs:
        found.append(_goal("home page CPU per request in the app at most 1.5 ms", costs["home"], costs["home"] <= 1.5))
    startup = results.get("startup") or {}
    if "gunicorn_preload" in startup:
        preload = startup["gunicorn_preload"]
        largest = max(worker["pss"] for worker in preload["workers"])
        found.append(_goal("memory per worker with all plugins at most 80 MiB (PSS)", largest, largest <= 80))
        found.append(_goal("first answer at most 1 s after the start", preload["seconds_to_first_answer"],
                           preload["seconds_to_first_answer"] <= 1))
    for backend, figures in (results.get("import") or {}).items():
        found.append(_goal(f"{backend}: import time per row, large vs small file (linear)",
                           figures["time_per_row_ratio"], figures["time_per_row_ratio"] <= FLAT))
        found.append(_goal(f"{backend}: import peak memory, 10× the rows (flat)", figures["memory_ratio"],
                           figures["memory_ratio"] <= 1.5))
    for page, figures in (results.get("weight") or {}).items():
        if page == "goals" or page.endswith("_before"):
            continue
        found.append(_goal(f"{page}: first visit under {WEIGHT_GOALS['first_visit_kib']} KB",
                           figures["first_visit_kib"], figures["first_visit_kib"] < WEIGHT_GOALS["first_visit_kib"]))
        found.append(_goal(f"{page}: repeat visit under {WEIGHT_GOALS['repeat_visit_kib']} KB",
                           figures["repeat_visit_kib"], figures["repeat_visit_kib"] < WEIGHT_GOALS["repeat_visit_kib"]))
    for page, figures in (results.get("lighthouse") or {}).items():
        if isinstance(figures, dict) and "scores" in figures:
            found.append(_goal(f"{page}: Lighthouse 100 in all four categories", figures["scores"],
                               all(score == 100 for score in figures["scores"].values())))
    arrival = results.get("arrival") or {}
    if "check_ins" in arrival:
        found.append(_goal("arrival: door check-ins per second, 100× the seed's 500 clients of the first hours "
                           f"({arrival['needed_per_second']}/s)", arrival["check_ins"]["requests_per_second"],
                           arrival["factor_over_hundredfold"] >= 1))
    room = results.get("waiting_room") or {}
    if room.get("calls_of_followed_tickets"):
        follower, displays = room["follower_saw_call_within_5s_share"], room["displays_saw_call_within_5s_share"]
        found.append(_goal("waiting room: the called ticket's follower sees the call within 5 s in 99 % of calls",
                           follower, follower >= 0.99))
        found.append(_goal("waiting room: the call displays see each call within 5 s in 99 % of cases",
                           displays, displays >= 0.99))
        for page in ("lookup", "desk"):
            found.append(_goal(f"waiting room: {page} page p99 under 100 ms meanwhile", room[f"{page}_ms"]["p99"],
                               room[f"{page}_ms"]["p99"] < 100))
    return found


def _arrival_section(a: dict) -> list[str]:
    c = a["check_ins"]
    out = ["", "## Arrival passes (SQLite, all plugins)", "",
           f"Verifying and reading one pass: {a['server_verify']['microseconds_per_pass']} µs on the server "
           f"(passes.read), {a['browser_verify']['microseconds_per_pass']} µs in Chromium "
           f"{a['browser_verify']['browser']} (WebCrypto Ed25519, key imported per pass as the door does); "
           f"medians of {a['server_verify']['rounds']} rounds.", "",
           f"Check-ins through the door's JSON address (gunicorn, two sync workers, wrk {c['connections']} "
           f"connections, {c['seconds']} s, {c['distinct_passes']:,} distinct passes): "
           f"{c['requests_per_second']:,.0f}/s, p50 {c['p50_ms']:.1f} ms, p99 {c['p99_ms']:.1f} ms, answers "
           f"{c['statuses']}, {c['stored_check_ins']:,} check-ins stored; "
           f"{a['factor_over_hundredfold']}× the {a['needed_per_second']}/s that a hundred times "
           f"the seed's 500 clients of the first hours need.", "",
           "| QR content | characters | QR version (M) | modules with quiet zone |", "| --- | ---: | ---: | ---: |"]
    out += [f"| {name} | {q['characters']} | {q['version']} | {q['modules_with_quiet_zone']} |"
            for name, q in a["qr"].items()]
    return out


def _waiting_room_section(w: dict) -> list[str]:
    costs = w["in_app"]
    return ["", f"## Waiting room (SQLite, all plugins, gunicorn with {w['gunicorn_workers']} sync workers)", "",
            f"{w['phones']:,} phones follow their location's board and {w['displays']} call displays theirs, "
            f"every {w['poll_seconds']['phones']:g} and {w['poll_seconds']['displays']:g} s with If-None-Match; "
            f"{w['desks']} desks each call a client every "
            f"{w['call_every_seconds_per_desk']:g} s; {w['seconds']} s, live versions in the {w['live_versions']}; "
            f"load average {w['load_average']['before']} before, {w['load_average']['after']} after.",
            "", f"{w['calls']} calls: the ticket's follower saw the call within 5 s in "
            f"{w['follower_saw_call_within_5s_share']:.1%}, the displays in "
            f"{w['displays_saw_call_within_5s_share']:.1%}. "
            f"Meanwhile the lookup page took p50 {w['lookup_ms']['p50']} ms, p99 {w['lookup_ms']['p99']} ms; "
            f"the desk page p50 {w['desk_ms']['p50']} ms, p99 {w['desk_ms']['p99']} ms.", "",
            f"Server CPU: {w['server_cpu_seconds']} s for {w['requests_answered']:,} answers "
            f"({w['unchanged_304']:,} of them 304), {w['server_cpu_ms_per_request']} ms per answer; the benchmark's "
            f"own client {w['client_cpu_seconds']} s. Inside the app, ms of CPU: the board unchanged "
            f"{costs['board_unchanged']['cpu_ms']}, changed (kept answer) "
            f"{costs['board_changed_kept_answer']['cpu_ms']}, "
            f"first load (kept body) {costs['board_first_load_kept_body']['cpu_ms']}; a ticket's live part unchanged "
            f"{costs['ticket_live_part_unchanged']['cpu_ms']}. Answers: {w['statuses']}."]


def _throughput_table(block: dict) -> list[str]:
    lines = ["| target | requests/s | bare app just before | ratio to bare | p50 ms | p99 ms | p99 ratio | answers |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name, f in block.items():
        answers = ", ".join(f"{code}: {count}" for code, count in f["statuses"].items())
        errors = sum(f["socket_errors"].values())
        if errors:
            answers += f"; {errors} socket errors"
        lines.append(f"| {name} | {f['requests_per_second']:,.0f} | {f['bare_requests_per_second']:,.0f} | "
                     f"{f['throughput_ratio']:.2f} | {f['p50_ms']:.1f} | {f['p99_ms']:.1f} | {f['p99_ratio']:.1f} | "
                     f"{answers} |")
    return lines


def _instructions_section(counted: dict) -> list[str]:
    if "skipped" in counted:
        return ["", "## Instructions per request (callgrind)", "", f"Skipped: {counted['skipped']}."]
    now, before = counted["instructions_per_request"], counted.get("before", {})
    out = ["", "## Instructions per request (callgrind)", "",
           f"Instructions the app executes per request (Flask test client, {counted['count']} requests after a "
           "warm-up, counted by Valgrind's callgrind), and the ratio to the bare app's \"hello\" counted in the same "
           "process: the same in every run of the same code.", ""]
    if before:
        out += ["| request | before | ratio | now | ratio | change |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for name, figures in now.items():
            old = before.get(name)
            earlier = f"{old['instructions']:,} | {old['ratio_to_bare_hello']}" if old else " | "
            change = f"{figures['instructions'] / old['instructions'] - 1:+.1%}" if old else ""
            out.append(f"| {name} | {earlier} | {figures['instructions']:,} | {figures['ratio_to_bare_hello']} | "
                       f"{change} |")
    else:
        out += ["| request | instructions | ratio |", "| --- | ---: | ---: |"]
        out += [f"| {name} | {figures['instructions']:,} | {figures['ratio_to_bare_hello']} |"
                for name, figures in now.items()]
    return out


def _live_section(live: dict) -> list[str]:
    out = ["", "## Live updates: a follower's poll (board of tests/live_app.py, SQLite, all plugins)", "",
           "Inside the app (the WSGI app called as gunicorn calls it):", "",
           "| request | ms of CPU | ms wall |", "| --- | ---: | ---: |"]
    out += [f"| {name} | {f['cpu_ms']} | {f['wall_ms']} |" for name, f in live["milliseconds_per_request"].items()]
    served = {name: f for name, f in live.get("throughput", {}).items() if name != "sse"}
    if served:
        out += ["", "Through gunicorn (two sync workers), each right after the bare app:", ""]
        out += _throughput_table(served)
    sse = live.get("throughput", {}).get("sse")
    if sse:
        out += ["", f"With {sse['streams']} followers on server-sent events (one per worker), a poll of the board "
                    f"was {'served after' if sse['poll_served'] else 'not served within'} {sse['waited_seconds']} s."]
    return out


def markdown(results: dict) -> str:
    """Return the results as a Markdown summary."""
    m = results["machine"]
    out = ["# Benchmark results", "",
           f"{m['date']}, commit {m['commit']}, {m['cpus']} CPUs, Python {m['python']}, {m['wrk']}; "
           f"load average at start {m['load_average_at_start']}; {results['minutes']} minutes"
           + (" (quick run: short and small)" if results["quick"] else "") + ".", "",
           f"Plugins: {', '.join(results['plugins'])}. Gunicorn with the settings of `portal/gunicorn_config.py`, "
           f"{results['settings']['gunicorn_workers']} sync workers; wrk {results['settings']['threads']} threads, "
           f"{results['settings']['connections']} connections, {results['settings']['seconds']} s per target, "
           f"requests spread over {results['settings']['client_addresses']} client addresses behind the proxy.", ""]
    out += ["## Goals", "", "| goal | measured | met |", "| --- | --- | --- |"]
    out += [f"| {g['goal']} | {g['value']} | {'yes' if g['met'] else '**no**'} |" for g in results["goals"]]
    throughput = results.get("throughput") or {}
    for backend, figures in throughput.items():
        if not isinstance(figures, dict) or "bare" not in figures:
            continue
        out += ["", f"## Throughput and latency: {backend}", "",
                f"{figures['seeding'][0]['appointments']:,} appointments imported with "
                f"`flask appointments import` in {figures['seeding'][0]['import_command_seconds']} s.", ""]
        out += _throughput_table(figures["bare"] | figures.get("yardstick", {}) | figures["portal"])
        if "growth" in figures:
            grown = figures["seeding"][-1]
            out += ["", f"Grown to {grown['appointments']:,} appointments by multi-row INSERTs of the importer's own "
                        f"records ({grown['bulk_insert_seconds']} s; the CSV importer would take much longer):", ""]
            out += _throughput_table(figures["growth"]["large"])
    if results.get("costs"):
        before = results["costs"].get("before", {})
        out += ["", "## Time per request inside the app (Flask test client, no server)", "",
                "| request | before | ms |" if before else "| request | ms |",
                "| --- | ---: | ---: |" if before else "| --- | ---: |"]
        out += [f"| {name} | {before.get(name, '')} | {ms} |" if before else f"| {name} | {ms} |"
                for name, ms in results["costs"]["milliseconds_per_request"].items()]
        for page, slots in results["costs"].get("slot_milliseconds_per_request", {}).items():
            slots_before = before.get("slots", {}).get(page, {})
            out += ["", f"Of which plugins answering template slots on the page {page}:", "",
                    "| plugin: slot | before | ms |" if before else "| plugin: slot | ms |",
                    "| --- | ---: | ---: |" if before else "| --- | ---: |"]
            out += [f"| {name} | {slots_before.get(name, '')} | {ms} |" if before else f"| {name} | {ms} |"
                    for name, ms in slots.items()]
    if results.get("instructions"):
        out += _instructions_section(results["instructions"])
    if results.get("live"):
        out += _live_section(results["live"])
    if results.get("arrival"):
        out += _arrival_section(results["arrival"])
    if results.get("waiting_room"):
        out += _waiting_room_section(results["waiting_room"])
    if results.get("import"):
        out += ["", "## CSV import (appointments plugin's importer, empty database)", "",
                "| database | rows | seconds | rows/s | peak Python allocations MiB | peak RSS MiB |",
                "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for backend, sizes in results["import"].items():
            for rows, f in sizes.items():
                if isinstance(f, dict):
                    out.append(f"| {backend} | {int(rows):,} | {f['seconds']} | {f['rows_per_second']:,} | "
                               f"{f['peak_python_allocations_mib']} | {f['peak_rss_mib']} |")
    if results.get("startup"):
        s = results["startup"]
        out += ["", "## Start-up and memory (all plugins)", "",
                f"Import of the package {s['build']['import_seconds']} s, building the app "
                f"{s['build']['build_seconds']} s, {s['build'].get('cpu_seconds', '?')} s of CPU in all "
                "(median of three fresh interpreters).", "",
                "| gunicorn | first answer after s | CPU s by then (master; workers) | master PSS MiB "
                "| worker PSS MiB | worker RSS MiB |",
                "| --- | ---: | --- | ---: | --- | --- |"]
        for variant, label in (("gunicorn_preload", "app preloaded (deployment settings)"),
                               ("gunicorn", "app loaded in each worker")):
            v = s[variant]
            cpu = v.get("cpu_seconds_to_first_answer")
            cpu_text = f"{cpu['master']}; {', '.join(str(w) for w in cpu['workers'])}" if cpu else ""
            out.append(f"| {label} | {v['seconds_to_first_answer']} | {cpu_text} | {v['master']['pss']} | "
                       f"{', '.join(str(w['pss']) for w in v['workers'])} | "
                       f"{', '.join(str(w['rss']) for w in v['workers'])} |")
    if results.get("weight"):
        out += ["", "## Page weight (bytes on the wire, gzip, headers included)", "",
                "| page | first visit KB | repeat visit KB | web fonts, fetched only for text in them, KB |",
                "| --- | ---: | ---: | ---: |"]
        out += [f"| {page} | {f['first_visit_kib']} | {f['repeat_visit_kib']} | {f.get('fonts_on_demand_kib', '')} |"
                for page, f in results["weight"].items() if page != "goals"]
    if results.get("lighthouse"):
        out += ["", "## Lighthouse (mobile; the run with the median performance score of three)", ""]
        if "skipped" in results["lighthouse"]:
            out.append(f"Skipped: {results['lighthouse']['skipped']}")
        else:
            out += ["| page | performance | accessibility | best practices | SEO | points lost to |",
                    "| --- | ---: | ---: | ---: | ---: | --- |"]
            for page, f in results["lighthouse"].items():
                if "scores" not in f:
                    out.append(f"| {page} | error: {f.get('error', '')[:80]} | | | | |")
                    continue
                sc = f["scores"]
                lost = ", ".join(f"{key} ({item['display'] or item['score']})"
                                 for key, item in f["lost_points"].items())
                out.append(f"| {page} | {sc['performance']} | {sc['accessibility']} | {sc['best-practices']} | "
                           f"{sc['seo']} | {lost} |")
    return "\n".join(out) + "\n"
