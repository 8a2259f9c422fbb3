"""Huawei's own SDK client (huaweicloudsdkims) against the emulator: proof that it speaks Huawei's
protocol (signatures, paths, bodies, job and image documents), not only ours."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkims.v2 import (
    CreateDataImage,
    CreateImageRequest,
    CreateImageRequestBody,
    ImsClient,
    ListImagesRequest,
    ShowJobProgressRequest,
    ShowJobRequest,
)

from hcims.testing import MockIms

INSTANCE_ID = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
VOLUME_ID = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"

pytestmark = pytest.mark.filterwarnings(
    "ignore:Method 'show_job' of ImsClient is deprecated:DeprecationWarning"
)


@pytest.fixture
def ims() -> Iterator[MockIms]:
    with MockIms(job_polls=1) as ims:
        yield ims


@pytest.fixture
def sdk(ims: MockIms) -> ImsClient:
    credentials = BasicCredentials(ims.ak, ims.sk, ims.project_id)
    return ImsClient.new_builder().with_credentials(credentials).with_endpoints([ims.endpoint]).build()


def run_to_success(sdk: ImsClient, body: CreateImageRequestBody) -> Any:
    """Creates through the SDK and polls the job with the SDK's own ShowJob until it ends."""
    job_id = sdk.create_image(CreateImageRequest(body=body)).job_id
    statuses = []
    for _ in range(10):
        job = sdk.show_job(ShowJobRequest(job_id=job_id))
        statuses.append(job.status)
        if job.status in ("SUCCESS", "FAIL"):
            break
    assert statuses == ["RUNNING", "SUCCESS"]
    assert job.job_id == job_id
    return job


def test_a_system_image_from_a_server(sdk: ImsClient, ims: MockIms) -> None:
    job = run_to_success(sdk, CreateImageRequestBody(name="sdk-server", instance_id=INSTANCE_ID))
    assert job.job_type == "imsCreateImageByInstance"
    assert job.entities.image_name == "sdk-server"
    assert len(job.entities.image_id) == 36
    assert ims.requests[0].json() == {"name": "sdk-server", "instance_id": INSTANCE_ID}


def test_data_images_from_a_servers_volumes(sdk: ImsClient) -> None:
    body = CreateImageRequestBody(
        data_images=[
            CreateDataImage(name="sdk-data-1", volume_id=VOLUME_ID),
            CreateDataImage(name="sdk-data-2", volume_id="0e7a1f4b-5e65-4c2b-a2f5-1b9b2a0f6c11"),
        ]
    )
    job = run_to_success(sdk, body)
    assert job.job_type == "imsVolumesToSysDataImagesJob"
    assert job.entities.image_id is None
    subs = job.entities.sub_jobs_result
    assert [sub.entities.image_name for sub in subs] == ["sdk-data-1", "sdk-data-2"]
    assert all(sub.status == "SUCCESS" and len(sub.entities.image_id) == 36 for sub in subs)


def test_an_image_from_an_obs_file(sdk: ImsClient) -> None:
    body = CreateImageRequestBody(
        name="sdk-obs", image_url="ims-image:centos70.qcow2", min_disk=40, os_version="CentOS 7.0 64bit"
    )
    job = run_to_success(sdk, body)
    assert job.job_type == "imsImportImageJob"
    assert job.entities.image_name == "sdk-obs"


def test_a_system_image_from_a_volume(sdk: ImsClient) -> None:
    body = CreateImageRequestBody(
        name="sdk-volume", volume_id=VOLUME_ID, os_version="CentOS 7.0 64bit", type="ECS"
    )
    job = run_to_success(sdk, body)
    assert job.job_type == "imsVolumeCreateImageJob"
    assert job.entities.image_name == "sdk-volume"


def test_the_progress_api_reports_a_running_job(sdk: ImsClient) -> None:
    body = CreateImageRequestBody(name="sdk-progress", instance_id=INSTANCE_ID)
    job_id = sdk.create_image(CreateImageRequest(body=body)).job_id
    progress = sdk.show_job_progress(ShowJobProgressRequest(job_id=job_id))
    assert progress.status == "RUNNING"
    assert progress.entities.process_percent == 0.5
    assert progress.entities.current_task == "CreateImageByInstanceTask"


def test_list_images_finds_a_finished_image_by_name(sdk: ImsClient) -> None:
    job = run_to_success(sdk, CreateImageRequestBody(name="sdk-listed", instance_id=INSTANCE_ID))
    listed = sdk.list_images(ListImagesRequest(name="sdk-listed", imagetype="private", limit=10)).images
    assert [(image.id, image.status, image.imagetype) for image in listed] == [
        (job.entities.image_id, "active", "private")
    ]
    assert listed[0].os_version == "Other Linux(64 bit)"
    assert sdk.list_images(ListImagesRequest(name="never-made")).images == []


def test_ims_errors_reach_the_sdk_with_their_code_and_request_id(sdk: ImsClient) -> None:
    with pytest.raises(ClientRequestException) as raised:
        sdk.create_image(
            CreateImageRequest(body=CreateImageRequestBody(name="bad<name>", instance_id=INSTANCE_ID))
        )
    assert raised.value.status_code == 400
    assert raised.value.error_code == "IMG.0003"
    assert len(raised.value.request_id) == 32
