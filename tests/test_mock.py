"""The IMS emulator from Python: jobs, authentication, rules, recording and lifecycle, over HTTP signed by
Huawei's own signer."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from mock_http import (
    ACTION,
    DATA_IMAGES,
    OBS_IMAGE,
    SERVER_IMAGE,
    VOLUME_IMAGE,
    call,
    create,
    is_uuid,
    poll_to_end,
)

from hcims.testing import MockIms, RecordedRequest


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


def test_the_docs_example_of_testing_your_own_scripts_runs() -> None:
    section = (Path(__file__).parent.parent / "docs" / "testing.md").read_text(encoding="utf-8")
    example = section[section.index("```python\n") + len("```python\n") :]
    example = example[: example.index("```")]
    exec(compile(example, "docs/testing.md", "exec"), {})
