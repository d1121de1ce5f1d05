"""The request pipeline stated in the factory: its steps run in that order, before and after every other hook."""

import gzip

from portal import create_app
from portal.app import REQUEST_PIPELINE
from portal.testing import csrf_token

LOOKUP = "/de/naturalisation/"


def test_the_body_limit_comes_before_anything_reads_the_form(client):
    # Read first, the NUL would answer 400; limited first, the oversized form never gets read.
    body = "name=" + "x" * (600 * 1024) + "%00"
    response = client.post("/de/staff/login", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_a_forged_form_costs_no_rate_limit(make_app):
    client = make_app(plugins=["naturalisation"]).test_client()
    assert {client.post(LOOKUP, data={"reference": "54/1-2026"}).status_code for _ in range(12)} == {400}
    token = csrf_token(client, LOOKUP)
    answer = client.post(LOOKUP, data={"csrf_token": token, "reference": "54/1-2026", "date_of_birth": "1980-01-01"})
    assert answer.status_code != 429


def test_compression_sees_the_answer_after_every_other_hook(tmp_path):
    # An app of its own: hooks may only be added before the first request.
    app = create_app({"instance_path": str(tmp_path), "plugins": [], "secret_key": "x"})
    seen = []

    @app.after_request
    def _late_hook(response):
        # Registered after the factory, yet still before compression: it sees the plain page.
        seen.append(response.headers.get("Content-Encoding"))
        return response

    page = app.test_client().get("/de/", headers={"Accept-Encoding": "gzip"})
    assert seen == [None]
    assert page.headers["Content-Encoding"] == "gzip"
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "<html" in gzip.decompress(page.data).decode()


def test_the_pipeline_holds_every_step_it_states_and_runs_them_first_and_last(app):
    request_steps, answer_steps = app.extensions["portal.pipeline"]
    assert app.before_request_funcs[None][0].__name__ == "request_pipeline"
    assert app.after_request_funcs[None][0].__name__ == "answer_pipeline"  # Flask runs it last
    assert len(REQUEST_PIPELINE) == 6 and len(request_steps) >= 3 and len(answer_steps) >= 3
    assert answer_steps[-1].__name__ == "compress"
