"""Creating images through the client, against the emulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import re

import pytest
from conftest import lower_headers

import hcims
from hcims import (
    Client,
    DataImage,
    ObsDataImage,
    ObsImage,
    ServerDataImages,
    ServerImage,
    Tag,
    VolumeImage,
)
from hcims.testing import MockIms

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
VOLUME = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def posts(ims: MockIms) -> list:
    return [r for r in ims.requests if r.method == "POST"]


def test_create_from_server_sends_the_spec_signed(client: Client, ims_mock: MockIms) -> None:
    spec = ServerImage(name="web", instance_id=INSTANCE, description="d", tags=["env.prod", "team.a"])
    job_id = client.create_from_server(spec)
    assert JOB_ID.match(job_id)
    [request] = posts(ims_mock)
    assert request.path == "/v2/cloudimages/action"
    assert request.json() == {
        "name": "web",
        "instance_id": INSTANCE,
        "description": "d",
        "tags": ["env.prod", "team.a"],
    }
    headers = lower_headers(request.headers)
    assert headers["authorization"].startswith("SDK-HMAC-SHA256 Access=" + ims_mock.ak + ", SignedHeaders=")
    assert headers["x-project-id"] == ims_mock.project_id
    assert re.match(r"^\d{8}T\d{6}Z$", headers["x-sdk-date"])
    assert headers["content-type"].startswith("application/json")


def test_each_way_waits_to_image_ids(client: Client) -> None:
    cases = [
        (
            client.create_from_server,
            ServerImage(name="s", instance_id=INSTANCE),
            "imsCreateImageByInstance",
            1,
        ),
        (
            client.create_data_images_from_server,
            ServerDataImages(
                data_images=[
                    DataImage(name="d1", volume_id=VOLUME),
                    DataImage(name="d2", volume_id=INSTANCE, image_tags=[Tag("k", "v")]),
                ]
            ),
            "imsVolumesToSysDataImagesJob",
            2,
        ),
        (
            client.create_from_obs,
            ObsImage(
                name="o",
                image_url="bucket:disk.qcow2",
                min_disk=40,
                os_version="CentOS 7.0 64bit",
                data_images=[ObsDataImage(image_url="bucket:data.qcow2", min_disk=10)],
            ),
            "imsImportImageJob",
            2,
        ),
        (
            client.create_from_volume,
            VolumeImage(name="v", volume_id=VOLUME, os_version="CentOS 7.0 64bit"),
            "imsVolumeCreateImageJob",
            1,
        ),
    ]
    for create, spec, job_type, image_count in cases:
        job_id = create(spec)
        job = client.wait_for_job(job_id, timeout=30, poll_interval=0.02)
        assert job.id == job_id
        assert job.ok and job.done and job.status == "SUCCESS"
        assert job.job_type == job_type
        assert len(job.image_ids) == image_count, job
        assert all(UUID.match(i) for i in job.image_ids)
        assert job.progress == 1.0
        assert job.raw["job_id"] == job_id


def test_data_image_jobs_have_ids_only_in_sub_jobs(client: Client) -> None:
    job_id = client.create_data_images_from_server({"data_images": [{"name": "d", "volume_id": VOLUME}]})
    job = client.wait_for_job(job_id, poll_interval=0.02)
    assert job.image_id is None
    assert job.image_ids == [job.raw["entities"]["sub_jobs_result"][0]["entities"]["image_id"]]


def test_get_job_sees_progress(client: Client) -> None:
    job_id = client.create_from_server({"name": "p", "instance_id": INSTANCE})
    seen = []
    job = client.get_job(job_id)
    while not job.done:
        seen.append(job.status)
        job = client.get_job(job_id)
    assert job.ok
    assert seen and set(seen) <= {"INIT", "RUNNING"}


def test_failed_job_raises_with_the_job() -> None:
    with MockIms(fail_pattern="broken") as ims:
        client = Client(**ims.client_args())
        job_id = client.create_from_server({"name": "broken-image", "instance_id": INSTANCE})
        with pytest.raises(hcims.JobFailedError) as info:
            client.wait_for_job(job_id, poll_interval=0.02)
    job = info.value.job
    assert job.id == job_id and job.status == "FAIL" and not job.ok and job.done
    assert job.error_code and job.fail_reason
    assert job_id in str(info.value)


def test_wait_times_out_with_the_last_job() -> None:
    with MockIms(job_polls=10_000) as ims:
        client = Client(**ims.client_args())
        job_id = client.create_from_server({"name": "slow", "instance_id": INSTANCE})
        with pytest.raises(hcims.JobTimeoutError) as info:
            client.wait_for_job(job_id, timeout=0.3, poll_interval=0.05)
    assert isinstance(info.value, TimeoutError)
    assert info.value.job_id == job_id
    assert info.value.last_job is not None and info.value.last_job.status in ("INIT", "RUNNING")


def test_unknown_job_is_not_found(client: Client) -> None:
    with pytest.raises(hcims.NotFoundError) as info:
        client.get_job("ffffffffffffffffffffffffffffffff")
    assert info.value.status == 404
    assert info.value.request_id


def test_job_id_that_would_change_the_path_is_refused(client: Client, ims_mock: MockIms) -> None:
    with pytest.raises(hcims.ValidationError) as info:
        client.get_job("../../v2/cloudimages")
    assert info.value.errors[0][0] == "job_id"
    assert ims_mock.requests == []


def test_invalid_spec_sends_nothing(client: Client, ims_mock: MockIms) -> None:
    with pytest.raises(hcims.ValidationError) as info:
        client.create_from_obs({"name": "", "image_url": "no-colon", "min_disk": 4096})
    paths = {path for path, _ in info.value.errors}
    assert {"name", "image_url", "min_disk"} <= paths
    assert ims_mock.requests == []


def test_wrong_dataclass_for_the_method_is_a_type_error(client: Client, ims_mock: MockIms) -> None:
    with pytest.raises(TypeError, match="create_from_server"):
        client.create_from_server(VolumeImage(name="v", volume_id=VOLUME, os_version="CentOS 7.0 64bit"))
    assert ims_mock.requests == []


def test_create_image_reads_the_way_from_dataclass_and_dict(client: Client, ims_mock: MockIms) -> None:
    client.create_image(VolumeImage(name="v", volume_id=VOLUME, os_version="CentOS 7.0 64bit"))
    client.create_image({"name": "s", "instance_id": INSTANCE})
    bodies = [r.json() for r in posts(ims_mock)]
    assert bodies[0]["volume_id"] == VOLUME and bodies[1]["instance_id"] == INSTANCE


def test_model_dump_objects_are_accepted(client: Client, ims_mock: MockIms) -> None:
    class Model:
        def model_dump(self, **_: object) -> dict:
            return {"name": "from-model", "instance_id": INSTANCE}

    client.create_from_server(Model())
    assert posts(ims_mock)[0].json() == {"name": "from-model", "instance_id": INSTANCE}


def test_extra_fields_go_through(client: Client, ims_mock: MockIms) -> None:
    client.create_from_obs(
        ObsImage(name="o", image_url="b:o.qcow2", min_disk=40, is_config_init=True, extra={"x_new_field": 1})
    )
    body = posts(ims_mock)[0].json()
    assert body["is_config_init"] is True and body["x_new_field"] == 1 and "extra" not in body


def test_extra_may_not_shadow_a_field(client: Client, ims_mock: MockIms) -> None:
    with pytest.raises(hcims.ValidationError) as info:
        client.create_from_obs(ObsImage(name="o", image_url="b:o.qcow2", min_disk=40, extra={"min_disk": 1}))
    assert any("min_disk" in path for path, _ in info.value.errors)
    assert ims_mock.requests == []


def test_security_token_is_sent_and_signed() -> None:
    with MockIms(security_token="temporary-token-value") as ims:
        args = ims.client_args()
        assert args["security_token"] == "temporary-token-value"
        client = Client(**args)
        assert client.auth_kind == "temporary-aksk"
        client.create_from_server({"name": "t", "instance_id": INSTANCE})
        headers = lower_headers(posts(ims)[0].headers)
    assert headers["x-security-token"] == "temporary-token-value"
    assert "x-security-token" in headers["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")


def test_iam_token_instead_of_signature() -> None:
    with MockIms(auth_token="an-iam-token") as ims:
        client = Client(endpoint=ims.endpoint, project_id=ims.project_id, auth_token="an-iam-token")
        assert client.auth_kind == "token"
        job_id = client.create_from_server({"name": "t", "instance_id": INSTANCE})
        assert client.wait_for_job(job_id, poll_interval=0.02).ok
        headers = lower_headers(posts(ims)[0].headers)
    assert headers["x-auth-token"] == "an-iam-token"
    assert "authorization" not in headers
    assert headers["x-project-id"] == ims.project_id


def test_wrong_secret_key_is_an_authentication_error(ims_mock: MockIms) -> None:
    args = dict(ims_mock.client_args(), sk="not-the-right-secret-key")
    with pytest.raises(hcims.AuthenticationError) as info:
        Client(**args).create_from_server({"name": "x", "instance_id": INSTANCE})
    assert info.value.status == 401
    assert info.value.code == "APIGW.0301"
    assert info.value.request_id
    assert not info.value.maybe_sent
    assert "not-the-right-secret-key" not in str(info.value)


@pytest.mark.parametrize(
    ("status", "body", "cls", "code", "message"),
    [
        (
            400,
            {"error": {"code": "IMG.0009", "message": "name exists"}},
            hcims.BadRequestError,
            "IMG.0009",
            "name exists",
        ),
        (
            403,
            {"error_code": "APIGW.0302", "error_msg": "not authorised", "request_id": "rid-1"},
            hcims.PermissionDeniedError,
            "APIGW.0302",
            "not authorised",
        ),
        (404, {"code": "IMG.0001", "message": "gone"}, hcims.NotFoundError, "IMG.0001", "gone"),
        (409, {"code": "X.1", "message": "conflict"}, hcims.ApiError, "X.1", "conflict"),
    ],
)
def test_error_body_shapes(
    client: Client, ims_mock: MockIms, status: int, body: dict, cls: type, code: str, message: str
) -> None:
    ims_mock.add_fault(
        method="POST", path="/v2/cloudimages/action", status=status, body=json.dumps(body), times=1
    )
    with pytest.raises(cls) as info:
        client.create_from_server({"name": "e", "instance_id": INSTANCE})
    err = info.value
    assert type(err) is cls
    assert (err.status, err.code, err.message) == (status, code, message)
    assert err.request_id
    assert err.body == json.dumps(body)
    assert not err.maybe_sent
    assert len(posts(ims_mock)) == 1


def test_server_error_on_create_is_not_retried_and_may_have_acted(client: Client, ims_mock: MockIms) -> None:
    ims_mock.add_fault(method="POST", path="/v2/cloudimages/action", status=500, body="oops", times=1)
    with pytest.raises(hcims.ServerError) as info:
        client.create_from_server({"name": "e", "instance_id": INSTANCE})
    assert info.value.maybe_sent
    assert "may still have acted" in str(info.value)
    assert len(posts(ims_mock)) == 1


def test_throttled_create_is_retried(client: Client, ims_mock: MockIms) -> None:
    body = {"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached"}
    ims_mock.add_fault(
        method="POST", path="/v2/cloudimages/action", status=429, body=json.dumps(body), times=1
    )
    job_id = client.create_from_server({"name": "e", "instance_id": INSTANCE})
    assert JOB_ID.match(job_id)
    assert len(posts(ims_mock)) == 2


def test_job_polling_survives_a_server_error(client: Client, ims_mock: MockIms) -> None:
    job_id = client.create_from_server({"name": "e", "instance_id": INSTANCE})
    ims_mock.add_fault(
        method="GET", path=f"/v1/{ims_mock.project_id}/jobs/{job_id}", status=503, body="", times=1
    )
    assert client.wait_for_job(job_id, poll_interval=0.02).ok


def test_prepare_is_signed_masked_and_sends_nothing(client: Client, ims_mock: MockIms) -> None:
    prepared = client.prepare(ServerImage(name="web", instance_id=INSTANCE))
    assert prepared.method == "POST"
    assert prepared.url == ims_mock.endpoint + "/v2/cloudimages/action"
    assert json.loads(prepared.body) == {"name": "web", "instance_id": INSTANCE}
    headers = dict(prepared.headers)
    assert headers["Authorization"].endswith("Signature=***")
    assert f"Access={ims_mock.ak}" in headers["Authorization"]
    curl = prepared.to_curl()
    assert curl.startswith("curl -X POST '" + ims_mock.endpoint + "/v2/cloudimages/action'")
    assert "--data-binary" in curl
    for text in (curl, str(prepared), repr(prepared), repr(client)):
        assert ims_mock.sk not in text
    assert ims_mock.requests == []


def test_prepare_masks_tokens() -> None:
    with MockIms(security_token="temporary-token-value") as ims:
        prepared = Client(**ims.client_args()).prepare({"name": "t", "instance_id": INSTANCE})
    assert dict(prepared.headers)["X-Security-Token"] == "***"
    assert "temporary-token-value" not in prepared.to_curl() + str(prepared)


def test_connection_refused_is_a_retryable_transport_error(ims_mock: MockIms) -> None:
    endpoint = ims_mock.endpoint
    args = dict(ims_mock.client_args(), retries=0)
    ims_mock.stop()
    with pytest.raises(hcims.TransportError) as info:
        Client(**args).create_from_server({"name": "x", "instance_id": INSTANCE})
    assert info.value.retryable and not info.value.maybe_sent
    assert endpoint.split("//")[1] in str(info.value) or "connect" in str(info.value)


def test_read_timeout_on_create_may_have_acted(client: Client, ims_mock: MockIms) -> None:
    ims_mock.add_fault(
        method="POST", path="/v2/cloudimages/action", status=200, body="{}", delay=2.0, times=1
    )
    quick = Client(**dict(ims_mock.client_args(), timeout=0.3))
    with pytest.raises(hcims.TransportError) as info:
        quick.create_from_server({"name": "x", "instance_id": INSTANCE})
    assert info.value.maybe_sent and not info.value.retryable
    assert len(posts(ims_mock)) == 1
