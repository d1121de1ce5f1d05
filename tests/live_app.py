"""A portal with a test-only blueprint that bumps a topic and follows it, in-process or under gunicorn.

tests/test_live.py and benchmarks/live.py use it.
Served by gunicorn as 'tests.live_app:create()' (with the repository on the Python path).
"""

from __future__ import annotations

import time

from flask import Flask, Response, request, stream_with_context

from portal import create_app, toolkit

blueprint = toolkit.public_blueprint("fake_live", __name__)
staff = toolkit.staff_blueprint("fake_live", __name__ + ".staff", role="caseworker")
# How often each board was rendered, so tests can tell a 304 that skipped rendering.
renders: dict[str, int] = {}


def topic(name: str) -> str:
    return f"fake_live:{name}"


@blueprint.route("/bump/<name>", methods=["POST"])
@toolkit.csrf.exempt
def bump(name: str):
    """Advance the board's topic; with ?rollback=1 the transaction is rolled back instead of committed."""
    toolkit.bump(topic(name))
    if request.args.get("rollback"):
        toolkit.session().rollback()
    else:
        toolkit.session().commit()
    return "done"


@blueprint.route("/board/<name>")
@toolkit.live_view(topic)
def board(name: str):
    renders[name] = renders.get(name, 0) + 1
    if name == "unknown":
        return "no such board", 404
    return f"board {name} at version {toolkit.live_version(topic(name))}"


@blueprint.route("/shared/<name>")
@toolkit.live_view(topic, shared=True)
def shared(name: str):
    """The board as a page every visitor shares: a poll with an older tag gets the answer kept for the version."""
    renders[f"shared {name}"] = renders.get(f"shared {name}", 0) + 1
    response = Response(f"shared board {name} at version {toolkit.live_version(topic(name))}")
    response.set_cookie("visitor", "first")  # the request's own header: never passed on with the kept answer
    return response


@blueprint.route("/ticket/<name>")
@toolkit.live_view(topic, private=True)
def ticket(name: str):
    return f"ticket on board {name}"


@blueprint.route("/plain/<name>")
def plain(name: str):
    """The board answered through the whole pipeline (conditional in an ordinary view), for comparison."""
    return toolkit.conditional(topic(name), lambda: board.__wrapped__(name))


@blueprint.route("/stream/<name>")
def stream(name: str):
    """The board as server-sent events for a few seconds: the alternative to polling that benchmarks/live.py
    measures (a sync worker serves nobody else while it streams)."""
    seconds = int(request.args.get("seconds", "5"))

    @stream_with_context
    def events():
        for _ in range(seconds * 5):
            yield f"data: {toolkit.live_version(topic(name))}\n\n"
            time.sleep(0.2)

    return Response(events(), mimetype="text/event-stream")


@staff.route("/board/<name>")
@toolkit.live_view(topic)
def staff_board(name: str):
    return f"staff board {name}"


def create(settings: dict | None = None) -> Flask:
    """Return the portal (configured as usual) with the test blueprint."""
    app = create_app(settings)
    app.register_blueprint(blueprint)
    app.register_blueprint(staff)
    return app
