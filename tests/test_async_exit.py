"""Nothing is printed at interpreter exit, whatever asyncio work is still going on: each scenario runs in
its own process and its stderr must stay empty (no panic, no traceback, no "interpreter is not
initialized")."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from ctrl_c import popen_interruptible

PRELUDE = textwrap.dedent(
    """
    import asyncio, sys, threading
    import hcims
    from hcims.testing import MockIms

    INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"

    def spec(name):
        return {"name": name, "instance_id": INSTANCE}
    """
)

NORMAL_EXIT = """
async def main():
    async with hcims.AsyncClient(**ims.client_args()) as ac:
        ids = await asyncio.gather(*(ac.create_from_server(spec(f"n{i}")) for i in range(5)))
        jobs = await ac.wait_for_jobs(ids, poll_interval=0.02, on_progress=lambda job: None)
        print("DONE", len(jobs), all(job.ok for job in jobs), flush=True)

with MockIms(job_polls=3) as ims:
    asyncio.run(main())
"""

CTRL_C_DURING_AN_AWAIT = """
async def main():
    async with hcims.AsyncClient(**ims.client_args()) as ac:
        job_id = await ac.create_from_server(spec("slow"))
        first = []
        def ready(job):
            if not first:
                first.append(job)
                print("READY", flush=True)
        await ac.wait_for_job(job_id, timeout=None, poll_interval=0.2, on_progress=ready)

with MockIms(job_polls=1_000_000) as ims:
    try:
        asyncio.run(main())
        print("FINISHED", flush=True)
    except KeyboardInterrupt:
        print("INTERRUPTED", flush=True)
"""

PENDING_TASKS_AT_EXIT = """
async def main():
    ac = hcims.AsyncClient(**ims.client_args())
    job_id = await ac.create_from_server(spec("slow"))
    # Left running when main returns: waits, a get_job whose answer is slow, a create in flight.
    for _ in range(5):
        asyncio.ensure_future(ac.wait_for_job(job_id, timeout=None, poll_interval=0.01, on_progress=print))
    ims.add_fault(f"/v1/{ims.project_id}/jobs/{job_id}", status=200, body="{}", delay=5.0, times=1)
    asyncio.ensure_future(ac.get_job(job_id))
    asyncio.ensure_future(ac.create_from_server(spec("late")))
    await asyncio.sleep(0.3)
    print("LEAVING", flush=True)

with MockIms(job_polls=1_000_000) as ims:
    asyncio.run(main())
"""

LOOP_STILL_RUNNING_AT_EXIT = """
# A daemon thread's event loop is still busy with hcims calls when the main thread exits: outcomes keep
# arriving while the interpreter shuts down.
ims = MockIms(job_polls=1).start()

async def churn():
    async with hcims.AsyncClient(**ims.client_args()) as ac:
        while True:
            ids = await asyncio.gather(*(ac.create_from_server(spec(f"c{i}")) for i in range(4)))
            await ac.wait_for_jobs(ids, poll_interval=0.001, on_progress=lambda job: None)

threading.Thread(target=lambda: asyncio.run(churn()), daemon=True).start()
threading.Event().wait(0.5)
print("LEAVING", flush=True)
"""

BLOCKING_WAITS_IN_DAEMON_THREADS_AT_EXIT = """
# The same with blocking waits: daemon threads are inside wait_for_jobs (GIL released) at exit.
ims = MockIms(job_polls=1).start()
client = hcims.Client(**ims.client_args())

def churn():
    while True:
        ids = [client.create_from_server(spec(f"c{i}")) for i in range(3)]
        client.wait_for_jobs(ids, poll_interval=0.001, on_progress=lambda job: None)

for _ in range(2):
    threading.Thread(target=churn, daemon=True).start()
threading.Event().wait(0.5)
print("LEAVING", flush=True)
"""


def run(script: str, *, interrupt_after_ready: bool = False) -> tuple[str, str, int]:
    child = popen_interruptible(
        [sys.executable, "-c", PRELUDE + script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        if interrupt_after_ready:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "READY"
            time.sleep(0.1)
            os.kill(child.pid, signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    return out, err, child.returncode


def test_normal_exit_prints_nothing() -> None:
    out, err, code = run(NORMAL_EXIT)
    assert err == ""
    assert code == 0 and out.strip() == "DONE 5 True"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs on Windows")
def test_ctrl_c_during_an_await_prints_nothing() -> None:
    out, err, code = run(CTRL_C_DURING_AN_AWAIT, interrupt_after_ready=True)
    assert err == ""
    assert code == 0 and out.strip() == "INTERRUPTED"


def test_exit_with_tasks_still_pending_prints_nothing() -> None:
    out, err, code = run(PENDING_TASKS_AT_EXIT)
    assert err == ""
    # Progress callbacks already scheduled may still print while asyncio.run cancels the pending tasks.
    assert code == 0 and "LEAVING" in out.splitlines()


# Exit races are timing-dependent: a few runs each.
# In the smoke subset: a wheel linked with a second unwinder crashed here (see scripts/build-wheels.sh).
@pytest.mark.smoke
@pytest.mark.parametrize("attempt", range(3))
@pytest.mark.parametrize(
    "script",
    [LOOP_STILL_RUNNING_AT_EXIT, BLOCKING_WAITS_IN_DAEMON_THREADS_AT_EXIT],
    ids=["asyncio", "blocking"],
)
def test_exit_while_other_threads_wait_prints_nothing(script: str, attempt: int) -> None:
    out, err, code = run(script)
    assert err == ""
    assert code == 0 and out.strip() == "LEAVING"
