"""Keys: made and rotated by the command, kept in the database sealed with the secret, public keys served."""

import base64
import json
from datetime import date, time

import pytest
from portal_plugins.arrival import keys
from portal_plugins.arrival.models import SigningKey
from portal_plugins.arrival.passes import PassFacts, read, sign
from sqlalchemy import select


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=["arrival", "keys", *args])
    return result.exit_code, result.output


def test_create_keeps_the_private_key_sealed_with_the_secret_in_the_database(app, database):
    assert _run(app, "create") == (0, "key 1 signs new passes\n")
    with database() as session:
        row = session.scalars(select(SigningKey)).one()
        record = keys.records()[0]
        opened = keys.unseal(1, row.sealed_private_key, app.config["SECRET_KEY"])
    assert base64.b64encode(opened.public_key().public_bytes_raw()).decode() == row.public_key == record.public_key
    # Neither the private key nor anything it could be read from without the secret is stored.
    raw = opened.private_bytes_raw()
    assert raw not in base64.b64decode(row.sealed_private_key) and b"PRIVATE" not in row.sealed_private_key.encode()
    with pytest.raises(keys.KeyUnreadable, match="another secret_key"):
        keys.unseal(1, row.sealed_private_key, "another secret of the same length as the portal's own one")
    # Sealed for its id: copied to another id's row, it does not open.
    with pytest.raises(keys.KeyUnreadable):
        keys.unseal(2, row.sealed_private_key, app.config["SECRET_KEY"])


def test_create_refuses_a_second_key_and_rotate_needs_a_first(app, database):
    code, output = _run(app, "rotate")
    assert code == 1 and "arrival keys create" in output
    _run(app, "create")
    code, output = _run(app, "create")
    assert code == 1 and "rotate" in output
    with database():
        assert [record.key_id for record in keys.records()] == [1]


def test_rotation_signs_with_the_new_key_and_the_old_one_verifies_until_its_passes_expire(data, database):
    data(lambda session: keys.create(date(2026, 1, 5)))
    with database():
        old_id, old_key = keys.signing_key()
    data(lambda session: keys.create(date(2026, 3, 1)))
    with database():
        new_id, new_key = keys.signing_key()
        assert (old_id, new_id) == (1, 2)
        facts = PassFacts(key_id=old_id, public_id=bytes(16), day=date(2026, 6, 1), window_start=time(8),
                          window_end=time(8, 30), persons=1)
        old_pass = sign(facts, old_key)
        assert read(old_pass, keys.verifying_keys(date(2026, 8, 28), verify_days=180)) == facts
        assert set(keys.verifying_keys(date(2026, 8, 29), verify_days=180)) == {2}
        assert keys.records()[0].retired_on == date(2026, 3, 1)


def test_list_names_each_key_and_what_it_does(app):
    _run(app, "create")
    _run(app, "rotate")
    code, output = _run(app, "list")
    lines = output.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].startswith("1\t") and lines[0].endswith("\tverifies")
    assert lines[1].startswith("2\t") and "retired -" in lines[1] and lines[1].endswith("\tsigns")


def test_scanners_get_the_public_keys_and_nothing_private(app, client, database):
    assert client.get("/de/arrival/keys.json").get_json() == {"algorithm": "Ed25519", "keys": []}
    _run(app, "create")
    # A rotation on another server reaches this one's kept keys with the content version at its commit.
    _run(app, "rotate")
    body = client.get("/de/arrival/keys.json").get_json()
    with database():
        records = keys.records()
    assert body["keys"] == [{"key_id": r.key_id, "public_key": r.public_key,
                             "retired_on": r.retired_on.isoformat() if r.retired_on else None} for r in records]
    assert [key["retired_on"] is None for key in body["keys"]] == [False, True]
    assert "sealed" not in json.dumps(body)


def test_a_private_key_is_unsealed_once_per_process(data, database, monkeypatch):
    opened = []
    real_unseal = keys.unseal
    monkeypatch.setattr(keys, "unseal", lambda *args: opened.append(args[0]) or real_unseal(*args))
    record = data(lambda session: keys.create(date(2026, 1, 5)))
    keys._unsealed.clear()  # as in another process, which reads the key from the database
    with database():
        first = keys.private_key(record)
        assert keys.private_key(record) is first and opened == [1]


def test_after_the_secret_changed_the_old_keys_only_verify_until_a_rotation(make_app, make_pass):
    from portal_plugins.arrival.issuing import current_passes
    from portal_plugins.arrival.passes import public_id_text

    code, facts = make_pass()
    other = make_app(plugins=["arrival"], secret_key="another secret of at least thirty-two bytes")
    keys._unsealed.clear()  # the portal started again with the new secret

    with other.app_context():
        with pytest.raises(keys.KeyUnreadable, match="another secret_key"):
            keys.signing_key()
        # The result page shows no pass it cannot sign again; the door still verifies the letter's.
        assert current_passes([public_id_text(facts.public_id)]) == {}
        assert read(code, keys.keys_verifying_today()) == facts
    assert _run(other, "rotate") == (0, "key 2 signs new passes; older keys only verify\n")
    with other.app_context():
        assert keys.signing_key()[0] == 2
