"""Whole images (制作整机镜像.md, ``POST /v1/cloudimages/wholeimages/action``) from an ECS and from a backup:
the page's examples sent as they are, one test breaking each rule, the calls of every client, batches
mixing them with the seed's ways, dry runs, and Huawei's own SDK making both against the emulator."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkims.v2 import (
    CreateWholeImageRequest,
    CreateWholeImageRequestBody,
    ImsClient,
    ListImagesRequest,
    ShowJobRequest,
)

import hcims
from hcims import AsyncClient, Client, ServerImage, ValidationError, WholeBackupImage, WholeServerImage
from hcims.testing import MockIms

PATH = "/v1/cloudimages/wholeimages/action"
INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
VAULT = "de9fcf45-11b2-432c-8562-5c5428574600"
BACKUP = "9b27efab-4a17-4c06-bfa2-3e0cf021d3c3"

# The page's request examples, as printed there.
FROM_SERVER = [
    {
        "name": "instance_whole_image",
        "description": "云服务器制作镜像",
        "instance_id": INSTANCE,
        "vault_id": VAULT,
        "tags": ["aaa.111", "bbb.333", "ccc.444"],
    },
    {
        "name": "instance_whole_image",
        "description": "云服务器制作镜像",
        "instance_id": INSTANCE,
        "vault_id": VAULT,
        "image_tags": [{"key": "key2", "value": "value2"}, {"key": "key1", "value": "value1"}],
    },
]
FROM_BACKUP = [
    {
        "name": "backup_whole_image",
        "description": "云备份制作镜像",
        "backup_id": BACKUP,
        "whole_image_type": "CBR",
        "tags": ["aaa.111", "bbb.333", "ccc.444"],
    },
    {
        "name": "backup_whole_image",
        "description": "云备份制作镜像",
        "backup_id": BACKUP,
        "whole_image_type": "CBR",
        "image_tags": [{"key": "key2", "value": "value2"}, {"key": "key1", "value": "value1"}],
    },
]


def paths_of(error: ValidationError) -> list[str]:
    return [path for path, _ in error.errors]


@pytest.mark.parametrize("body", FROM_SERVER)
def test_the_pages_server_examples_are_sent_as_they_are(client: Client, ims_mock: MockIms, body: Any) -> None:
    job_id = client.create_whole_image_from_server(body)
    request = ims_mock.requests[-1]
    assert (request.method, request.path) == ("POST", PATH)
    assert request.json() == body
    job = client.wait_for_job(job_id, timeout=30, poll_interval=0.02)
    assert job.ok and job.job_type == "imsCreateWholeImageByInstance"
    assert job.image_ids == [job.raw["entities"]["image_id"]]
    assert [image["name"] for image in ims_mock.images] == ["instance_whole_image"]


@pytest.mark.parametrize("body", FROM_BACKUP)
def test_the_pages_backup_examples_are_sent_as_they_are(client: Client, ims_mock: MockIms, body: Any) -> None:
    job = client.wait_for_job(client.create_whole_image_from_backup(body), timeout=30, poll_interval=0.02)
    assert ims_mock.requests[0].json() == body and ims_mock.requests[0].path == PATH
    assert job.ok and job.job_type == "imsCreateWholeImageByBackup"
    assert len(job.image_ids) == 1


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"name": None}, "name"),  # name: 是 (required)
        ({"name": "x" * 129}, "name"),
        ({"name": "bad/name"}, "name"),
        ({"description": "d" * 1025}, "description"),
        ({"description": "a<b"}, "description"),
        ({"tags": ["a.1"], "image_tags": [{"key": "b", "value": "2"}]}, ""),  # tags和image_tags只能使用一个
        ({"tags": [f"k{i}.v" for i in range(11)]}, "tags"),
        ({"min_ram": -1}, "min_ram"),
        ({"max_ram": -1}, "max_ram"),
        ({"enterprise_project_id": "default"}, "enterprise_project_id"),  # 取值为0 ... 取值为UUID
    ],
)
@pytest.mark.parametrize("way", ["server", "backup"])
def test_each_shared_rule_is_checked_before_sending(
    client: Client, ims_mock: MockIms, way: str, change: dict[str, Any], path: str
) -> None:
    body: dict[str, Any] = (
        {"name": "w", "instance_id": INSTANCE} if way == "server" else {"name": "w", "backup_id": BACKUP}
    )
    body.update(change)
    body = {key: value for key, value in body.items() if value is not None}
    create = (
        client.create_whole_image_from_server if way == "server" else client.create_whole_image_from_backup
    )
    with pytest.raises(ValidationError) as raised:
        create(body)
    assert any(p.startswith(path) for p in paths_of(raised.value)), raised.value.errors
    assert ims_mock.requests == []


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"name": "w"}, "instance_id"),  # instance_id: 是 (required)
        ({"name": "w", "instance_id": "ecs-1"}, "instance_id"),
        ({"name": "w", "instance_id": INSTANCE, "vault_id": "vault-1"}, "vault_id"),
        ({"name": "w", "instance_id": INSTANCE, "whole_image_type": "CBR"}, "whole_image_type"),
        ({"name": "w", "instance_id": INSTANCE, "backup_id": BACKUP}, "backup_id"),
    ],
)
def test_the_server_shapes_rules(client: Client, body: dict[str, Any], path: str) -> None:
    with pytest.raises(ValidationError) as raised:
        client.create_whole_image_from_server(body)
    assert paths_of(raised.value) == [path]


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"name": "w"}, "backup_id"),  # backup_id: 是 (required)
        ({"name": "w", "backup_id": "b-1"}, "backup_id"),
        ({"name": "w", "backup_id": BACKUP, "whole_image_type": "cbr"}, "whole_image_type"),  # CBR or CSBS
        ({"name": "w", "backup_id": BACKUP, "vault_id": VAULT}, "vault_id"),
        ({"name": "w", "backup_id": BACKUP, "instance_id": INSTANCE}, "instance_id"),
    ],
)
def test_the_backup_shapes_rules(client: Client, body: dict[str, Any], path: str) -> None:
    with pytest.raises(ValidationError) as raised:
        client.create_whole_image_from_backup(body)
    assert paths_of(raised.value) == [path]


def test_every_violation_at_once_and_a_suggestion_for_an_unknown_key(client: Client) -> None:
    with pytest.raises(ValidationError) as raised:
        client.create_whole_image_from_backup({"name": " w", "backup-id": BACKUP, "min_ram": -1})
    messages = dict(raised.value.errors)
    assert set(messages) == {"name", "backup-id", "min_ram", "backup_id"}
    assert "did you mean 'backup_id'?" in messages["backup-id"]


def test_dataclasses_extra_and_wrong_class(client: Client, ims_mock: MockIms) -> None:
    spec = WholeBackupImage(name="w", backup_id=BACKUP, whole_image_type="CSBS", extra={"new_field": 1})
    client.create_whole_image_from_backup(spec)
    assert ims_mock.requests[0].json() == {
        "name": "w",
        "backup_id": BACKUP,
        "whole_image_type": "CSBS",
        "new_field": 1,
    }
    with pytest.raises(TypeError, match="takes a WholeServerImage or a dict"):
        client.create_whole_image_from_server(ServerImage(name="w", instance_id=INSTANCE))  # type: ignore[arg-type]
    # A dict's instance_id is the seed's system image; the dataclass says whole.
    client.create_image(WholeServerImage(name="w", instance_id=INSTANCE))
    client.create_image({"name": "w", "instance_id": INSTANCE})
    assert [r.path for r in ims_mock.requests[1:]] == [PATH, "/v2/cloudimages/action"]


def test_mixed_batches_and_dry_runs(client: Client, ims_mock: MockIms) -> None:
    specs: list[Any] = [
        ServerImage(name="s", instance_id=INSTANCE),
        WholeServerImage(name="ws", instance_id=INSTANCE, vault_id=VAULT),
        WholeBackupImage(name="wb", backup_id=BACKUP),
        WholeBackupImage(name="bad", backup_id="nope"),
    ]
    outcomes = client.create_many(specs, wait=True, poll_interval=0.02)
    assert [getattr(o, "ok", None) for o in outcomes[:3]] == [True, True, True]
    assert isinstance(outcomes[3], ValidationError)
    assert sorted(r.path for r in ims_mock.requests if r.method == "POST") == [
        PATH,
        PATH,
        "/v2/cloudimages/action",
    ]
    prepared = client.prepare(WholeBackupImage(name="wb", backup_id=BACKUP))
    assert prepared.method == "POST" and prepared.url.endswith(PATH)
    assert json.loads(prepared.body) == {"name": "wb", "backup_id": BACKUP}


def test_async_and_module_level(ims_mock: MockIms, monkeypatch: pytest.MonkeyPatch) -> None:
    async def main() -> str:
        async with AsyncClient(**ims_mock.client_args()) as client:
            return await client.create_whole_image_from_backup(WholeBackupImage(name="a", backup_id=BACKUP))

    assert asyncio.run(main())
    assert hcims.create_whole_image_from_server.__name__ == "create_whole_image_from_server"
    assert hcims.create_whole_image_from_backup.__name__ == "create_whole_image_from_backup"


def test_a_whole_image_of_an_ecs_takes_longer_its_backup_first() -> None:
    with MockIms(job_polls=2) as ims:
        client = Client(**ims.client_args())
        whole = client.create_whole_image_from_server({"name": "w", "instance_id": INSTANCE})
        plain = client.create_from_server({"name": "s", "instance_id": INSTANCE})
        tasks, plain_polls = [], 0
        while (job := client.get_job(whole)).status != "SUCCESS":
            tasks.append(job.raw["entities"].get("current_task"))
        while client.get_job(plain).status != "SUCCESS":
            plain_polls += 1
    assert len(tasks) > plain_polls
    assert tasks[0] == "CreateBackupTask" and tasks[-1] == "CreateWholeImageTask"


def sdk_for(ims: MockIms) -> ImsClient:
    credentials = BasicCredentials(ims.ak, ims.sk, ims.project_id)
    return ImsClient.new_builder().with_credentials(credentials).with_endpoints([ims.endpoint]).build()


@pytest.mark.filterwarnings("ignore:Method 'show_job' of ImsClient is deprecated:DeprecationWarning")
def test_the_official_sdk_makes_whole_images_each_way() -> None:
    with MockIms(job_polls=1) as ims:
        sdk = sdk_for(ims)
        bodies = [
            CreateWholeImageRequestBody(name="sdk-whole-ecs", instance_id=INSTANCE, vault_id=VAULT),
            CreateWholeImageRequestBody(name="sdk-whole-cbr", backup_id=BACKUP, whole_image_type="CBR"),
        ]
        for body in bodies:
            job_id = sdk.create_whole_image(CreateWholeImageRequest(body=body)).job_id
            for _ in range(10):
                job = sdk.show_job(ShowJobRequest(job_id=job_id))
                if job.status in ("SUCCESS", "FAIL"):
                    break
            assert job.status == "SUCCESS" and len(job.entities.image_id) == 36
        names = sorted(image.name for image in sdk.list_images(ListImagesRequest()).images)
        assert names == ["sdk-whole-cbr", "sdk-whole-ecs"]
        with pytest.raises(ClientRequestException) as refused:
            sdk.create_whole_image(
                CreateWholeImageRequest(body=CreateWholeImageRequestBody(name="x", backup_id="not-a-backup"))
            )
        assert refused.value.status_code == 400 and refused.value.error_code == "IMG.0001"


def test_the_command_line_makes_both_with_flags_json_and_dry_runs(ims_mock: MockIms, tmp_path: Any) -> None:
    from test_cli import posted, run

    result = run(
        ims_mock,
        "create",
        "whole-server",
        "--name",
        "w",
        "--instance-id",
        INSTANCE,
        "--vault-id",
        VAULT,
        "--tag",
        "a.1",
        "--wait",
        "--json",
        "--poll-interval",
        "0.02",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["job"]["status"] == "SUCCESS"
    path = tmp_path / "whole.json"
    path.write_text(json.dumps(FROM_BACKUP[0], ensure_ascii=False), encoding="utf-8")
    result = run(ims_mock, "create", "whole-backup", "--from-json", str(path))
    assert result.returncode == 0, result.stderr
    assert posted(ims_mock) == [
        {"name": "w", "instance_id": INSTANCE, "vault_id": VAULT, "tags": ["a.1"]},
        FROM_BACKUP[0],
    ]
    assert {r.path for r in ims_mock.requests if r.method == "POST"} == {PATH}
    dry = run(ims_mock, "create", "whole-backup", "--name", "w", "--backup-id", BACKUP, "--dry-run", "--json")
    assert dry.returncode == 0 and json.loads(dry.stdout)["url"].endswith(PATH)
    bad = run(
        ims_mock, "create", "whole-backup", "--name", "w", "--backup-id", BACKUP, "--whole-image-type", "cbr"
    )
    assert bad.returncode == 2
    helped = run(ims_mock, "create", "--help")
    assert "whole-server" in helped.stdout and "whole-backup" in helped.stdout
