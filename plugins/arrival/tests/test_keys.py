"""Keys: made and rotated by the command, private keys kept 0600, public keys served to scanners."""

import shutil
import stat
from datetime import date, time
from pathlib import Path

import pytest
from portal_plugins.arrival.keys import KeyRing
from portal_plugins.arrival.passes import PassFacts, read, sign


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=["arrival", "keys", *args])
    return result.exit_code, result.output


def test_create_makes_a_private_key_only_the_portal_user_can_read(app):
    assert _run(app, "create") == (0, "key 1 signs new passes\n")
    folder = Path(app.instance_path) / "arrival-keys"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "1.key").stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in (folder / "1.key").read_bytes()
    assert "PRIVATE" not in (folder / "keys.json").read_text()


def test_create_refuses_a_second_key_and_rotate_needs_a_first(app):
    code, output = _run(app, "rotate")
    assert code == 1 and "arrival keys create" in output
    _run(app, "create")
    code, output = _run(app, "create")
    assert code == 1 and "rotate" in output
    assert [record.key_id for record in KeyRing(app.instance_path).records()] == [1]


def test_rotation_signs_with_the_new_key_and_the_old_one_verifies_until_its_passes_expire(app):
    ring = KeyRing(app.instance_path)
    ring.create(date(2026, 1, 5))
    old_id, old_key = ring.signing_key()
    ring.create(date(2026, 3, 1))
    new_id, new_key = ring.signing_key()
    assert (old_id, new_id) == (1, 2)
    facts = PassFacts(key_id=old_id, public_id=bytes(16), day=date(2026, 6, 1), window_start=time(8),
                      window_end=time(8, 30), persons=1, service_group="residence")
    old_pass = sign(facts, old_key)
    assert read(old_pass, ring.verifying_keys(date(2026, 8, 28), verify_days=180)) == facts
    assert set(ring.verifying_keys(date(2026, 8, 29), verify_days=180)) == {2}
    assert list(ring.records())[0].retired_on == "2026-03-01"


def test_list_names_each_key_and_what_it_does(app):
    _run(app, "create")
    _run(app, "rotate")
    code, output = _run(app, "list")
    lines = output.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].startswith("1\t") and lines[0].endswith("\tverifies")
    assert lines[1].startswith("2\t") and "retired -" in lines[1] and lines[1].endswith("\tsigns")


def test_scanners_get_the_public_keys_and_nothing_private(app, client):
    assert client.get("/de/arrival/keys.json").get_json() == {"algorithm": "Ed25519", "keys": []}
    _run(app, "create")
    _run(app, "rotate")
    body = client.get("/de/arrival/keys.json").get_json()
    records = KeyRing(app.instance_path).records()
    assert body["keys"] == [{"key_id": r.key_id, "public_key": r.public_key, "retired_on": r.retired_on}
                            for r in records]
    for path in ("/de/arrival/1.key", "/de/arrival/arrival-keys/1.key", "/static/arrival-keys/1.key"):
        assert client.get(path).status_code == 404


def test_a_private_key_is_parsed_once_per_process_until_its_file_changes(app, monkeypatch):
    from portal_plugins.arrival import keys

    parsed = []
    real_load = keys.serialization.load_pem_private_key
    monkeypatch.setattr(keys.serialization, "load_pem_private_key",
                        lambda pem, password: parsed.append(pem) or real_load(pem, password=password))
    ring = KeyRing(app.instance_path)
    ring.create(date(2026, 1, 5))
    first = ring.private_key(1)
    assert ring.private_key(1) is first and len(parsed) == 1
    # Another key put in the same file's place is read at once; a removed one is not used from memory.
    (ring.folder / "1.key").unlink()
    with pytest.raises(FileNotFoundError):
        ring.private_key(1)
    shutil.rmtree(ring.folder)
    ring.create(date(2026, 1, 6))
    replaced = ring.private_key(1)
    assert len(parsed) == 2 and replaced.public_key().public_bytes_raw() != first.public_key().public_bytes_raw()
