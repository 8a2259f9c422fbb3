"""``hcims delete``: deletes, --dry-run looks only, --json, and the exit codes of the other commands."""

from __future__ import annotations

import json

from test_cli import run

from hcims import Client
from hcims.testing import MockIms

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
UNKNOWN = "4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba90"


def made(ims: MockIms, name: str) -> str:
    client = Client(**ims.client_args())
    job = client.wait_for_job(
        client.create_from_server({"name": name, "instance_id": INSTANCE}), poll_interval=0.01
    )
    return job.image_ids[0]


def test_delete_dry_run_sends_no_delete_then_delete_deletes(ims_mock: MockIms) -> None:
    first, second = made(ims_mock, "a"), made(ims_mock, "b")
    looked = run(ims_mock, "delete", first, second, "--dry-run")
    assert looked.returncode == 0, looked.stderr
    assert f"would delete active image {first} 'a'" in looked.stdout
    assert not [r for r in ims_mock.requests if r.method == "DELETE"]
    done = run(ims_mock, "delete", first, second, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["deleted"] == [
        {"image_id": first, "deleted": True, "error": None},
        {"image_id": second, "deleted": True, "error": None},
    ]
    assert ims_mock.images == []


def test_a_missing_image_exits_3_with_the_others_deleted(ims_mock: MockIms) -> None:
    kept = made(ims_mock, "a")
    done = run(ims_mock, "delete", UNKNOWN, kept, "--json")
    assert done.returncode == 3
    assert [item["deleted"] for item in json.loads(done.stdout)["deleted"]] == [False, True]
    assert json.loads(done.stderr)["code"] == "IMG.0027"
    plain = run(ims_mock, "delete", kept)
    assert plain.returncode == 3 and f"image {kept} not deleted: NotFoundError" in plain.stdout


def test_a_bad_id_exits_2_and_a_dry_run_of_a_missing_one_exits_3(ims_mock: MockIms) -> None:
    assert run(ims_mock, "delete", "not-an-id").returncode == 2
    assert run(ims_mock, "delete", UNKNOWN, "--dry-run").returncode == 3
    assert run(ims_mock, "delete", UNKNOWN, "--concurrency", "0").returncode == 2


def test_update_changes_and_dry_run_does_not(ims_mock: MockIms) -> None:
    image_id = made(ims_mock, "a")
    looked = run(ims_mock, "update", image_id, "--name", "b", "--remove", "team", "--dry-run")
    assert looked.returncode == 0, looked.stderr
    assert "would change image" in looked.stdout and "remove team" in looked.stdout
    assert not [r for r in ims_mock.requests if r.method == "PATCH"]
    done = run(
        ims_mock, "update", image_id, "--name", "b", "--min-ram", "512", "--set", "team=blue", "--json"
    )
    assert done.returncode == 0, done.stderr
    image = json.loads(done.stdout)["image"]
    assert (image["name"], image["min_ram"], image["team"]) == ("b", 512, "blue")


def test_update_exit_codes(ims_mock: MockIms) -> None:
    image_id = made(ims_mock, "a")
    assert run(ims_mock, "update", image_id).returncode == 2
    assert run(ims_mock, "update", image_id, "--set", "novalue").returncode == 2
    bad = run(ims_mock, "update", image_id, "--name", "bad<name>", "--json")
    assert bad.returncode == 2 and json.loads(bad.stderr)["errors"][0]["path"] == "name"
    assert run(ims_mock, "update", UNKNOWN, "--name", "x").returncode == 3


def test_tag_adds_and_removes_and_dry_run_does_not(ims_mock: MockIms) -> None:
    image_id = made(ims_mock, "a")
    looked = run(ims_mock, "tag", image_id, "--add", "env=prod", "--dry-run")
    assert looked.returncode == 0 and "would tag image" in looked.stdout
    assert not [r for r in ims_mock.requests if r.path.endswith("/tags/action")]
    assert run(ims_mock, "tag", image_id, "--add", "env=prod", "--add", "team=web").returncode == 0
    done = run(ims_mock, "tag", image_id, "--remove", "team", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["removed"] == ["team"]
    assert ims_mock.images[0]["tags"] == ["env.prod"]
    bad = run(ims_mock, "tag", image_id, "--add", "a b=x", "--json")
    assert bad.returncode == 2 and json.loads(bad.stderr)["errors"][0]["path"] == "add.a b"
    assert run(ims_mock, "tag", UNKNOWN, "--add", "k=v").returncode == 3
