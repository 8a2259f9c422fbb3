"""Ctrl-C stops a blocking wait at once, in a real process with a real SIGINT."""

from __future__ import annotations

import sys
import textwrap

import pytest
from ctrl_c import ctrl_c_after_ready

CHILD = textwrap.dedent(
    """
    import sys
    from hcims import Client
    from hcims.testing import MockIms

    how = sys.argv[1]
    # Jobs that would run for hours at this poll rate.
    with MockIms(job_polls=1_000_000) as ims:
        client = Client(**ims.client_args())
        ids = [client.create_from_server({"name": f"w{i}", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"})
               for i in range(3)]
        polls = []
        def first_poll(job):
            if not polls:
                print("READY", flush=True)
            polls.append(job)
        try:
            if how == "one":
                client.wait_for_job(ids[0], timeout=None, poll_interval=0.5, on_progress=first_poll)
            elif how == "one-with-bar":
                client.wait_for_job(ids[0], timeout=None, poll_interval=0.5, on_progress=first_poll, progress=True)
            else:
                client.wait_for_jobs(ids, timeout=None, poll_interval=0.5, on_progress=first_poll)
            print("FINISHED", flush=True)
        except KeyboardInterrupt:
            print("INTERRUPTED", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs on Windows")
@pytest.mark.parametrize("how", ["one", "one-with-bar", "many"])
def test_ctrl_c_interrupts_a_blocking_wait(how: str) -> None:
    # Well inside the 0.5 s pause before the next poll.
    outcome = ctrl_c_after_ready([sys.executable, "-c", CHILD, how], settle=0.1)
    line, elapsed, err = outcome.line, outcome.elapsed, outcome.err
    print(f"{how}: KeyboardInterrupt {elapsed * 1000:.0f} ms after SIGINT")
    assert line == "INTERRUPTED", err
    # The target is ~0.05 s (one signal-check slice); the bound is loose because CI machines are shared,
    # yet far below the hours the jobs would run.
    assert elapsed < 3.0, elapsed
    assert outcome.returncode == 0, err
    assert "panic" not in err.lower() and "Traceback" not in err, err
