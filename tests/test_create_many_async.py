"""``AsyncClient.create_many`` against the emulator over real HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import hcims
from hcims import AsyncClient, ServerImage, ValidationError
from hcims.testing import MockIms

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
CREATE = "/v2/cloudimages/action"


def posts(ims: MockIms) -> int:
    return sum(1 for r in ims.requests if r.method == "POST" and r.path == CREATE)


def test_outcomes_in_order_with_failures_in_their_slots(ims_mock: MockIms) -> None:
    specs: list[Any] = [
        ServerImage(name="a", instance_id=INSTANCE),
        {"name": "b", "instance_id": "not-a-uuid"},
        object(),
        {"name": "c", "instance_id": INSTANCE},
    ]

    async def main() -> list[Any]:
        async with AsyncClient(**ims_mock.client_args()) as ac:
            return await ac.create_many(specs, concurrency=2)

    outcomes = asyncio.run(main())
    assert isinstance(outcomes[0], str) and isinstance(outcomes[3], str)
    assert isinstance(outcomes[1], ValidationError)
    assert isinstance(outcomes[2], TypeError)
    names = {job["job_id"]: job["entities"]["image_name"] for job in ims_mock.jobs}
    assert [names[outcomes[0]], names[outcomes[3]]] == ["a", "c"]
    assert posts(ims_mock) == 2


def test_the_loop_keeps_running_while_the_batch_is_sent(ims_mock: MockIms) -> None:
    ims_mock.add_fault(
        CREATE, method="POST", status=400, body={"error": {"code": "IMG.0001"}}, times=0, delay=0.05
    )

    async def main() -> tuple[list[Any], int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticking = asyncio.ensure_future(tick())
        async with AsyncClient(**ims_mock.client_args()) as ac:
            outcomes = await ac.create_many([{"name": f"n{i}", "instance_id": INSTANCE} for i in range(6)], 2)
        ticking.cancel()
        return outcomes, ticks

    outcomes, ticks = asyncio.run(main())
    assert all(isinstance(outcome, hcims.BadRequestError) for outcome in outcomes)
    assert ticks >= 5


def test_cancelling_the_task_stops_the_batch(ims_mock: MockIms) -> None:
    ims_mock.add_fault(CREATE, method="POST", status=200, body="{}", times=0, delay=30.0)

    async def main() -> None:
        async with AsyncClient(**ims_mock.client_args()) as ac:
            task = asyncio.ensure_future(
                ac.create_many([{"name": f"n{i}", "instance_id": INSTANCE} for i in range(10)], 2)
            )
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.sleep(0.3)

    asyncio.run(main())
    assert posts(ims_mock) == 2


def test_progress_on_the_event_loop(
    ims_mock: MockIms, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hcims.progress, "_tqdm_class", lambda: None)

    async def main() -> list[Any]:
        async with AsyncClient(**ims_mock.client_args()) as ac:
            return await ac.create_many(
                [{"name": "a", "instance_id": INSTANCE}, {"name": "", "instance_id": INSTANCE}], progress=True
            )

    outcomes = asyncio.run(main())
    assert isinstance(outcomes[0], str) and isinstance(outcomes[1], ValidationError)
    assert "2/2 done, 1 failed" in capsys.readouterr().err
