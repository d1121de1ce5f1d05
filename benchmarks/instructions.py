"""Instructions per request, counted by Valgrind's callgrind: the app's own work in a figure noise does not move.

The CPU time of the `costs` section moves by a third between identical runs on a shared machine, more than most
single changes save. The number of instructions a request executes is the same in every run of the same code, so
two versions of the code compare exactly, each as a ratio to the bare app counted in the same process.

The measuring process runs under callgrind with instrumentation off until its first request; a small C library
made at run time gives Python callgrind's client requests (zero the counters, dump them under a name), so only
the measured requests are counted.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .costs import BEFORE_PYTHON, Request, before_source, requests_to_measure
from .installation import Installation

HARNESS = Path(__file__).resolve().parents[1]
# Enough requests that the counters' own overhead (two client requests) is far below a tenth of a percent.
COUNT = 40
WARM_UP = 20
# A busy afternoon's finished clients at one location.
FINISHED = 300
CLIENT_REQUESTS = """#include <valgrind/callgrind.h>
void count_from_here(void) { CALLGRIND_START_INSTRUMENTATION; CALLGRIND_ZERO_STATS; }
void dump_counts(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
"""


def missing_tools() -> str | None:
    """Return what this section needs and the machine lacks, or None."""
    missing = [tool for tool in ("valgrind", "cc") if shutil.which(tool) is None]
    if not Path("/usr/include/valgrind/callgrind.h").exists():
        missing.append("callgrind.h")
    return ", ".join(missing) or None


def measure(root: Path, plugins: list[str]) -> dict:
    """Count the instructions per request of the `costs` section's requests, and of the earlier code when asked."""
    root.mkdir(parents=True, exist_ok=True)
    library = root / "client_requests.so"
    (root / "client_requests.c").write_text(CLIENT_REQUESTS)
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", str(library), str(root / "client_requests.c")],
                   check=True)
    measured = {"count": COUNT, "instructions_per_request": _count_in_callgrind(sys.executable, HARNESS, root / "now",
                                                                                plugins, library)}
    if BEFORE_PYTHON:
        source = before_source(root)
        print(f"instructions per request, code before ({source})", file=sys.stderr)
        measured["before"] = _count_in_callgrind(BEFORE_PYTHON, source, root / "before", plugins, library)
    return measured


def _count_in_callgrind(python: str, source: Path, root: Path, plugins: list[str], library: Path) -> dict:
    """Run the requests in a process of `python` under callgrind, its own `portal` served; return the counts."""
    # The code's own `portal` (its folder as the working directory) imported first, then this harness.
    program = (f"import sys, pathlib; import portal; sys.path.insert(0, {str(HARNESS)!r}); "
               f"from benchmarks import instructions; instructions.count_requests(pathlib.Path({str(root)!r}), "
               f"{plugins!r}, {str(library)!r})")
    dumps = root / "callgrind"
    dumps.mkdir(parents=True, exist_ok=True)
    # A fixed hash seed: the same code takes the same paths through dicts and sets in every run.
    subprocess.run(["valgrind", "--quiet", "--tool=callgrind", "--instr-atstart=no", "--dump-line=no",
                    f"--callgrind-out-file={dumps}/out.%p", python, "-c", program],
                   check=True, cwd=source, env=os.environ | {"PYTHONHASHSEED": "0"}, stdout=subprocess.DEVNULL)
    names = json.loads((root / "names.json").read_text())
    counts = {}
    for dump in dumps.iterdir():
        text = dump.read_text(errors="replace")
        trigger = re.search(r"^desc: Trigger: Client Request: (.+)$", text, re.MULTILINE)
        if trigger and trigger.group(1) in names:
            counts[trigger.group(1)] = int(re.search(r"^summary: (\d+)", text, re.MULTILINE).group(1)) // COUNT
    bare = counts["bare_hello"]
    result = {name: {"instructions": counts[name], "ratio_to_bare_hello": round(counts[name] / bare, 2)}
              for name in names}
    for name, figures in result.items():
        print(f"  {name}: {figures['instructions']:,} instructions ({figures['ratio_to_bare_hello']}×)",
              file=sys.stderr)
    return result


def count_requests(root: Path, plugins: list[str], library: str) -> None:
    """Send each request COUNT times after its warm-up, the counters zeroed before and dumped after: in callgrind."""
    counters = ctypes.CDLL(library)

    def count(request: Request) -> str:
        for _ in range(WARM_UP):
            request.send()
        counters.count_from_here()
        for _ in range(COUNT):
            request.send()
        counters.dump_counts(request.name.encode())
        return request.name

    prepared = requests_to_measure(root, plugins)
    names = [count(request) for request in prepared.requests]
    prepared.dispose()
    # The ticket page, whose waiting room is opt-in: at the start of the day and once FINISHED clients were served.
    ticket = WaitingTicket(root / "waiting-room", plugins)
    names.append(count(ticket.page("ticket_page")))
    ticket.serve_the_day()
    names.append(count(ticket.page(f"ticket_page_after_{FINISHED}_finished")))
    ticket.dispose()
    (root / "names.json").write_text(json.dumps(names))


class WaitingTicket:
    """The last ticket of a day at a waiting room of its own, eight desks serving those before it."""

    def __init__(self, root: Path, plugins: list[str]):
        from portal import create_app, toolkit

        from .waiting_room import EIGHT_DESKS, Desks, prepare, with_queue

        self.installation = Installation(root, "sqlite", with_queue(plugins),
                                         {"plugin_settings": {"queue": {"desks": EIGHT_DESKS}}})
        tokens, _location, _slug = prepare(self.installation, phones=FINISHED + 10)
        self.app = create_app({"instance_path": str(self.installation.root), **self.installation.settings})
        toolkit.limiter.enabled = False  # one client asks sixty times: the cost, not the limit, is counted here
        self.path = f"/de/queue/t/{tokens[-1][0]}"  # called after every other ticket issued here
        self.desks, self.desk_slugs = Desks(self.installation), [desk["slug"] for desk in EIGHT_DESKS]

    def page(self, name: str) -> Request:
        """Return the ticket's page as a request named `name`, from a visitor of its own."""
        return Request(name, self.app.test_client(), "GET", self.path,
                       options={"headers": {"Accept-Encoding": "gzip", "Accept-Language": "de"}})

    def serve_the_day(self) -> None:
        """Call and finish FINISHED clients at the desks in turn (each call finishes the desk's previous client)."""
        for turn in range(FINISHED + len(self.desk_slugs)):
            self.desks.call(self.desk_slugs[turn % len(self.desk_slugs)])

    def dispose(self) -> None:
        from portal import toolkit

        toolkit.limiter.enabled = True
        for app in (self.app, self.desks.app):
            app.extensions["portal.db"].engine.dispose()
