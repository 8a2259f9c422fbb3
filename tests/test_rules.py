"""Shape rules and value rules (issue 18): every value rule of the create-image page is refused by
default with nothing sent, and under ``rules="warn"`` sent exactly as given with one ``RuleWarning``;
every shape rule is refused under both. The emulator records what reaches it."""

from __future__ import annotations

import asyncio
import copy
import io
import json
import threading
import warnings
from typing import Any

import pytest
from test_validation import UUID, UUID2, VALID

import hcims
from hcims import AsyncClient, Client, ConfigError, RuleWarning, ValidationError
from hcims.cli import EXIT_VALIDATION, main
from hcims.testing import MockIms


def tags(count: int) -> list[str]:
    return [f"k{i}.v" for i in range(count)]


def image_tags(count: int) -> list[dict[str, str]]:
    return [{"key": f"k{i}", "value": "v"} for i in range(count)]


def obs_disks(count: int) -> list[dict[str, Any]]:
    return [{"image_url": f"bucket:d{i}.qcow2", "min_disk": 10} for i in range(count)]


# Every value rule of the page: (way, fields set on its valid spec, the one field path broken).
VALUE_RULES: list[tuple[str, dict[str, Any], str]] = [
    # name, description: lengths and characters (every way shares them)
    ("server", {"name": "n" * 129}, "name"),
    ("server", {"name": "web[1]"}, "name"),
    ("server", {"name": " web"}, "name"),
    ("server", {"description": "d" * 1025}, "description"),
    ("server", {"description": "a<b"}, "description"),
    # legacy tags: count, key and value characters and lengths, unique keys
    ("server", {"tags": tags(11)}, "tags"),
    ("server", {"tags": [".v"]}, "tags[0]"),
    ("server", {"tags": ["k!.v"]}, "tags[0]"),
    ("server", {"tags": ["k" * 37 + ".v"]}, "tags[0]"),
    ("server", {"tags": ["k.v!"]}, "tags[0]"),
    ("server", {"tags": ["k." + "v" * 44]}, "tags[0]"),
    ("server", {"tags": ["k.a", "k.b"]}, "tags[1]"),
    # image_tags: count, key and value lengths and characters, unique keys
    ("server", {"image_tags": image_tags(11)}, "image_tags"),
    ("server", {"image_tags": [{"key": "", "value": "v"}]}, "image_tags[0].key"),
    ("server", {"image_tags": [{"key": "k" * 37, "value": "v"}]}, "image_tags[0].key"),
    ("server", {"image_tags": [{"key": "k", "value": "v" * 44}]}, "image_tags[0].value"),
    ("server", {"image_tags": [{"key": "a=b", "value": "v"}]}, "image_tags[0].key"),
    ("server", {"image_tags": [{"key": " k", "value": "v"}]}, "image_tags[0].key"),
    ("server", {"image_tags": [{"key": "k", "value": "a"}, {"key": "k", "value": "b"}]}, "image_tags[1].key"),
    # enterprise project, memory
    ("server", {"enterprise_project_id": "default"}, "enterprise_project_id"),
    ("server", {"min_ram": -1}, "min_ram"),
    ("server", {"max_ram": -1}, "max_ram"),
    ("server", {"min_ram": 4096, "max_ram": 1024}, "min_ram"),
    # server: the ECS id is a UUID
    ("server", {"instance_id": "i-123"}, "instance_id"),
    # data images from an ECS: each one's volume id and name
    ("data_images", {"data_images": [{"name": "d1", "volume_id": "vol-1"}]}, "data_images[0].volume_id"),
    ("data_images", {"data_images": [{"name": "d:1", "volume_id": UUID2}]}, "data_images[0].name"),
    ("data_images", {"name": "a/b"}, "name"),
    # obs: disk sizes, the file's form, os_version, the number of data images, distinct files, words
    ("obs", {"min_disk": 20}, "min_disk"),
    ("obs", {"min_disk": 2048}, "min_disk"),
    ("obs", {"image_url": "bucket:centos 7.qcow2"}, "image_url"),
    ("obs", {"image_url": "centos7.qcow2"}, "image_url"),
    ("obs", {"os_version": ""}, "os_version"),
    ("obs", {"data_images": obs_disks(4)}, "data_images"),
    ("obs", {"data_images": [{"image_url": "bucket:d.qcow2", "min_disk": 4096}]}, "data_images[0].min_disk"),
    ("obs", {"data_images": [{"image_url": "d.qcow2", "min_disk": 10}]}, "data_images[0].image_url"),
    (
        "obs",
        {"data_images": [{"image_url": "bucket:centos7.qcow2", "min_disk": 10}]},
        "data_images[0].image_url",
    ),
    ("obs", {"os_type": "Solaris"}, "os_type"),
    ("obs", {"architecture": "X86"}, "architecture"),
    ("obs", {"hw_firmware_type": "BIOS"}, "hw_firmware_type"),
    ("obs", {"type": "ecs"}, "type"),
    # volume: the volume id, its image types
    ("volume", {"volume_id": "vol-1"}, "volume_id"),
    ("volume", {"type": "IsoImage"}, "type"),
    ("volume", {"type": "VM"}, "type"),
    ("volume", {"hw_firmware_type": "efi"}, "hw_firmware_type"),
]

# Every shape rule: (a body, the field path reported). Refused whatever the rules.
SHAPE_RULES: list[tuple[dict[str, Any], str]] = [
    ({"name": "x"}, ""),  # the way cannot be determined
    ({"name": "x", "instance_id": UUID, "image_url": "b:o", "min_disk": 40}, ""),  # two ways at once
    ({"instance_id": UUID}, "name"),  # a required field is missing
    ({"name": "", "instance_id": UUID}, "name"),  # ... or empty
    ({"name": "x", "instance_id": ""}, "instance_id"),
    ({"name": "x", "image_url": "", "min_disk": 40}, "image_url"),
    ({"name": "x", "volume_id": UUID, "os_version": ""}, "os_version"),
    ({"data_images": []}, "data_images"),
    ({"name": "x", "image_url": "b:x.iso", "min_disk": 40}, "os_version"),  # required for an ISO file
    ({"name": "x", "image_url": "b:x.qcow2", "min_disk": 40, "is_quick_import": True}, "os_version"),
    ({"name": "x", "image_url": "b:o", "min_disk": "40"}, "min_disk"),  # the wrong JSON type
    ({"name": "x", "image_url": "b:o", "min_disk": 40.5}, "min_disk"),
    ({"name": "x", "image_url": "b:o", "min_disk": 2**64}, "min_disk"),  # no spec can hold it
    ({"name": "x", "instance_id": UUID, "tags": "k.v"}, "tags"),
    ({"name": "x", "instance_id": UUID, "nmae": "y"}, "nmae"),  # an unknown key outside extra
    ({"name": "x", "instance_id": UUID, "extra": {"name": "y"}}, "extra.name"),
    (
        {"name": "x", "instance_id": UUID, "image_tags": [{"key": "k", "colour": "red"}]},
        "image_tags[0].colour",
    ),
    (
        {"name": "x", "instance_id": UUID, "tags": ["a.b"], "image_tags": [{"key": "c"}]},
        "image_tags",
    ),  # exclusive
    ({"name": "x", "instance_id": UUID, "data_images": [{"name": "d", "volume_id": UUID2}]}, "data_images"),
]


def violating(way: str, fields: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(VALID[way])
    spec.update(copy.deepcopy(fields))
    return spec


def posts(ims: MockIms) -> list[Any]:
    return [r.json() for r in ims.requests if r.method == "POST"]


def create_recording(client: Client, spec: dict[str, Any]) -> list[warnings.WarningMessage]:
    """Creates `spec`, returning the warnings issued; the emulator may refuse what hcims let through."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            client.create_image(spec)
        except hcims.ApiError:
            pass
    return list(caught)


def rule_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, RuleWarning)]


@pytest.fixture
def warn_client(ims_mock: MockIms) -> Client:
    return Client(**ims_mock.client_args(), rules="warn")


@pytest.mark.parametrize(("way", "fields", "path"), VALUE_RULES, ids=lambda v: str(v)[:40])
def test_a_value_rule_is_refused_by_default_and_sent_as_given_under_warn(
    ims_mock: MockIms, client: Client, warn_client: Client, way: str, fields: dict[str, Any], path: str
) -> None:
    spec = violating(way, fields)
    given = copy.deepcopy(spec)
    with pytest.raises(ValidationError) as refused:
        client.create_image(spec)
    assert [p for p, _ in refused.value.errors] == [path]
    assert str(refused.value).endswith(
        'Client(rules="warn") or HCIMS_RULES=warn sends the request as given, with a warning per rule'
    )
    assert posts(ims_mock) == []

    issued = rule_warnings(create_recording(warn_client, spec))
    assert len(issued) == 1, issued
    assert issued[0].startswith(f"{path}: ") and "create-image page" in issued[0]
    assert posts(ims_mock) == [given]


@pytest.mark.parametrize(("body", "path"), SHAPE_RULES, ids=lambda v: str(v)[:40])
@pytest.mark.parametrize("rules", ["enforce", "warn"])
def test_a_shape_rule_is_refused_under_both(
    ims_mock: MockIms, rules: str, body: dict[str, Any], path: str
) -> None:
    client = Client(**ims_mock.client_args(), rules=rules)  # type: ignore[arg-type]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValidationError) as refused:
            client.create_image(body)
    assert path in [p for p, _ in refused.value.errors]
    assert "rules=" not in str(refused.value)  # switching would not help
    assert rule_warnings(list(caught)) == []
    assert posts(ims_mock) == []


def test_done_when_min_disk_20(ims_mock: MockIms) -> None:
    """The issue's example, exactly: refused by default having sent nothing; under "warn" sent
    unchanged with one RuleWarning naming min_disk."""
    spec = {"name": "img", "image_url": "bucket:img.qcow2", "min_disk": 20}
    with pytest.raises(ValidationError) as refused:
        Client(**ims_mock.client_args()).create_from_obs(spec)
    assert refused.value.errors == [("min_disk", "must be between 40 and 1024 (GB), got 20")]
    assert ims_mock.requests == []
    with pytest.warns(RuleWarning) as caught:
        with pytest.raises(hcims.BadRequestError):  # the emulator holds the seed page's range
            Client(**ims_mock.client_args(), rules="warn").create_from_obs(spec)
    assert [str(w.message) for w in caught] == [
        "min_disk: must be between 40 and 1024 (GB), got 20 (IMG.0055; a value rule of the create-image page); "
        'sent as given because rules="warn"'
    ]
    assert posts(ims_mock) == [{"name": "img", "image_url": "bucket:img.qcow2", "min_disk": 20}]


def test_shape_and_value_together_are_refused_under_warn_without_warnings(warn_client: Client) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValidationError) as refused:
            warn_client.create_image({"name": "x", "image_url": "b:o", "min_disk": 20, "nmae": 1})
    assert {p for p, _ in refused.value.errors} == {"min_disk", "nmae"}
    assert rule_warnings(list(caught)) == []


def test_a_dry_run_shows_the_same_warnings(warn_client: Client) -> None:
    spec = {"name": "img", "image_url": "bucket:img.qcow2", "min_disk": 20, "os_type": "Solaris"}
    with pytest.warns(RuleWarning) as caught:
        prepared = warn_client.prepare(spec)
    assert sorted(str(w.message).split(":")[0] for w in caught) == ["min_disk", "os_type"]
    assert json.loads(prepared.body) == spec


def test_the_async_client_follows_the_switch(ims_mock: MockIms) -> None:
    spec = {"name": "img", "image_url": "bucket:img.qcow2", "min_disk": 20}

    async def create(rules: str) -> None:
        async with AsyncClient(**ims_mock.client_args(), rules=rules) as client:  # type: ignore[arg-type]
            await client.create_from_obs(spec)

    with pytest.raises(ValidationError):
        asyncio.run(create("enforce"))
    assert posts(ims_mock) == []
    with pytest.warns(RuleWarning, match="^min_disk: "):
        with pytest.raises(hcims.BadRequestError):
            asyncio.run(create("warn"))
    assert posts(ims_mock) == [spec]


def test_create_many_warns_once_per_violation_from_the_calling_thread(
    ims_mock: MockIms, warn_client: Client
) -> None:
    specs = [
        {"name": "a", "image_url": "bucket:a.qcow2", "min_disk": 20},
        {"name": "b[1]", "image_url": "bucket:b.qcow2", "min_disk": 2000},
        {"name": "c", "image_url": "bucket:c.qcow2", "min_disk": 40},
    ]
    threads: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        original_warn = warnings.warn

        def recording_warn(*args: Any, **kwargs: Any) -> None:
            threads.append(threading.current_thread().name)
            original_warn(*args, **kwargs)

        warnings.warn = recording_warn  # type: ignore[assignment]
        try:
            outcomes = warn_client.create_many(specs)
        finally:
            warnings.warn = original_warn
    assert sorted(str(w.message).split(":")[0] for w in caught if w.category is RuleWarning) == [
        "min_disk",
        "min_disk",
        "name",
    ]
    assert set(threads) == {threading.current_thread().name}
    assert isinstance(outcomes[2], str)
    assert sorted(b["name"] for b in posts(ims_mock)) == ["a", "b[1]", "c"]


def test_hcims_rules_reaches_the_client(ims_mock: MockIms, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HCIMS_RULES", raising=False)
    assert Client(**ims_mock.client_args()).rules == "enforce"
    monkeypatch.setenv("HCIMS_RULES", "warn")
    client = Client(**ims_mock.client_args())
    assert client.rules == "warn"
    assert Client(**ims_mock.client_args(), rules="enforce").rules == "enforce"  # the argument wins
    with pytest.warns(RuleWarning):
        client.prepare({"name": "img", "image_url": "bucket:img.qcow2", "min_disk": 20})


def test_other_rules_values_are_refused_when_the_client_is_made(
    ims_mock: MockIms, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HCIMS_RULES", raising=False)
    # An argument: ValueError, as for any bad argument.
    with pytest.raises(ValueError, match='rules must be "enforce" or "warn", got "Warn"'):
        Client(**ims_mock.client_args(), rules="Warn")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rules must be"):
        AsyncClient(**ims_mock.client_args(), rules="off")  # type: ignore[arg-type]
    # The environment: ConfigError, as for the other settings read there.
    monkeypatch.setenv("HCIMS_RULES", "loose")
    with pytest.raises(ConfigError, match='HCIMS_RULES: rules must be "enforce" or "warn", got "loose"'):
        Client(**ims_mock.client_args())


def cli(ims: MockIms, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["create", "obs", "--endpoint", ims.endpoint, *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cli_env(ims_mock: MockIms, monkeypatch: pytest.MonkeyPatch) -> MockIms:
    monkeypatch.delenv("HCIMS_RULES", raising=False)
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", ims_mock.ak)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", ims_mock.sk)
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", ims_mock.project_id)
    return ims_mock


FLAGS = ["--name", "img", "--image-url", "bucket:img.qcow2", "--min-disk", "20"]


def test_the_cli_refuses_by_default_and_sends_with_rules_warn(cli_env: MockIms) -> None:
    code, _, err = cli(cli_env, *FLAGS)
    assert code == EXIT_VALIDATION and "min_disk" in err and 'rules="warn"' in err
    assert posts(cli_env) == []
    with pytest.warns(RuleWarning, match="^min_disk: "):
        code, _, _ = cli(cli_env, *FLAGS, "--rules", "warn")
    assert posts(cli_env) == [{"name": "img", "image_url": "bucket:img.qcow2", "min_disk": 20}]


def test_cli_word_flags_follow_the_switch(cli_env: MockIms) -> None:
    flags = ["--name", "img", "--image-url", "bucket:img.qcow2", "--min-disk", "40", "--os-type", "Solaris"]
    code, _, err = cli(cli_env, *flags)
    assert code == EXIT_VALIDATION and "os_type: must be one of Linux, Windows, Other" in err
    with pytest.warns(RuleWarning, match="^os_type: "):
        code, out, _ = cli(cli_env, *flags, "--rules", "warn", "--dry-run", "--json")
    assert code == 0 and json.loads(out)["body"]["os_type"] == "Solaris"


@pytest.mark.parametrize("extra", [["--dry-run"], ["--dry-run", "--curl"], ["--dry-run", "--json"]])
def test_cli_dry_runs_show_the_warnings(cli_env: MockIms, extra: list[str]) -> None:
    with pytest.warns(RuleWarning, match="^min_disk: "):
        code, out, _ = cli(cli_env, *FLAGS, "--rules", "warn", *extra)
    assert code == 0 and '"min_disk":20' in out.replace(" ", "")
    assert posts(cli_env) == []


def test_every_command_that_makes_a_client_takes_rules(
    cli_env: MockIms, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HCIMS_RULES", "loose")  # the flag wins over a bad environment value
    out, err = io.StringIO(), io.StringIO()
    code = main(["job", "no-such-job", "--endpoint", cli_env.endpoint, "--rules", "warn"], out=out, err=err)
    assert code == 3 and "NotFoundError" in err.getvalue()
    code = main(["job", "no-such-job", "--endpoint", cli_env.endpoint], out=out, err=err)
    assert code == 6 and "HCIMS_RULES" in err.getvalue()


def test_the_cli_reads_hcims_rules(cli_env: MockIms, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HCIMS_RULES", "warn")
    with pytest.warns(RuleWarning):
        code, out, _ = cli(cli_env, *FLAGS, "--dry-run")
    assert code == 0 and "POST " in out
    code, _, err = cli(cli_env, *FLAGS, "--dry-run", "--rules", "enforce")
    assert code == EXIT_VALIDATION and "min_disk" in err


def test_rule_warning_is_exported() -> None:
    assert issubclass(RuleWarning, UserWarning)
    assert hcims.RuleWarning is hcims.errors.RuleWarning
    assert "RuleWarning" in hcims.__all__ and "RuleWarning" in hcims.errors.__all__


def test_the_hint_survives_pickling() -> None:
    import pickle

    error = ValidationError([("min_disk", "must be between 40 and 1024 (GB), got 20")], "switch")
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) and again.hint == "switch"


@pytest.mark.parametrize("rules", ["enforce", "warn"])
def test_an_unknown_os_version_stays_an_os_version_warning(ims_mock: MockIms, rules: str) -> None:
    client = Client(**ims_mock.client_args(), rules=rules)  # type: ignore[arg-type]
    spec = violating("volume", {"os_version": "Plan 9 64bit"})
    caught = create_recording(client, spec)
    assert [w.category for w in caught] == [hcims.OsVersionWarning]
    assert posts(ims_mock) == [spec]
