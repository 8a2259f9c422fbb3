"""One client shared by many threads, and a client carried into a forked process."""

from __future__ import annotations

import multiprocessing
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from mock_http import ACTION, INSTANCE_ID

import hcims
from hcims.testing import MockIms

THREADS = 32
CREATES_PER_THREAD = 4


def test_32_threads_share_one_client_without_losing_or_duplicating_a_job(ims_mock: MockIms) -> None:
    client = hcims.Client(**ims_mock.client_args())

    def work(thread: int) -> list[str]:
        job_ids = [
            client.create_image({"name": f"t{thread}-{i}", "instance_id": INSTANCE_ID})
            for i in range(CREATES_PER_THREAD)
        ]
        # Each thread also waits for its own jobs, so polls and creates interleave.
        client.wait_for_job(job_ids[0], timeout=60, poll_interval=0.01)
        return job_ids

    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(work, thread) for thread in range(THREADS)]
        # A deadlock shows up as a timeout here rather than a hung suite.
        job_ids = [job_id for future in futures for job_id in future.result(timeout=120)]

    expected = THREADS * CREATES_PER_THREAD
    assert len(job_ids) == expected
    assert len(set(job_ids)) == expected
    posts = [r for r in ims_mock.requests if r.method == "POST" and r.path == ACTION]
    assert len(posts) == expected
    assert {job["job_id"] for job in ims_mock.jobs} == set(job_ids)
    assert sorted(r.json()["name"] for r in posts) == sorted(
        f"t{t}-{i}" for t in range(THREADS) for i in range(CREATES_PER_THREAD)
    )


def _create_in_child(client: hcims.Client, results: Any) -> None:
    try:
        job_id = client.create_image({"name": "from-the-child", "instance_id": INSTANCE_ID})
        job = client.wait_for_job(job_id, timeout=30, poll_interval=0.01)
        results.put(("ok", job_id, job.status))
    except BaseException as error:  # reported to the parent, whatever it is
        results.put(("error", repr(error), ""))


def test_a_forked_child_can_use_a_client_made_and_used_in_the_parent(ims_mock: MockIms) -> None:
    client = hcims.Client(**ims_mock.client_args())
    # The parent's runtime threads and pooled connection exist before the fork.
    parent_job = client.create_image({"name": "from-the-parent", "instance_id": INSTANCE_ID})
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    with warnings.catch_warnings():
        # Python 3.12+ warns that forking a threaded process may deadlock: that is what is tested.
        warnings.simplefilter("ignore", DeprecationWarning)
        child = context.Process(target=_create_in_child, args=(client, results))
        child.start()
    outcome = results.get(timeout=60)
    child.join(timeout=30)
    assert outcome[0] == "ok", outcome
    assert outcome[2] == "SUCCESS"
    assert child.exitcode == 0
    # The parent's client still works after the fork, on its own connections.
    assert client.wait_for_job(parent_job, timeout=30, poll_interval=0.01).status == "SUCCESS"
    names = [r.json()["name"] for r in ims_mock.requests if r.method == "POST" and r.path == ACTION]
    assert names == ["from-the-parent", "from-the-child"]
