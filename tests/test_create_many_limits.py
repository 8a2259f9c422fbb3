"""``create_many`` within the service's limits: at most ``max_running_jobs`` jobs running at once (so
IMS never answers IMG.0060 flow control on the batch's account), a client-side request rate, and
``wait=True`` for the finished jobs; against the emulator over real HTTP."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

import hcims
from hcims import AsyncClient, Client, Job
from hcims.testing import MockIms

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
CREATE = "/v2/cloudimages/action"
FAST = 0.005


def server(name: str) -> dict[str, Any]:
    return {"name": name, "instance_id": INSTANCE}


def posts(ims: MockIms) -> int:
    return sum(1 for r in ims.requests if r.method == "POST" and r.path == CREATE)


def names_of(ims: MockIms, job_ids: list[Any]) -> list[str]:
    names = {job["job_id"]: job["entities"]["image_name"] for job in ims.jobs}
    return [names[job_id] for job_id in job_ids]


def test_120_creates_never_run_more_than_40_jobs_at_once() -> None:
    names = [f"img-{i}" for i in range(120)]
    with MockIms(job_polls=2, max_running_jobs=40) as ims:
        client = Client(**ims.client_args())
        outcomes = client.create_many([server(n) for n in names], max_running_jobs=40, poll_interval=FAST)
        assert all(isinstance(outcome, str) for outcome in outcomes), outcomes
        assert names_of(ims, outcomes) == names
        # An IMG.0060 would have been retried: one POST per spec means none was refused.
        assert posts(ims) == 120
        assert ims.peak_running_jobs <= 40


def test_a_small_limit_binds() -> None:
    with MockIms(job_polls=3, max_running_jobs=100) as ims:
        client = Client(**ims.client_args())
        outcomes = client.create_many(
            [server(f"n{i}") for i in range(12)], max_running_jobs=3, poll_interval=FAST
        )
        assert all(isinstance(outcome, str) for outcome in outcomes)
        assert ims.peak_running_jobs == 3


def test_without_a_limit_every_create_goes_at_once() -> None:
    with MockIms(job_polls=3, max_running_jobs=100) as ims:
        client = Client(**ims.client_args())
        outcomes = client.create_many([server(f"n{i}") for i in range(12)], max_running_jobs=None)
        assert all(isinstance(outcome, str) for outcome in outcomes)
        assert ims.peak_running_jobs == 12
        # Nobody polled: the jobs were not watched.
        assert posts(ims) == len(ims.requests)


def test_a_failed_create_frees_its_place_at_once() -> None:
    other = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"
    # Jobs that never end, and an ECS that does not exist (IMG.0005, not retried).
    with MockIms(job_polls=1_000_000, instances=[INSTANCE], max_running_jobs=100) as ims:
        client = Client(**ims.client_args())
        specs = [{"name": "gone", "instance_id": other}, server("a"), server("b")]
        outcomes = client.create_many(specs, max_running_jobs=2, poll_interval=FAST, timeout=30)
        assert isinstance(outcomes[0], hcims.ApiError) and outcomes[0].code == "IMG.0005"
        assert isinstance(outcomes[1], str) and isinstance(outcomes[2], str)
        # "b" took the failed create's place at once; it did not wait for "a" (which never ends),
        # whose watch stopped as soon as every create had started.
        polls = [r for r in ims.requests if r.method == "GET"]
        assert len(polls) < 50


def test_wait_returns_the_finished_jobs_fail_included() -> None:
    with MockIms(job_polls=2, fail_pattern="doomed", max_running_jobs=100) as ims:
        client = Client(**ims.client_args())
        specs = [server("ok-1"), server("doomed"), server("ok-2")]
        outcomes = client.create_many(specs, max_running_jobs=2, wait=True, poll_interval=FAST)
        assert all(isinstance(outcome, Job) for outcome in outcomes), outcomes
        jobs = [outcome for outcome in outcomes if isinstance(outcome, Job)]
        assert [job.status for job in jobs] == ["SUCCESS", "FAIL", "SUCCESS"]
        assert names_of(ims, [job.id for job in jobs]) == ["ok-1", "doomed", "ok-2"]
        assert ims.peak_running_jobs == 2


def test_the_request_rate_paces_creates_and_polls() -> None:
    with MockIms(job_polls=1, max_running_jobs=100) as ims:
        client = Client(**ims.client_args())
        started = time.monotonic()
        outcomes = client.create_many(
            [server(f"n{i}") for i in range(20)],
            max_running_jobs=5,
            max_requests_per_second=50,
            poll_interval=FAST,
        )
        elapsed = time.monotonic() - started
        assert all(isinstance(outcome, str) for outcome in outcomes)
        sent = len(ims.requests)
        assert sent >= 40  # 20 creates, and polls to free places
        # Evenly spaced at 50 per second: (sent - 1) gaps of 20 ms at the least; no upper bound.
        assert elapsed >= (sent - 1) / 50 * 0.9


@pytest.mark.parametrize("bad", [0, -1])
def test_limits_must_be_positive(bad: int) -> None:
    with MockIms() as ims:
        client = Client(**ims.client_args())
        with pytest.raises(ValueError, match="max_running_jobs"):
            client.create_many([server("a")], max_running_jobs=bad)
        with pytest.raises(ValueError, match="max_requests_per_second"):
            client.create_many([server("a")], max_requests_per_second=bad)
        assert posts(ims) == 0


def test_the_async_twin_keeps_the_limit_and_waits() -> None:
    names = [f"a{i}" for i in range(30)]
    with MockIms(job_polls=2, max_running_jobs=100) as ims:

        async def main() -> list[Any]:
            async with AsyncClient(**ims.client_args()) as ac:
                return await ac.create_many(
                    [server(n) for n in names], max_running_jobs=4, wait=True, poll_interval=FAST
                )

        outcomes = asyncio.run(main())
        assert all(isinstance(outcome, Job) and outcome.status == "SUCCESS" for outcome in outcomes)
        assert names_of(ims, [outcome.id for outcome in outcomes]) == names
        assert ims.peak_running_jobs == 4


def test_the_docs_example_of_the_limits_runs() -> None:
    page = (Path(__file__).parent.parent / "docs" / "real-account.md").read_text(encoding="utf-8")
    section = page[page.index("**The service's limits.**") :]
    example = section[section.index("```python\n") + len("```python\n") :]
    with MockIms(job_polls=0, fail_pattern="doomed", max_running_jobs=20) as ims:
        client = Client(**ims.client_args())
        namespace: dict[str, Any] = {"client": client, "specs": [server("ok"), server("doomed")]}
        exec(compile(example[: example.index("```")], "docs/real-account.md", "exec"), namespace)
        assert [job.status for job in namespace["jobs"]] == ["SUCCESS", "FAIL"]
        assert [job.status for job in namespace["failed"]] == ["FAIL"]
