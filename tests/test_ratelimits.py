"""Per-client rate limits: a network many clients share (the waiting room's Wi-Fi) gets more room."""

import pytest

INTERPRETERS = {"plugins": ["interpreters"]}
SHARED = {**INTERPRETERS, "shared_networks": ["192.0.2.0/24", "2001:db8:5::/48"], "shared_network_factor": 3}


def glossary_answers(client, address: str, times: int) -> list[int]:
    return [client.get("/de/interpreters/glossary", environ_base={"REMOTE_ADDR": address}).status_code
            for _ in range(times)]


@pytest.mark.portal_config(SHARED)
def test_a_shared_network_may_make_the_configured_multiple_of_requests(client, db):
    # The glossary allows 60 a minute per client: the shared Wi-Fi gets three clients' worth.
    answers = glossary_answers(client, "192.0.2.40", 181)
    assert answers[:180] == [200] * 180
    assert answers[180] == 429


@pytest.mark.portal_config(SHARED)
def test_other_addresses_keep_the_limit_of_one_client(client, db):
    answers = glossary_answers(client, "198.51.100.9", 61)
    assert answers[:60] == [200] * 60
    assert answers[60] == 429
    # An IPv6 phone counts as its /64, whatever the last 64 bits say.
    answers = [client.get("/de/interpreters/glossary", environ_base={"REMOTE_ADDR": f"2001:db8:7:1::{n:x}"}).status_code
               for n in range(1, 62)]
    assert answers[60] == 429


def test_a_shared_network_must_be_a_network(make_app):
    from portal.config import ConfigError

    with pytest.raises(ConfigError, match="shared_networks"):
        make_app(shared_networks=["the office"])
