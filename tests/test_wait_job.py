"""The Job a wait returns: fields from real answers, repr, and the notebook card."""

from __future__ import annotations

import dataclasses
import re

import pytest

from hcims import Client, Job
from hcims.testing import MockIms

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
VOLUME = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"


def test_a_data_image_job_from_the_emulator_is_complete(client: Client) -> None:
    job_id = client.create_data_images_from_server(
        {"data_images": [{"name": "d1", "volume_id": VOLUME}, {"name": "d2", "volume_id": INSTANCE}]}
    )
    job = client.wait_for_job(job_id, poll_interval=0.02)
    assert (job.id, job.status, job.job_type) == (job_id, "SUCCESS", "imsVolumesToSysDataImagesJob")
    assert job.image_id is None
    assert job.image_ids == [sub["entities"]["image_id"] for sub in job.sub_jobs]
    assert len(job.image_ids) == 2
    assert job.progress == 1.0 and job.done and job.ok
    assert job.error_code is None and job.fail_reason is None
    assert job.begin_time and job.end_time
    assert job.duration is not None and 0 <= job.duration < 60
    assert job.raw["job_id"] == job_id
    html = job._repr_html_()
    for image_id in job.image_ids:
        assert html.count(image_id) == 2  # in the images row and in its sub-job's row
    assert html.count(">sub-job<") == 2 and "d1" in html and "d2" in html


def test_a_failed_job_shows_its_error() -> None:
    with MockIms(fail_pattern="broken", job_polls=0) as ims:
        client = Client(**ims.client_args())
        job = client.get_job(client.create_from_server({"name": "broken", "instance_id": INSTANCE}))
    assert job.status == "FAIL" and job.done and not job.ok
    assert "error_code='IMG.1075'" in repr(job)
    html = job._repr_html_()
    assert ">error<" in html and "IMG.1075" in html and "#cf222e" in html


def test_job_is_frozen() -> None:
    job = Job(id="a", status="RUNNING")
    with pytest.raises(dataclasses.FrozenInstanceError):
        job.status = "SUCCESS"  # type: ignore[misc]


def test_repr_is_one_readable_line() -> None:
    running = Job(
        id="j1", status="RUNNING", job_type="imsImportImageJob", progress=0.4, raw={"big": "x" * 500}
    )
    assert repr(running) == "Job(id='j1', status='RUNNING', job_type='imsImportImageJob', progress=40%)"
    done = Job(id="j1", status="SUCCESS", progress=1.0, image_ids=["i1", "i2"])
    assert repr(done) == "Job(id='j1', status='SUCCESS', image_ids=['i1', 'i2'])"


def test_html_card_of_a_running_job() -> None:
    job = Job(
        id="<script>alert(1)</script>",
        status="RUNNING",
        job_type="imsCreateImageByInstance",
        progress=0.4,
        begin_time="2024-11-06T06:19:43.195Z",
    )
    html = job._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "RUNNING" in html and "40%" in html
    assert re.search(r"width:40\.0%", html)
    assert ">began<" in html and ">ended<" not in html and ">error<" not in html


def test_html_card_when_progress_is_unknown_and_times_are_old_style() -> None:
    job = Job(
        id="j", status="INIT", begin_time="04-Jun-2015 18:11:06:586", end_time="04-Jun-2015 18:12:06:586"
    )
    html = job._repr_html_()
    assert "progress unknown" in html and "width:0.0%" in html
    assert job.duration is None
    assert "after" not in html  # no duration from times it cannot read


def test_duration_reads_iso_times() -> None:
    job = Job(
        id="j",
        status="SUCCESS",
        begin_time="2024-11-06T06:19:43.195Z",
        end_time="2024-11-06T06:23:25.158Z",
    )
    assert job.duration == pytest.approx(221.963)
    assert "(after 3 min 42 s)" in job._repr_html_()


def test_sub_jobs_tolerate_odd_answers() -> None:
    assert Job(id="j", status="SUCCESS", raw={}).sub_jobs == []
    assert Job(id="j", status="SUCCESS", raw={"entities": {"sub_jobs_result": "x"}}).sub_jobs == []
    odd = Job(id="j", status="SUCCESS", raw={"entities": {"sub_jobs_result": [1, {"status": "FAIL"}]}})
    assert odd.sub_jobs == [{"status": "FAIL"}]
    assert "FAIL" in odd._repr_html_()
