"""Data images from an OBS file (使用外部镜像文件制作数据镜像.md, ``POST /v1/cloudimages/dataimages/action``): the
page's examples sent as they are, one test breaking each rule, every client's call, mixed batches, dry runs, the
command line, and Huawei's own SDK making one against the emulator."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkims.v2 import (
    CreateDataImageRequest,
    CreateDataImageRequestBody,
    ImsClient,
    ListImagesRequest,
    ShowJobRequest,
)

import hcims
from hcims import AsyncClient, Client, ObsDataImageFile, ServerImage, ValidationError
from hcims.testing import MockIms

PATH = "/v1/cloudimages/dataimages/action"
INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"

# The page's request examples, as printed there.
EXAMPLES = [
    {
        "name": "fedora-data1",
        "image_url": "image-test:fedora_data1.qcow2",
        "description": "fedora的数据盘1",
        "min_disk": 40,
        "tags": ["aaa.111", "bbb.222"],
        "os_type": "Linux",
    },
    {
        "name": "fedora-data2",
        "image_url": "image-test:fedora_data1.qcow2",
        "description": "fedora的数据盘2",
        "min_disk": 40,
        "image_tags": [{"key": "aaa", "value": "111"}, {"key": "bbb", "value": "222"}],
        "os_type": "Linux",
    },
]
MINIMAL = {"name": "d", "image_url": "b:o.qcow2", "min_disk": 40}


@pytest.mark.parametrize("body", EXAMPLES)
def test_the_pages_examples_are_sent_as_they_are(client: Client, ims_mock: MockIms, body: Any) -> None:
    job = client.wait_for_job(client.create_data_image_from_obs(body), timeout=30, poll_interval=0.02)
    request = ims_mock.requests[0]
    assert (request.method, request.path) == ("POST", PATH)
    assert request.json() == body
    assert job.ok and job.image_ids == [job.raw["entities"]["image_id"]]
    assert [(i["name"], i["virtual_env_type"]) for i in ims_mock.images] == [(body["name"], "DataImage")]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"name": None}, "name"),  # name: 是
        ({"name": "a" * 129}, "name"),
        ({"description": "a\nb"}, "description"),  # 不支持回车、<、>
        ({"description": "d" * 1025}, "description"),  # 长度不能超过1024个字符
        ({"os_type": "Other"}, "os_type"),  # 只能是Windows、Linux二者之一
        ({"os_type": "linux"}, "os_type"),
        ({"image_url": "nocolon"}, "image_url"),  # 格式为<OBS桶名>:<OBS镜像文件名称>
        ({"image_url": None}, "image_url"),
        ({"min_disk": 39}, "min_disk"),  # 取值范围40-2048GB
        ({"min_disk": 2049}, "min_disk"),
        ({"min_disk": None}, "min_disk"),
        ({"tags": ["a.1"], "image_tags": [{"key": "b", "value": "2"}]}, ""),  # tags和image_tags只能使用一个
        ({"tags": [f"k{i}.v" for i in range(11)]}, "tags"),
        ({"enterprise_project_id": "x"}, "enterprise_project_id"),
        ({"os-type": "Linux"}, "os-type"),
    ],
)
def test_each_rule_is_checked_before_sending(
    client: Client, ims_mock: MockIms, change: dict[str, Any], path: str
) -> None:
    body = {key: value for key, value in {**MINIMAL, **change}.items() if value is not None}
    with pytest.raises(ValidationError) as raised:
        client.create_data_image_from_obs(body)
    assert any(p.startswith(path) for p, _ in raised.value.errors), raised.value.errors
    assert ims_mock.requests == []


def test_suggestion_all_violations_dataclass_and_wrong_class(client: Client, ims_mock: MockIms) -> None:
    with pytest.raises(ValidationError) as raised:
        client.create_data_image_from_obs(
            {"name": " d", "image_url": "b:o", "min_disk": 1, "os-type": "Linux"}
        )
    errors = dict(raised.value.errors)
    assert set(errors) == {"name", "min_disk", "os-type"}
    assert errors["os-type"].endswith("did you mean 'os_type'?")
    spec = ObsDataImageFile(name="d", image_url="b:o", min_disk=2048, os_type="Windows", cmk_id="key-1")
    client.create_data_image_from_obs(spec)
    assert ims_mock.requests[0].json()["cmk_id"] == "key-1"
    with pytest.raises(TypeError, match="takes a ObsDataImageFile or a dict"):
        client.create_data_image_from_obs(ServerImage(name="s", instance_id=INSTANCE))  # type: ignore[arg-type]


def test_mixed_batches_dry_runs_async_and_module_level(client: Client, ims_mock: MockIms) -> None:
    specs: list[Any] = [ServerImage(name="s", instance_id=INSTANCE), ObsDataImageFile(**MINIMAL)]
    outcomes = client.create_many(specs, wait=True, poll_interval=0.02)
    assert [getattr(o, "ok", None) for o in outcomes] == [True, True]
    assert sorted(r.path for r in ims_mock.requests if r.method == "POST") == [PATH, "/v2/cloudimages/action"]
    prepared = client.prepare(ObsDataImageFile(**MINIMAL))
    assert prepared.url.endswith(PATH) and json.loads(prepared.body) == MINIMAL

    async def main() -> str:
        async with AsyncClient(**ims_mock.client_args()) as async_client:
            return await async_client.create_data_image_from_obs(MINIMAL)

    assert asyncio.run(main())
    assert hcims.create_data_image_from_obs.__name__ == "create_data_image_from_obs"


def test_the_command_line(ims_mock: MockIms, tmp_path: Any) -> None:
    from test_cli import posted, run

    args = ["--name", "d", "--image-url", "b:o.qcow2", "--min-disk", "40", "--os-type", "Windows"]
    result = run(ims_mock, "create", "obs-data-image", *args, "--wait", "--json", "--poll-interval", "0.02")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["job"]["status"] == "SUCCESS"
    path = tmp_path / "data.json"
    path.write_text(json.dumps(EXAMPLES[1], ensure_ascii=False), encoding="utf-8")
    assert run(ims_mock, "create", "obs-data-image", "--from-json", str(path)).returncode == 0
    assert posted(ims_mock) == [{**MINIMAL, "os_type": "Windows"}, EXAMPLES[1]]
    dry = run(ims_mock, "create", "obs-data-image", "--from-json", str(path), "--dry-run", "--json")
    assert dry.returncode == 0 and json.loads(dry.stdout)["url"].endswith(PATH)
    assert (
        run(
            ims_mock, "create", "obs-data-image", "--name", "d", "--image-url", "b:o", "--min-disk", "5"
        ).returncode
        == 2
    )


@pytest.mark.filterwarnings("ignore:Method 'show_job' of ImsClient is deprecated:DeprecationWarning")
def test_the_official_sdk_makes_a_data_image() -> None:
    with MockIms(job_polls=1) as ims:
        credentials = BasicCredentials(ims.ak, ims.sk, ims.project_id)
        sdk = ImsClient.new_builder().with_credentials(credentials).with_endpoints([ims.endpoint]).build()
        body = CreateDataImageRequestBody(
            name="sdk-data-file", image_url="image-test:fedora_data1.qcow2", min_disk=40, os_type="Linux"
        )
        job_id = sdk.create_data_image(CreateDataImageRequest(body=body)).job_id
        for _ in range(10):
            job = sdk.show_job(ShowJobRequest(job_id=job_id))
            if job.status in ("SUCCESS", "FAIL"):
                break
        assert job.status == "SUCCESS" and len(job.entities.image_id) == 36
        assert [image.name for image in sdk.list_images(ListImagesRequest()).images] == ["sdk-data-file"]
        with pytest.raises(ClientRequestException) as refused:
            bad = CreateDataImageRequestBody(name="x", image_url="b:o", min_disk=4096)
            sdk.create_data_image(CreateDataImageRequest(body=bad))
        assert refused.value.status_code == 400 and refused.value.error_code == "IMG.0055"
