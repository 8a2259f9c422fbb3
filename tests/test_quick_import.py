"""Quick import (镜像文件快速导入.md, ``POST /v2/cloudimages/quickimport/action``): the page's examples sent as
they are, one test breaking each rule of its two shapes (system image, data image), every client's call, mixed
batches, dry runs, the command line, and Huawei's own SDK importing both against the emulator."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkims.v2 import (
    ImportImageQuickRequest,
    ImsClient,
    ListImagesRequest,
    QuickImportImageByFileRequestBody,
    ShowJobRequest,
)

import hcims
from hcims import AsyncClient, Client, ObsImage, QuickImportImage, ValidationError
from hcims.testing import MockIms

PATH = "/v2/cloudimages/quickimport/action"

# The page's request examples, as printed there.
SYSTEM = [
    {
        "name": "ims_test_file",
        "description": "OBS文件制作镜像",
        "image_url": "ims-image:centos70.zvhd2",
        "os_version": "CentOS 7.0 64bit",
        "min_disk": 40,
        "type": "ECS",
        "tags": ["aaa.111", "bbb.333", "ccc.444"],
    },
    {
        "name": "ims_test_file",
        "description": "OBS文件制作镜像",
        "image_url": "ims-image:centos70.zvhd2",
        "os_version": "CentOS 7.0 64bit",
        "min_disk": 40,
        "type": "ECS",
        "image_tags": [{"key": "key2", "value": "value2"}, {"key": "key1", "value": "value1"}],
    },
]
DATA = [
    {
        "name": "ims_test_file",
        "description": "OBS文件制作镜像",
        "image_url": "ims-image:centos70.qcow2",
        "os_type": "Linux",
        "min_disk": 40,
        "type": "DataImage",
        "tags": ["aaa.111", "bbb.333", "ccc.444"],
    },
    {
        "name": "ims_test_file",
        "description": "OBS文件制作镜像",
        "image_url": "ims-image:centos70.qcow2",
        "os_type": "Linux",
        "min_disk": 40,
        "type": "DataImage",
        "image_tags": [{"key": "key2", "value": "value2"}, {"key": "key1", "value": "value1"}],
    },
]
SYSTEM_MIN = {"name": "q", "image_url": "b:o.zvhd2", "min_disk": 40, "os_version": "CentOS 7.0 64bit"}
DATA_MIN = {"name": "q", "image_url": "b:o.raw", "min_disk": 40, "type": "DataImage"}


@pytest.mark.parametrize("body", SYSTEM + DATA)
def test_the_pages_examples_are_sent_as_they_are(client: Client, ims_mock: MockIms, body: Any) -> None:
    job = client.wait_for_job(client.quick_import(body), timeout=30, poll_interval=0.02)
    request = ims_mock.requests[0]
    assert (request.method, request.path) == ("POST", PATH)
    assert request.json() == body
    assert job.ok and job.job_type == "imsQuickImportImageJob"
    assert len(job.image_ids) == 1
    assert [image["name"] for image in ims_mock.images] == ["ims_test_file"]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"name": None}, "name"),
        ({"name": " q"}, "name"),
        ({"description": "a>b"}, "description"),  # 不支持回车、<、>
        ({"description": "d" * 1025}, "description"),  # 长度不能超过1024个字符
        ({"image_url": "nocolon"}, "image_url"),  # 格式为<OBS桶名>:<OBS镜像文件名称>
        ({"image_url": None}, "image_url"),  # image_url: 是
        ({"image_url": "b:my file.raw"}, "image_url"),
        ({"min_disk": 0}, "min_disk"),  # "1-1024GB"
        ({"min_disk": 1025}, "min_disk"),
        ({"min_disk": None}, "min_disk"),  # min_disk: 是
        ({"tags": ["a.1"], "image_tags": [{"key": "b", "value": "2"}]}, ""),  # tags和image_tags只能使用一个
        ({"enterprise_project_id": "x"}, "enterprise_project_id"),
        ({"type": "IsoImage"}, "type"),  # 系统盘镜像为ECS/BMS ... 数据盘镜像为DataImage
    ],
)
@pytest.mark.parametrize("shape", [SYSTEM_MIN, DATA_MIN])
def test_each_shared_rule_is_checked_before_sending(
    client: Client, ims_mock: MockIms, shape: dict[str, Any], change: dict[str, Any], path: str
) -> None:
    body = {key: value for key, value in {**shape, **change}.items() if value is not None}
    with pytest.raises(ValidationError) as raised:
        client.quick_import(body)
    assert any(p.startswith(path) for p, _ in raised.value.errors), raised.value.errors
    assert ims_mock.requests == []


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({k: v for k, v in SYSTEM_MIN.items() if k != "os_version"}, "os_version"),  # os_version: 是
        ({**SYSTEM_MIN, "os_version": ""}, "os_version"),
        ({**SYSTEM_MIN, "os_type": "Linux"}, "os_type"),  # a data image's field
        ({**SYSTEM_MIN, "architecture": "aarch64"}, "architecture"),  # x86 or arm
        ({**DATA_MIN, "os_type": "Other"}, "os_type"),  # 取值为Linux或Windows
        ({**DATA_MIN, "os_version": "CentOS 7.0 64bit"}, "os_version"),  # a system image's field
        ({**DATA_MIN, "architecture": "x86"}, "architecture"),
        ({**SYSTEM_MIN, "os_versoin": "x"}, "os_versoin"),
    ],
)
def test_each_shapes_rules(client: Client, body: dict[str, Any], path: str) -> None:
    with pytest.raises(ValidationError) as raised:
        client.quick_import(body)
    assert path in [p for p, _ in raised.value.errors], raised.value.errors


def test_a_misspelt_key_gets_a_suggestion() -> None:
    with pytest.raises(ValidationError) as raised:
        Client(endpoint="http://127.0.0.1:9", ak="a", sk="s", project_id="p", region="r").quick_import(
            {**SYSTEM_MIN, "min_disc": 40}
        )
    assert "did you mean 'min_disk'?" in dict(raised.value.errors)["min_disc"]


def test_shapes_that_pass(client: Client, ims_mock: MockIms) -> None:
    client.quick_import(
        QuickImportImage(name="b", image_url="b:o", min_disk=1, os_version="CentOS 7.0 64bit", type="BMS")
    )
    client.quick_import(
        QuickImportImage(
            name="a", image_url="b:o", min_disk=1024, os_version="CentOS 7.0 64bit", architecture="arm"
        )
    )
    client.quick_import(
        QuickImportImage(name="w", image_url="b:o", min_disk=40, type="DataImage", os_type="Windows")
    )
    assert [r.json()["name"] for r in ims_mock.requests] == ["b", "a", "w"]
    with pytest.raises(TypeError, match="takes a QuickImportImage or a dict"):
        client.quick_import(ObsImage(name="o", image_url="b:o", min_disk=40))  # type: ignore[arg-type]


def test_mixed_batches_dry_runs_async_and_module_level(client: Client, ims_mock: MockIms) -> None:
    specs: list[Any] = [
        ObsImage(name="o", image_url="b:o.qcow2", min_disk=40),
        QuickImportImage(**SYSTEM_MIN),
        QuickImportImage(**DATA_MIN),
    ]
    outcomes = client.create_many(specs, wait=True, poll_interval=0.02)
    assert [getattr(o, "ok", None) for o in outcomes] == [True, True, True]
    assert sorted(r.path for r in ims_mock.requests if r.method == "POST") == [
        "/v2/cloudimages/action",
        PATH,
        PATH,
    ]
    prepared = client.prepare(QuickImportImage(**DATA_MIN))
    assert prepared.url.endswith(PATH) and json.loads(prepared.body) == DATA_MIN

    async def main() -> str:
        async with AsyncClient(**ims_mock.client_args()) as async_client:
            return await async_client.quick_import(SYSTEM_MIN)

    assert asyncio.run(main())
    assert hcims.quick_import.__name__ == "quick_import"


def test_the_command_line(ims_mock: MockIms, tmp_path: Any) -> None:
    from test_cli import posted, run

    args = ["--name", "q", "--image-url", "b:o.zvhd2", "--min-disk", "40", "--os-version", "CentOS 7.0 64bit"]
    result = run(
        ims_mock,
        "create",
        "quick-import",
        *args,
        "--type",
        "BMS",
        "--wait",
        "--json",
        "--poll-interval",
        "0.02",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["job"]["status"] == "SUCCESS"
    path = tmp_path / "quick.json"
    path.write_text(json.dumps(DATA[0], ensure_ascii=False), encoding="utf-8")
    assert run(ims_mock, "create", "quick-import", "--from-json", str(path)).returncode == 0
    assert posted(ims_mock) == [{**SYSTEM_MIN, "type": "BMS"}, DATA[0]]
    dry = run(ims_mock, "create", "quick-import", "--from-json", str(path), "--dry-run", "--json")
    assert dry.returncode == 0 and json.loads(dry.stdout)["url"].endswith(PATH)
    bad = run(ims_mock, "create", "quick-import", "--name", "q", "--image-url", "b:o", "--min-disk", "40")
    assert bad.returncode == 2 and "os_version" in bad.stderr


@pytest.mark.filterwarnings("ignore:Method 'show_job' of ImsClient is deprecated:DeprecationWarning")
def test_the_official_sdk_imports_a_system_and_a_data_image() -> None:
    with MockIms(job_polls=1) as ims:
        credentials = BasicCredentials(ims.ak, ims.sk, ims.project_id)
        sdk = ImsClient.new_builder().with_credentials(credentials).with_endpoints([ims.endpoint]).build()
        bodies = [
            QuickImportImageByFileRequestBody(
                name="sdk-quick-sys",
                image_url="ims-image:c7.zvhd2",
                min_disk=40,
                os_version="CentOS 7.0 64bit",
            ),
            QuickImportImageByFileRequestBody(
                name="sdk-quick-data",
                image_url="ims-image:d.raw",
                min_disk=100,
                type="DataImage",
                os_type="Linux",
            ),
        ]
        for body in bodies:
            job_id = sdk.import_image_quick(ImportImageQuickRequest(body=body)).job_id
            for _ in range(10):
                job = sdk.show_job(ShowJobRequest(job_id=job_id))
                if job.status in ("SUCCESS", "FAIL"):
                    break
            assert job.status == "SUCCESS"
        names = sorted(image.name for image in sdk.list_images(ListImagesRequest()).images)
        assert names == ["sdk-quick-data", "sdk-quick-sys"]
        with pytest.raises(ClientRequestException) as refused:
            body = QuickImportImageByFileRequestBody(name="x", image_url="b:o", min_disk=40)
            sdk.import_image_quick(ImportImageQuickRequest(body=body))
        assert refused.value.status_code == 400 and refused.value.error_code == "IMG.0056"
