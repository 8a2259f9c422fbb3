"""Jobs and images of the emulator from Python: outcomes a test can choose, the image list, the rules
that depend on what the account holds, and the bounds on what the emulator keeps."""

from __future__ import annotations

import time

import pytest
from mock_http import (
    ACTION,
    DATA_IMAGES,
    INSTANCE_ID,
    OBS_IMAGE,
    SERVER_IMAGE,
    call,
    create,
    is_uuid,
    poll_to_end,
)

import hcims
from hcims.testing import MockIms


def test_jobs_can_answer_init_before_they_run() -> None:
    with MockIms(init_polls=2, job_polls=1) as ims:
        statuses, job = poll_to_end(ims, create(ims, SERVER_IMAGE))
    assert statuses == ["INIT", "INIT", "RUNNING", "SUCCESS"]
    assert job["end_time"].endswith("Z")


def test_fail_job_makes_a_running_job_end_in_fail() -> None:
    with MockIms(job_polls=3) as ims:
        job_id = create(ims, DATA_IMAGES)
        call(ims, "GET", f"/v1/cloudimages/job/{job_id}")
        ims.fail_job(job_id)
        statuses, job = poll_to_end(ims, job_id)
        assert statuses[-1] == "FAIL" and "RUNNING" in statuses
        assert job["error_code"] == "IMG.1075"
        assert "on request" in job["fail_reason"]
        assert [sub["status"] for sub in job["entities"]["sub_jobs_result"]] == ["FAIL", "FAIL"]
        with pytest.raises(ValueError, match="already ended"):
            ims.fail_job(job_id)
        with pytest.raises(KeyError):
            ims.fail_job("0123456789abcdef0123456789abcdef")


def test_hcims_sees_a_failed_job_as_job_failed_error() -> None:
    with MockIms(job_polls=1) as ims:
        client = hcims.Client(**ims.client_args())
        job_id = client.create_from_server({"name": "web", "instance_id": INSTANCE_ID})
        ims.fail_job(job_id)
        with pytest.raises(hcims.JobFailedError) as raised:
            client.wait_for_job(job_id, poll_interval=0.01)
        assert raised.value.job.status == "FAIL"


def test_random_failures_repeat_with_the_same_seed() -> None:
    def outcomes(seed: int) -> list[str]:
        with MockIms(fail_rate=0.5, seed=seed, job_polls=0) as ims:
            return [poll_to_end(ims, create(ims, SERVER_IMAGE))[0][-1] for _ in range(12)]

    first = outcomes(3)
    assert first == outcomes(3)
    assert set(first) == {"SUCCESS", "FAIL"}, first
    with MockIms(fail_rate=1.0, job_polls=0) as ims:
        _, job = poll_to_end(ims, create(ims, SERVER_IMAGE))
        assert "drawn at random" in job["fail_reason"]


def test_images_are_listed_as_they_are_made(ims_mock: MockIms) -> None:
    job_id = create(ims_mock, OBS_IMAGE)
    assert [image["status"] for image in ims_mock.images] == ["queued"]
    _, job = poll_to_end(ims_mock, job_id)
    [image] = ims_mock.images
    assert image["id"] == job["entities"]["image_id"] and is_uuid(image["id"])
    assert (image["status"], image["name"], image["__imagetype"]) == ("active", "ims_test_file", "private")
    answer = call(ims_mock, "GET", "/v2/cloudimages?name=ims_test_file&__imagetype=private")
    assert answer.status == 200
    assert answer.json() == {"images": [image]}
    assert call(ims_mock, "GET", "/v2/cloudimages?name=other").json() == {"images": []}
    assert ims_mock.project_images(ims_mock.project_id) == [image]


def test_a_failed_jobs_images_are_gone() -> None:
    with MockIms(fail_pattern="broken", job_polls=0) as ims:
        poll_to_end(ims, create(ims, {**SERVER_IMAGE, "name": "broken-web"}))
        assert ims.images == []


def test_the_rules_that_depend_on_the_account() -> None:
    with MockIms(unique_names=True, image_quota=2, instances=[INSTANCE_ID]) as ims:
        create(ims, SERVER_IMAGE)
        codes = [
            call(ims, "POST", ACTION, SERVER_IMAGE).json()["error"]["code"],
            call(
                ims,
                "POST",
                ACTION,
                {**SERVER_IMAGE, "name": "b", "instance_id": "0e7a1f4b-5e65-4c2b-a2f5-1b9b2a0f6c11"},
            ).json()["error"]["code"],
            call(ims, "POST", ACTION, DATA_IMAGES).json()["error"]["code"],
        ]
        assert codes == ["IMG.0009", "IMG.0005", "IMG.0015"]
        assert len(ims.jobs) == 1


def test_recording_can_be_off_or_bounded_and_old_jobs_forgotten() -> None:
    with MockIms(record_requests=False) as ims:
        create(ims, SERVER_IMAGE)
        assert ims.requests == [] and len(ims.jobs) == 1
    with MockIms(max_recorded_requests=2, max_jobs=2) as ims:
        first = create(ims, SERVER_IMAGE)
        for _ in range(2):
            create(ims, SERVER_IMAGE)
        assert len(ims.requests) == 2
        assert len(ims.jobs) == 2
        assert first not in [job["job_id"] for job in ims.jobs]
        assert call(ims, "GET", f"/v1/cloudimages/job/{first}").status == 404


def test_response_delay_holds_every_answer() -> None:
    with MockIms(response_delay=0.08) as ims:
        client = hcims.Client(**ims.client_args())
        started = time.monotonic()
        job_id = client.create_from_server(
            {"name": "late", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}
        )
        client.get_job(job_id)
        assert time.monotonic() - started >= 0.16
    with pytest.raises(ValueError, match="response_delay"):
        MockIms(response_delay=-1.0).start()


def test_max_running_jobs_answers_img_0060_until_a_job_ends() -> None:
    with MockIms(job_polls=1, max_running_jobs=2) as ims:
        first = create(ims, SERVER_IMAGE)
        create(ims, SERVER_IMAGE)
        refused = call(ims, "POST", ACTION, SERVER_IMAGE)
        assert refused.status == 400
        assert refused.json()["error"]["code"] == "IMG.0060"
        poll_to_end(ims, first)
        create(ims, SERVER_IMAGE)
        assert ims.peak_running_jobs == 2
    # Still readable once stopped.
    assert ims.peak_running_jobs == 2


def test_without_max_running_jobs_nothing_is_refused_or_counted() -> None:
    with MockIms(job_polls=5) as ims:
        for _ in range(5):
            create(ims, SERVER_IMAGE)
        assert ims.peak_running_jobs == 0
