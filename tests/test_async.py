"""The asyncio client against the emulator over real HTTP."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import hcims
from hcims import (
    AsyncClient,
    DataImage,
    Job,
    ObsImage,
    PreparedRequest,
    ServerDataImages,
    ServerImage,
    VolumeImage,
)
from hcims.testing import MockIms

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
VOLUME = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"
FAST = 0.02


@pytest.fixture
def ims() -> Iterator[MockIms]:
    with MockIms(job_polls=3, fail_pattern="broken") as emulator:
        yield emulator


def status_path(ims: MockIms, job_id: str) -> str:
    return f"/v1/{ims.project_id}/jobs/{job_id}"


def count(ims: MockIms, path: str) -> int:
    return sum(1 for r in ims.requests if r.path == path)


def test_every_method_of_the_client_is_a_coroutine() -> None:
    sync_methods = {
        name
        for name in dir(hcims.Client)
        if not name.startswith("_") and callable(getattr(hcims.Client, name))
    }
    assert sync_methods <= set(dir(AsyncClient))
    for name in sync_methods:
        assert asyncio.iscoroutinefunction(getattr(AsyncClient, name)), name


def test_all_four_ways_and_waiting(ims: MockIms) -> None:
    async def main() -> list[Job]:
        async with AsyncClient(**ims.client_args()) as ac:
            ids = [
                await ac.create_from_server(ServerImage(name="s", instance_id=INSTANCE)),
                await ac.create_data_images_from_server(
                    ServerDataImages(data_images=[DataImage(name="d", volume_id=VOLUME)])
                ),
                await ac.create_from_obs(
                    ObsImage(name="o", image_url="b:o.qcow2", min_disk=40, os_version="CentOS 7.0 64bit")
                ),
                await ac.create_from_volume(
                    VolumeImage(name="v", volume_id=VOLUME, os_version="CentOS 7.0 64bit")
                ),
                await ac.create_image({"name": "raw", "instance_id": INSTANCE}),
            ]
            first = await ac.get_job(ids[0])
            assert first.status == "RUNNING" and first.id == ids[0]
            one = await ac.wait_for_job(ids[0], poll_interval=FAST)
            assert one.ok
            return await ac.wait_for_jobs(ids, poll_interval=FAST)

    jobs = asyncio.run(main())
    assert [job.job_type for job in jobs] == [
        "imsCreateImageByInstance",
        "imsVolumesToSysDataImagesJob",
        "imsImportImageJob",
        "imsVolumeCreateImageJob",
        "imsCreateImageByInstance",
    ]
    assert all(job.ok and job.image_ids for job in jobs)
    posted = [r.json()["name"] for r in ims.requests if r.method == "POST" and "name" in r.json()]
    assert posted == ["s", "o", "v", "raw"]


def test_prepare_is_awaited_and_sends_nothing(ims: MockIms) -> None:
    async def main() -> PreparedRequest:
        async with AsyncClient(**ims.client_args()) as ac:
            return await ac.prepare({"name": "p", "instance_id": INSTANCE})

    prepared = asyncio.run(main())
    assert prepared.method == "POST" and prepared.url.endswith("/v2/cloudimages/action")
    assert ims.requests == []


def test_errors_are_the_same_classes(ims: MockIms) -> None:
    async def main() -> None:
        async with AsyncClient(**ims.client_args()) as ac:
            with pytest.raises(hcims.ValidationError):
                await ac.create_from_server({"name": " bad", "instance_id": INSTANCE})
            with pytest.raises(TypeError):
                await ac.create_from_server(VolumeImage(name="v", volume_id=VOLUME, os_version="x"))
            with pytest.raises(hcims.NotFoundError):
                await ac.get_job("ffffffffffffffffffffffffffffffff")
            broken = await ac.create_from_server({"name": "broken", "instance_id": INSTANCE})
            with pytest.raises(hcims.JobFailedError) as info:
                await ac.wait_for_job(broken, poll_interval=FAST)
            assert info.value.job.id == broken
            with pytest.raises(hcims.JobFailedError):
                await ac.wait_for_jobs([broken], poll_interval=FAST)
            outcomes = await ac.wait_for_jobs(
                [broken, "ffffffffffffffffffffffffffffffff"], poll_interval=FAST, raise_on_failure=False
            )
            assert isinstance(outcomes[0], Job) and outcomes[0].status == "FAIL"
            assert isinstance(outcomes[1], hcims.NotFoundError)
            with pytest.raises(hcims.JobTimeoutError):
                slow = await ac.create_from_server({"name": "slow", "instance_id": INSTANCE})
                ims.add_fault(status_path(ims, slow), status=200, body={"status": "RUNNING"}, times=0)
                await ac.wait_for_job(slow, timeout=0.2, poll_interval=FAST)

    asyncio.run(main())


def test_on_progress_runs_on_the_event_loop(ims: MockIms) -> None:
    async def main() -> tuple[list[tuple[str, Any]], int]:
        seen: list[tuple[str, Any]] = []
        loop_thread = threading.get_ident()
        async with AsyncClient(**ims.client_args()) as ac:
            job_id = await ac.create_from_server({"name": "p", "instance_id": INSTANCE})

            def on_progress(job: Job) -> None:
                asyncio.get_running_loop()  # raises unless called on the loop
                seen.append((job.status, threading.get_ident()))

            job = await ac.wait_for_job(job_id, poll_interval=FAST, on_progress=on_progress)
            assert job.ok
        return seen, loop_thread

    seen, loop_thread = asyncio.run(main())
    assert [status for status, _ in seen] == ["RUNNING", "RUNNING", "RUNNING", "SUCCESS"]
    assert {thread for _, thread in seen} == {loop_thread}


def test_an_exception_in_on_progress_ends_the_wait(ims: MockIms) -> None:
    async def main() -> str:
        async with AsyncClient(**ims.client_args()) as ac:
            job_id = await ac.create_from_server({"name": "p", "instance_id": INSTANCE})

            def explode(job: Job) -> None:
                raise LookupError("enough")

            with pytest.raises(LookupError, match="enough"):
                await ac.wait_for_jobs([job_id], poll_interval=FAST, on_progress=explode)
            return job_id

    job_id = asyncio.run(main())
    polls = count(ims, status_path(ims, job_id))
    # The wait is cancelled from the loop once the callback raised: at most a poll or two more, then none.
    assert 1 <= polls <= 3
    time.sleep(0.2)
    assert count(ims, status_path(ims, job_id)) == polls


def test_many_waits_run_together_and_the_loop_stays_free(ims: MockIms) -> None:
    async def main() -> tuple[list[Job], int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        async with AsyncClient(**ims.client_args()) as ac:
            ids = [await ac.create_from_server({"name": f"g{i}", "instance_id": INSTANCE}) for i in range(5)]
            # A slow answer for one of the waits: the loop must keep running meanwhile.
            ims.add_fault(status_path(ims, ids[0]), status=200, body={"status": "RUNNING"}, delay=0.3)
            ticking = asyncio.ensure_future(ticker())
            jobs = await asyncio.gather(*(ac.wait_for_job(i, poll_interval=FAST) for i in ids))
            ticking.cancel()
        return list(jobs), ticks

    jobs, ticks = asyncio.run(main())
    assert all(job.ok for job in jobs)
    assert ticks >= 10


def test_cancelling_a_wait_stops_its_polls(ims: MockIms) -> None:
    async def main() -> str:
        async with AsyncClient(**ims.client_args()) as ac:
            job_id = await ac.create_from_server({"name": "c", "instance_id": INSTANCE})
            ims.add_fault(status_path(ims, job_id), status=200, body={"status": "RUNNING"}, times=0)
            task = asyncio.ensure_future(ac.wait_for_job(job_id, poll_interval=FAST))
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return job_id

    job_id = asyncio.run(main())
    polls = count(ims, status_path(ims, job_id))
    assert polls >= 3
    time.sleep(0.2)
    assert count(ims, status_path(ims, job_id)) == polls


def test_cancelling_the_task_cancels_the_http_request() -> None:
    """A server that reads the request and never answers sees the connection close on cancellation."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    closed_after: list[float] = []
    cancelled_at: list[float] = []

    def serve() -> None:
        connection, _ = listener.accept()
        connection.settimeout(10)
        with connection:
            connection.recv(65536)  # the request; no answer ever
            try:
                while connection.recv(65536):
                    pass
            except OSError:
                return
            closed_after.append(time.monotonic())

    server = threading.Thread(target=serve, daemon=True)
    server.start()

    async def main() -> None:
        async with AsyncClient(
            endpoint=f"http://127.0.0.1:{port}", ak="AK", sk="SK", project_id="p", timeout=30, retries=0
        ) as ac:
            task = asyncio.ensure_future(ac.create_from_server({"name": "x", "instance_id": INSTANCE}))
            await asyncio.sleep(0.3)
            cancelled_at.append(time.monotonic())
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(main())
    server.join(timeout=10)
    listener.close()
    assert closed_after, "the connection was not closed"
    assert closed_after[0] - cancelled_at[0] < 5


def test_aclose_cancels_calls_in_flight_and_refuses_new_ones(ims: MockIms) -> None:
    async def main() -> None:
        ac = AsyncClient(**ims.client_args())
        job_id = await ac.create_from_server({"name": "a", "instance_id": INSTANCE})
        ims.add_fault(status_path(ims, job_id), status=200, body={"status": "RUNNING"}, times=0)
        waiting = asyncio.ensure_future(ac.wait_for_job(job_id, poll_interval=FAST))
        await asyncio.sleep(0.1)
        assert not ac.closed
        await ac.aclose()
        await ac.aclose()
        assert ac.closed
        with pytest.raises(asyncio.CancelledError):
            await waiting
        with pytest.raises(RuntimeError, match="closed"):
            await ac.get_job(job_id)

    asyncio.run(main())


def test_progress_bar_in_asyncio(
    ims: MockIms, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hcims.progress, "_tqdm_class", lambda: None)

    async def main() -> None:
        async with AsyncClient(**ims.client_args()) as ac:
            job_id = await ac.create_from_server({"name": "a", "instance_id": INSTANCE})
            assert (await ac.wait_for_job(job_id, poll_interval=FAST, progress=True)).ok

    asyncio.run(main())
    err = capsys.readouterr().err
    assert err.count("\r") == 4 and err.endswith("\n")
    assert "100% |####################| SUCCESS" in err


def test_repr_and_properties_show_no_secret(ims: MockIms) -> None:
    ac = AsyncClient(**ims.client_args())
    assert repr(ac).startswith("AsyncClient(endpoint=")
    assert ims.sk not in repr(ac)
    assert ac.endpoint == ims.endpoint and ac.project_id == ims.project_id
    assert ac.region == "cn-north-4" and ac.auth_kind == "aksk"
