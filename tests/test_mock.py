"""The IMS emulator from Python, checked with Huawei's own signer and SDK client."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from hcims.testing import MockIms, RecordedRequest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

ACTION = "/v2/cloudimages/action"
INSTANCE_ID = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"

# Request bodies from the API page, one per way of making an image.
SERVER_IMAGE = {"name": "ims_test", "description": "from a server", "instance_id": INSTANCE_ID,
                "tags": ["aaa.111", "bbb.333", "ccc.444"]}  # fmt: skip
DATA_IMAGES = {
    "data_images": [
        {"name": "ims_data_image_test", "volume_id": "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"},
        {"name": "ims_data_image_two", "volume_id": "0e7a1f4b-5e65-4c2b-a2f5-1b9b2a0f6c11"},
    ]
}
OBS_IMAGE = {"name": "ims_test_file", "image_url": "ims-image:centos70.qcow2", "os_version": "CentOS 7.0 64bit",
             "is_config_init": True, "min_disk": 40, "is_config": True}  # fmt: skip
VOLUME_IMAGE = {"name": "ims_test", "volume_id": INSTANCE_ID, "type": "ECS", "os_version": "CentOS 7.0 64bit"}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    ims: MockIms,
    method: str,
    path: str,
    body: Any | None = None,
    *,
    ak: str | None = None,
    sk: str | None = None,
    token: str | None = None,
    tamper: bool = False,
) -> Answer:
    """Sends one request signed by huaweicloudsdkcore's Signer (or with an IAM token) over urllib."""
    data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    headers = {"Content-Type": "application/json", "X-Project-Id": ims.project_id}
    if token is not None:
        headers["X-Auth-Token"] = token
    else:
        request = SdkRequest(
            method=method,
            schema="http",
            host=urlsplit(ims.endpoint).netloc,
            resource_path=path,
            query_params=[],
            header_params=headers,
            body=data,
        )
        Signer(BasicCredentials(ak or ims.ak, sk or ims.sk)).sign(request)
        headers = request.header_params
        if tamper:
            data = data.replace(b"ims_test", b"ims_tset")
    prepared = urllib.request.Request(ims.endpoint + path, data=data or None, headers=headers, method=method)
    try:
        with urllib.request.urlopen(prepared, timeout=10) as response:
            return Answer(
                response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
            )
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def create(ims: MockIms, body: Any) -> str:
    answer = call(ims, "POST", ACTION, body)
    assert answer.status == 200, answer.body
    job_id: str = answer.json()["job_id"]
    return job_id


def poll_to_end(ims: MockIms, job_id: str) -> tuple[list[str], dict[str, Any]]:
    statuses: list[str] = []
    for _ in range(20):
        answer = call(ims, "GET", f"/v1/{ims.project_id}/jobs/{job_id}")
        assert answer.status == 200, answer.body
        job: dict[str, Any] = answer.json()
        statuses.append(job["status"])
        if job["status"] in ("SUCCESS", "FAIL"):
            return statuses, job
    raise AssertionError(f"job {job_id} never ended: {statuses}")


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and [len(part) for part in value.split("-")] == [8, 4, 4, 4, 12]


@pytest.mark.parametrize(
    ("body", "job_type"),
    [
        (SERVER_IMAGE, "imsCreateImageByInstance"),
        (OBS_IMAGE, "imsImportImageJob"),
        (VOLUME_IMAGE, "imsVolumeCreateImageJob"),
    ],
)
def test_each_system_image_mode_runs_to_success_with_an_image_id(
    ims_mock: MockIms, body: dict[str, Any], job_type: str
) -> None:
    statuses, job = poll_to_end(ims_mock, create(ims_mock, body))
    assert statuses == ["RUNNING", "RUNNING", "SUCCESS"]
    assert job["job_type"] == job_type
    assert job["entities"]["image_name"] == body["name"]
    assert is_uuid(job["entities"]["image_id"])
    assert job["error_code"] is None and job["fail_reason"] is None
    assert job["end_time"].endswith("Z") and len(job["end_time"]) == 24


def test_data_images_run_to_success_with_ids_only_in_sub_jobs(ims_mock: MockIms) -> None:
    _, job = poll_to_end(ims_mock, create(ims_mock, DATA_IMAGES))
    assert job["status"] == "SUCCESS"
    assert job["job_type"] == "imsVolumesToSysDataImagesJob"
    assert "image_id" not in job["entities"]
    subs = job["entities"]["sub_jobs_result"]
    assert [sub["entities"]["image_name"] for sub in subs] == ["ims_data_image_test", "ims_data_image_two"]
    assert all(sub["status"] == "SUCCESS" and is_uuid(sub["entities"]["image_id"]) for sub in subs)
    assert all(sub["job_type"] == "imsCopyVolumeToImageJob" for sub in subs)


def test_a_name_with_the_fail_pattern_ends_in_fail() -> None:
    with MockIms(fail_pattern="doomed", job_polls=0) as ims:
        statuses, job = poll_to_end(ims, create(ims, {**SERVER_IMAGE, "name": "doomed-image"}))
    assert statuses == ["FAIL"]
    assert job["error_code"].startswith("IMG.")
    assert "doomed-image" in job["fail_reason"]


def test_a_tampered_body_fails_the_signature_check(ims_mock: MockIms) -> None:
    answer = call(ims_mock, "POST", ACTION, SERVER_IMAGE, tamper=True)
    assert answer.status == 401
    body = answer.json()
    assert body["error_code"] == "APIGW.0301"
    assert body["request_id"] == answer.headers["x-request-id"]
    assert ims_mock.jobs == []


def test_a_wrong_secret_key_fails_the_signature_check(ims_mock: MockIms) -> None:
    answer = call(ims_mock, "POST", ACTION, SERVER_IMAGE, sk="NotTheSecretKey0000000000000000000000000")
    assert answer.status == 401
    assert answer.json()["error_code"] == "APIGW.0301"


def test_an_unknown_access_key_is_refused(ims_mock: MockIms) -> None:
    answer = call(ims_mock, "POST", ACTION, SERVER_IMAGE, ak="UNKNOWNAK00000000000")
    assert answer.status == 401
    assert answer.json()["error_code"] == "APIGW.0301"


def test_an_iam_token_is_accepted_when_configured() -> None:
    with MockIms(auth_token="iam-token-for-tests") as ims:
        assert call(ims, "POST", ACTION, SERVER_IMAGE, token="iam-token-for-tests").status == 200
        refused = call(ims, "POST", ACTION, SERVER_IMAGE, token="other-token")
        assert refused.status == 401
        assert b"iam-token-for-tests" not in refused.body


def test_rule_answers_are_ims_error_bodies(ims_mock: MockIms) -> None:
    empty = call(ims_mock, "POST", ACTION, b"")
    assert (empty.status, empty.json()["error"]["code"]) == (400, "IMG.0007")
    malformed = call(ims_mock, "POST", ACTION, b"{not json")
    assert (malformed.status, malformed.json()["error"]["code"]) == (400, "IMG.0001")
    too_big = call(ims_mock, "POST", ACTION, {**OBS_IMAGE, "min_disk": 4096})
    assert (too_big.status, too_big.json()["error"]["code"]) == (400, "IMG.0055")
    assert "min_disk" in too_big.json()["error"]["message"]
    assert ims_mock.jobs == []


def test_a_fault_answers_the_given_times_then_ims_answers(ims_mock: MockIms) -> None:
    throttled = {"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached"}
    ims_mock.add_fault(ACTION, status=429, body=throttled, headers={"Retry-After": "1"}, times=2)
    for _ in range(2):
        answer = call(ims_mock, "POST", ACTION, SERVER_IMAGE)
        assert answer.status == 429
        assert answer.json() == throttled
        assert answer.headers["retry-after"] == "1"
        assert len(answer.headers["x-request-id"]) == 32
    assert call(ims_mock, "POST", ACTION, SERVER_IMAGE).status == 200


def test_faults_can_be_limited_to_a_method_and_cleared(ims_mock: MockIms) -> None:
    ims_mock.add_fault("/v1/*", method="GET", status=503, times=0)
    job_id = create(ims_mock, SERVER_IMAGE)
    assert call(ims_mock, "GET", f"/v1/cloudimages/job/{job_id}").status == 503
    ims_mock.clear_faults()
    assert call(ims_mock, "GET", f"/v1/cloudimages/job/{job_id}").status == 200


def test_invalid_faults_and_settings_are_value_errors(ims_mock: MockIms) -> None:
    with pytest.raises(ValueError, match="not an HTTP status"):
        ims_mock.add_fault(ACTION, status=1000)
    with pytest.raises(ValueError, match="must start with '/'"):
        ims_mock.add_fault("v2/cloudimages/action")
    with pytest.raises(ValueError, match="delay"):
        ims_mock.add_fault(ACTION, delay=-1.0)
    with pytest.raises(ValueError, match="job_seconds"):
        MockIms(job_seconds=-1.0).start()


def test_every_request_is_recorded_with_its_headers_and_body(ims_mock: MockIms) -> None:
    call(ims_mock, "POST", ACTION, SERVER_IMAGE, ak="UNKNOWNAK00000000000")
    create(ims_mock, SERVER_IMAGE)
    requests = ims_mock.requests
    assert [r.method for r in requests] == ["POST", "POST"]
    first = requests[0]
    assert isinstance(first, RecordedRequest)
    assert (first.path, first.query) == (ACTION, "")
    assert first.json() == SERVER_IMAGE
    assert first.header("X-Project-Id") == ims_mock.project_id
    assert (first.header("authorization") or "").startswith("SDK-HMAC-SHA256 Access=UNKNOWNAK00000000000")
    assert "***" in repr(first) and "Signature=" not in repr(first)
    with pytest.raises(AttributeError):
        first.method = "GET"  # type: ignore[misc]
    ims_mock.clear_requests()
    assert ims_mock.requests == []


def test_jobs_are_listed_without_moving_them(ims_mock: MockIms) -> None:
    job_id = create(ims_mock, SERVER_IMAGE)
    assert [job["status"] for job in ims_mock.jobs] == ["INIT"]
    assert ims_mock.jobs[0]["job_id"] == job_id


def test_repr_and_client_args() -> None:
    with MockIms(sk="SecretThatMustNotShow0000000000000000000", security_token="sts-token") as ims:
        assert "SecretThatMustNotShow" not in repr(ims)
        assert "sts-token" not in repr(ims)
        assert ims.endpoint in repr(ims)
        args = ims.client_args()
        assert args == {
            "endpoint": ims.endpoint,
            "region": "cn-north-4",
            "ak": ims.ak,
            "sk": "SecretThatMustNotShow0000000000000000000",
            "project_id": ims.project_id,
            "security_token": "sts-token",
        }
    assert "security_token" not in MockIms().start().client_args()


def test_before_start_only_the_settings_are_known() -> None:
    ims = MockIms(project_id="f" * 32)
    assert "not started" in repr(ims)
    assert (ims.ak, ims.project_id, ims.started) == ("MOCKAKEXAMPLE0000000", "f" * 32, False)
    for attribute in ("endpoint", "requests", "jobs"):
        with pytest.raises(RuntimeError, match="started"):
            getattr(ims, attribute)


def test_after_stop_it_refuses_connections_but_keeps_what_it_saw() -> None:
    with MockIms() as ims:
        endpoint = ims.endpoint
        job_id = create(ims, SERVER_IMAGE)
    ims.stop()
    assert not ims.started and "not started" in repr(ims)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(endpoint + "/", timeout=5)
    assert [r.path for r in ims.requests] == [ACTION]
    assert ims.jobs[0]["job_id"] == job_id
    assert ims.project_id == "0123456789abcdef0123456789abcdef"
    with pytest.raises(RuntimeError, match="not started"):
        ims.add_fault(ACTION)
    ims.start()
    assert ims.requests == [] and ims.jobs == []
    ims.stop()


def test_importing_the_module_does_not_import_pytest() -> None:
    code = "import sys, hcims.testing; assert 'pytest' not in sys.modules; assert not hasattr(hcims.testing, 'ims_mock')"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.filterwarnings("ignore:Method 'show_job' of ImsClient is deprecated:DeprecationWarning")
def test_the_official_sdk_client_works_against_the_emulator() -> None:
    from huaweicloudsdkims.v2 import CreateImageRequest, CreateImageRequestBody, ImsClient, ShowJobRequest

    with MockIms(job_polls=1) as ims:
        credentials = BasicCredentials(ims.ak, ims.sk, ims.project_id)
        client = ImsClient.new_builder().with_credentials(credentials).with_endpoints([ims.endpoint]).build()
        body = CreateImageRequestBody(name="sdk-image", instance_id=INSTANCE_ID)
        job_id = client.create_image(CreateImageRequest(body=body)).job_id
        assert [client.show_job(ShowJobRequest(job_id=job_id)).status for _ in range(2)] == [
            "RUNNING",
            "SUCCESS",
        ]
        job = client.show_job(ShowJobRequest(job_id=job_id))
        assert job.entities.image_name == "sdk-image"
        assert is_uuid(job.entities.image_id)
        assert ims.requests[0].json() == {"name": "sdk-image", "instance_id": INSTANCE_ID}
