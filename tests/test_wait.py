"""Waiting for jobs from blocking code: callbacks, progress display, Retry-After, many jobs at once."""

from __future__ import annotations

import io
import threading
import time
from typing import Any

import pytest

import hcims
import hcims.progress
from hcims import Client, Job, JobProgress
from hcims.testing import MockIms

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
VOLUME = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"
UNKNOWN_JOB = "ffffffffffffffffffffffffffffffff"
FAST = 0.02


def server_job(client: Client, name: str = "web") -> str:
    return client.create_from_server({"name": name, "instance_id": INSTANCE})


def status_path(ims: MockIms, job_id: str) -> str:
    return f"/v1/{ims.project_id}/jobs/{job_id}"


def progress_path(job_id: str) -> str:
    return f"/v1/cloudimages/job/{job_id}"


def count(ims: MockIms, path: str) -> int:
    return sum(1 for r in ims.requests if r.path == path)


@pytest.fixture
def ims() -> Any:
    with MockIms(job_polls=3, fail_pattern="broken") as emulator:
        yield emulator


@pytest.fixture
def client(ims: MockIms) -> Client:
    return Client(**ims.client_args(), retries=0)


# --- one job ---------------------------------------------------------------------------------------


def test_on_progress_sees_every_snapshot_on_the_calling_thread(client: Client) -> None:
    job_id = server_job(client)
    seen: list[tuple[str, float | None, int]] = []
    job = client.wait_for_job(
        job_id,
        poll_interval=FAST,
        on_progress=lambda j: seen.append((j.status, j.progress, threading.get_ident())),
    )
    assert job.ok
    assert [(s, p) for s, p, _ in seen] == [
        ("RUNNING", 0.25),
        ("RUNNING", 0.5),
        ("RUNNING", 0.75),
        ("SUCCESS", 1.0),
    ]
    assert {thread for _, _, thread in seen} == {threading.get_ident()}


def test_an_exception_in_on_progress_ends_the_wait(client: Client, ims: MockIms) -> None:
    job_id = server_job(client)

    def explode(job: Job) -> None:
        raise LookupError(f"stop at {job.status}")

    with pytest.raises(LookupError, match="stop at RUNNING"):
        client.wait_for_job(job_id, poll_interval=FAST, on_progress=explode)
    polls = count(ims, status_path(ims, job_id))
    time.sleep(0.2)
    assert count(ims, status_path(ims, job_id)) == polls == 1


def test_progress_is_read_from_the_progress_endpoint_when_the_status_lacks_it(
    client: Client, ims: MockIms
) -> None:
    job_id = server_job(client)
    ims.add_fault(
        status_path(ims, job_id),
        status=200,
        body={"job_id": job_id, "status": "RUNNING", "entities": {}},
        times=2,
    )
    seen: list[float | None] = []
    client.wait_for_job(job_id, poll_interval=FAST, on_progress=lambda j: seen.append(j.progress))
    assert seen == [0.25, 0.5, 0.75, 1.0]
    assert count(ims, progress_path(job_id)) == 2


def test_nobody_watching_means_no_progress_requests(client: Client, ims: MockIms) -> None:
    job_id = server_job(client)
    ims.add_fault(status_path(ims, job_id), status=200, body={"job_id": job_id, "status": "RUNNING"}, times=2)
    assert client.wait_for_job(job_id, poll_interval=FAST).ok
    assert count(ims, progress_path(job_id)) == 0


def test_retry_after_spaces_the_polls_of_a_wait(client: Client, ims: MockIms) -> None:
    job_id = server_job(client)
    armed: list[bool] = []

    def throttle_next_poll(job: Job) -> None:
        if not armed:
            armed.append(True)
            ims.add_fault(
                status_path(ims, job_id),
                status=429,
                body={"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached"},
                headers={"Retry-After": "1"},
            )

    started = time.monotonic()
    job = client.wait_for_job(job_id, poll_interval=FAST, on_progress=throttle_next_poll)
    elapsed = time.monotonic() - started
    assert job.ok
    # Without the header the poll after the 429 would come 20 ms later.
    assert elapsed >= 0.95, elapsed
    assert count(ims, status_path(ims, job_id)) == 5


def test_a_short_outage_does_not_end_the_wait(client: Client, ims: MockIms) -> None:
    job_id = server_job(client)
    armed: list[bool] = []

    def outage(job: Job) -> None:
        if not armed:
            armed.append(True)
            ims.add_fault(status_path(ims, job_id), status=503, times=3)

    assert client.wait_for_job(job_id, poll_interval=FAST, on_progress=outage).ok


def test_a_timeout_carries_the_last_snapshot() -> None:
    with MockIms(job_polls=100_000) as ims:
        client = Client(**ims.client_args())
        job_id = server_job(client)
        started = time.monotonic()
        with pytest.raises(hcims.JobTimeoutError) as info:
            client.wait_for_job(job_id, timeout=0.3, poll_interval=0.05)
        assert time.monotonic() - started < 3
    assert info.value.job_id == job_id
    assert info.value.last_job is not None and info.value.last_job.status == "RUNNING"


# --- the progress display --------------------------------------------------------------------------


def test_progress_true_uses_tqdm_when_installed(client: Client, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    job_id = server_job(client)
    assert client.wait_for_job(job_id, poll_interval=FAST, progress=True).ok
    err = capsys.readouterr().err
    assert f"job {job_id[:12]}" in err
    assert "100%" in err and "SUCCESS" in err
    assert "[00:0" in err  # tqdm's elapsed time
    assert "#" not in err  # not the plain line as well


def test_progress_true_without_tqdm_rewrites_one_line_on_stderr(
    client: Client, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hcims.progress, "_tqdm_class", lambda: None)
    job_id = server_job(client)
    seen: list[str] = []
    assert client.wait_for_job(
        job_id, poll_interval=FAST, progress=True, on_progress=lambda j: seen.append(j.status)
    ).ok
    err = capsys.readouterr().err
    assert seen == ["RUNNING", "RUNNING", "RUNNING", "SUCCESS"]  # the user's callback runs too
    assert err.startswith("\r") and err.endswith("\n") and err.count("\n") == 1
    assert err.count("\r") == 4
    last = err.rstrip("\n").split("\r")[-1]
    assert last.startswith(f"job {job_id[:12]}: 100% |{'#' * 20}| SUCCESS")
    assert "[00:0" not in err


def test_the_display_is_closed_when_the_wait_fails(
    client: Client, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hcims.progress, "_tqdm_class", lambda: None)
    job_id = server_job(client, "broken")
    with pytest.raises(hcims.JobFailedError):
        client.wait_for_job(job_id, poll_interval=FAST, progress=True)
    err = capsys.readouterr().err
    assert err.endswith("\n")
    # Padded with spaces over the longer "RUNNING" line before it.
    assert err.split("\r")[-1].rstrip().endswith("| FAIL")


def test_job_progress_line_display_for_many_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hcims.progress, "_tqdm_class", lambda: None)
    out = io.StringIO()
    with JobProgress(["a", "b"], file=out) as display:
        display(Job(id="a", status="RUNNING", progress=0.5))
        display(Job(id="a", status="RUNNING", progress=0.5))  # unchanged: not written again
        assert display.fraction == pytest.approx(0.25)
        display(Job(id="b", status="FAIL"))
        assert display.fraction == pytest.approx(0.75)
        display(Job(id="a", status="RUNNING"))  # progress unknown now: the last one stays
        display(Job(id="a", status="SUCCESS", progress=1.0))
    display(Job(id="a", status="RUNNING", progress=0.1))  # after close: ignored
    lines = out.getvalue().split("\r")[1:]
    assert [line.split("|")[-1].strip() for line in lines] == [
        "0/2 done",
        "1/2 done, 1 failed",
        "2/2 done, 1 failed",
    ]
    assert lines[0].startswith("2 jobs:  25% |#####---------------|")
    assert out.getvalue().endswith("\n")


# --- many jobs -------------------------------------------------------------------------------------


@pytest.mark.smoke
def test_wait_for_jobs_returns_jobs_in_input_order(client: Client) -> None:
    ids = [server_job(client, f"s{i}") for i in range(3)]
    ids.insert(
        1, client.create_data_images_from_server({"data_images": [{"name": "d", "volume_id": VOLUME}]})
    )
    snapshots: list[tuple[str, int]] = []
    jobs = client.wait_for_jobs(
        ids, poll_interval=FAST, on_progress=lambda j: snapshots.append((j.id, threading.get_ident()))
    )
    assert [job.id for job in jobs] == ids
    assert all(isinstance(job, Job) and job.ok for job in jobs)
    assert jobs[1].job_type == "imsVolumesToSysDataImagesJob" and len(jobs[1].image_ids) == 1
    assert sorted({job_id for job_id, _ in snapshots}) == sorted(ids)
    assert len(snapshots) == 4 * len(ids)
    assert {thread for _, thread in snapshots} == {threading.get_ident()}


def test_wait_for_jobs_raises_the_first_failure(client: Client, ims: MockIms) -> None:
    slow = server_job(client, "slow")
    ims.add_fault(status_path(ims, slow), status=200, body={"job_id": slow, "status": "RUNNING"}, times=0)
    broken = server_job(client, "broken")
    started = time.monotonic()
    with pytest.raises(hcims.JobFailedError) as info:
        client.wait_for_jobs([slow, broken], timeout=30, poll_interval=FAST)
    assert time.monotonic() - started < 10
    assert info.value.job.id == broken


def test_wait_for_jobs_can_collect_every_outcome(client: Client, ims: MockIms) -> None:
    good = server_job(client, "good")
    broken = server_job(client, "broken")
    slow = server_job(client, "slow")
    ims.add_fault(status_path(ims, slow), status=200, body={"job_id": slow, "status": "RUNNING"}, times=0)
    outcomes = client.wait_for_jobs(
        [good, broken, UNKNOWN_JOB, slow], timeout=0.5, poll_interval=FAST, raise_on_failure=False
    )
    assert len(outcomes) == 4
    first, second, third, fourth = outcomes
    assert isinstance(first, Job) and first.ok and first.id == good
    assert isinstance(second, Job) and second.status == "FAIL" and second.id == broken
    assert second.error_code == "IMG.1075"
    assert isinstance(third, hcims.NotFoundError) and third.status == 404
    assert isinstance(fourth, hcims.JobTimeoutError) and fourth.job_id == slow
    assert fourth.last_job is not None and fourth.last_job.status == "RUNNING"


def test_wait_for_jobs_progress_shows_one_display(
    client: Client, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hcims.progress, "_tqdm_class", lambda: None)
    ids = [server_job(client, f"s{i}") for i in range(3)]
    client.wait_for_jobs(ids, poll_interval=FAST, progress=True)
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.rstrip("\n").split("\r")[-1].startswith("3 jobs: 100% |")
    assert err.rstrip().endswith("3/3 done")


def test_wait_for_jobs_edge_cases(client: Client) -> None:
    assert client.wait_for_jobs([]) == []
    with pytest.raises(TypeError):
        client.wait_for_jobs(server_job(client))
    with pytest.raises(hcims.ValidationError):
        client.wait_for_jobs(["not/a/job"])
    outcomes = client.wait_for_jobs(iter(["bad id"]), raise_on_failure=False)
    assert isinstance(outcomes[0], hcims.ValidationError)
    with pytest.raises(ValueError):
        client.wait_for_jobs([UNKNOWN_JOB], timeout=-1)


def test_module_level_wait_for_jobs(clean_env: Any, ims: MockIms) -> None:
    for name, value in (
        ("HCIMS_ENDPOINT", ims.endpoint),
        ("HUAWEICLOUD_SDK_AK", ims.ak),
        ("HUAWEICLOUD_SDK_SK", ims.sk),
        ("HUAWEICLOUD_SDK_PROJECT_ID", ims.project_id),
    ):
        clean_env.setenv(name, value)
    clean_env.setattr(hcims.client, "_default", None)
    ids = [hcims.create_from_server({"name": f"m{i}", "instance_id": INSTANCE}) for i in range(2)]
    seen: list[str] = []
    assert [j.id for j in hcims.wait_for_jobs(ids, poll_interval=FAST)] == ids
    assert hcims.wait_for_job(ids[0], poll_interval=FAST, on_progress=lambda j: seen.append(j.status)).ok
    assert seen == ["SUCCESS"]
