"""The command line, run as a user runs it: a subprocess talking to the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hcims.testing import MockIms

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
VOLUME = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"


def run(ims: MockIms, *argv: str, stdin: str = "", env: Any = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HUAWEICLOUD_SDK_", "HCIMS_"))}
    environment.update(
        HCIMS_ENDPOINT=ims.endpoint,
        HUAWEICLOUD_SDK_AK=ims.ak,
        HUAWEICLOUD_SDK_SK=ims.sk,
        HUAWEICLOUD_SDK_PROJECT_ID=ims.project_id,
    )
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "hcims", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )


def posted(ims: MockIms) -> list[dict[str, Any]]:
    return [r.json() for r in ims.requests if r.method == "POST"]


def test_create_server_from_flags(ims_mock: MockIms) -> None:
    result = run(
        ims_mock,
        "create",
        "server",
        "--name",
        "web",
        "--instance-id",
        INSTANCE,
        "--tag",
        "env.prod",
        "--max-ram",
        "4096",
    )
    assert result.returncode == 0, result.stderr
    job_id = result.stdout.strip()
    assert len(job_id) == 32
    assert posted(ims_mock) == [
        {"name": "web", "instance_id": INSTANCE, "tags": ["env.prod"], "max_ram": 4096}
    ]


def test_create_each_way_and_wait_as_json(ims_mock: MockIms) -> None:
    cases = [
        ["server", "--name", "s", "--instance-id", INSTANCE, "--image-tag", "k=v"],
        [
            "data-images",
            "--data-image",
            f"name=d1,volume_id={VOLUME}",
            "--data-image",
            f"name=d2,volume_id={INSTANCE}",
        ],
        [
            "obs",
            "--name",
            "o",
            "--image-url",
            "bucket:disk.qcow2",
            "--min-disk",
            "40",
            "--os-version",
            "CentOS 7.0 64bit",
            "--is-config",
            "--architecture",
            "x86",
            "--data-image",
            "image_url=bucket:data.qcow2,min_disk=100,is_quick_import=false",
        ],
        ["volume", "--name", "v", "--volume-id", VOLUME, "--os-version", "CentOS 7.0 64bit", "--type", "ECS"],
    ]
    for case in cases:
        result = run(ims_mock, "create", *case, "--wait", "--poll-interval", "0.05", "--json")
        assert result.returncode == 0, result.stderr
        job = json.loads(result.stdout)["job"]
        assert job["status"] == "SUCCESS" and job["image_ids"]
    bodies = posted(ims_mock)
    assert bodies[0]["image_tags"] == [{"key": "k", "value": "v"}]
    assert [d["name"] for d in bodies[1]["data_images"]] == ["d1", "d2"]
    assert bodies[2]["is_config"] is True and bodies[2]["min_disk"] == 40
    assert bodies[2]["data_images"] == [
        {"image_url": "bucket:data.qcow2", "min_disk": 100, "is_quick_import": False}
    ]
    assert bodies[3]["type"] == "ECS"


def test_from_json_file_and_stdin(ims_mock: MockIms, tmp_path: Path) -> None:
    spec = {"name": "from-file", "instance_id": INSTANCE, "description": "d"}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    assert run(ims_mock, "create", "server", "--from-json", str(path)).returncode == 0
    result = run(
        ims_mock, "create", "server", "--from-json", "-", "--name", "overridden", stdin=json.dumps(spec)
    )
    assert result.returncode == 0, result.stderr
    assert posted(ims_mock) == [spec, {**spec, "name": "overridden"}]


def test_job_and_wait_commands(ims_mock: MockIms) -> None:
    job_id = run(ims_mock, "create", "server", "--name", "s", "--instance-id", INSTANCE).stdout.strip()
    shown = run(ims_mock, "job", job_id)
    assert shown.returncode == 0 and job_id in shown.stdout
    waited = run(ims_mock, "wait", job_id, "--poll-interval", "0.05", "--json")
    assert waited.returncode == 0, waited.stderr
    assert json.loads(waited.stdout)["job"]["status"] == "SUCCESS"


def test_validation_error_exit_code_and_nothing_sent(ims_mock: MockIms) -> None:
    result = run(
        ims_mock, "create", "obs", "--name", " x", "--image-url", "nocolon", "--min-disk", "5", "--json"
    )
    assert result.returncode == 2
    document = json.loads(result.stderr)
    assert document["error"] == "ValidationError"
    assert {e["path"] for e in document["errors"]} >= {"name", "image_url", "min_disk"}
    assert ims_mock.requests == []


def test_api_error_exit_code(ims_mock: MockIms) -> None:
    ims_mock.add_fault(
        method="POST",
        path="/v2/cloudimages/action",
        status=400,
        body=json.dumps({"error": {"code": "IMG.0009", "message": "name exists"}}),
        times=1,
    )
    result = run(ims_mock, "create", "server", "--name", "s", "--instance-id", INSTANCE, "--json")
    assert result.returncode == 3
    document = json.loads(result.stderr)
    assert (document["status"], document["code"], document["maybe_sent"]) == (400, "IMG.0009", False)


def test_job_failure_and_timeout_exit_codes() -> None:
    with MockIms(fail_pattern="doomed") as ims:
        job_id = run(ims, "create", "server", "--name", "doomed", "--instance-id", INSTANCE).stdout.strip()
        result = run(ims, "wait", job_id, "--poll-interval", "0.05")
        assert result.returncode == 4, result.stderr
        assert "JobFailedError" in result.stderr
    with MockIms(job_polls=100_000) as ims:
        job_id = run(ims, "create", "server", "--name", "slow", "--instance-id", INSTANCE).stdout.strip()
        result = run(ims, "wait", job_id, "--timeout", "0.3", "--poll-interval", "0.05")
        assert result.returncode == 5, result.stderr


def test_config_error_exit_code(ims_mock: MockIms) -> None:
    result = run(
        ims_mock,
        "job",
        "a" * 32,
        env={"HUAWEICLOUD_SDK_AK": "", "HUAWEICLOUD_SDK_SK": "", "HOME": "/nonexistent"},
    )
    assert result.returncode == 6
    assert "HUAWEICLOUD_SDK_AK" in result.stderr


def test_bad_usage_is_exit_2(ims_mock: MockIms) -> None:
    assert run(ims_mock, "create", "obs", "--min-disk", "forty").returncode == 2
    assert run(ims_mock, "create", "data-images", "--data-image", "name=d,min_disk").returncode == 2
    assert run(ims_mock, "create", "server", "--from-json", "/nonexistent.json").returncode == 2


@pytest.mark.parametrize("mode", [["--dry-run"], ["--dry-run", "--curl"], ["--dry-run", "--json"]])
def test_dry_run_masks_secrets_and_sends_nothing(mode: list[str]) -> None:
    with MockIms(security_token="temporary-token-value") as ims:
        env = {"HUAWEICLOUD_SDK_SECURITY_TOKEN": "temporary-token-value"}
        result = run(ims, "create", "server", "--name", "s", "--instance-id", INSTANCE, *mode, env=env)
        assert result.returncode == 0, result.stderr
        assert ims.requests == []
    output = result.stdout + result.stderr
    assert ims.sk not in output and "temporary-token-value" not in output
    assert "Signature=***" in output
    if "--curl" in mode:
        assert output.startswith("curl -X POST")
    if "--json" in mode:
        assert json.loads(result.stdout)["body"] == {"name": "s", "instance_id": INSTANCE}


def test_help_lists_the_ways() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hcims", "create", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    for way in ("server", "data-images", "obs", "volume"):
        assert way in result.stdout
