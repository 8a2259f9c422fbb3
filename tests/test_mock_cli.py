"""The emulator standalone: ``hcims.testing.serve()`` and the ``hcims mock`` command."""

from __future__ import annotations

import io
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from ctrl_c import popen_interruptible
from mock_http import INSTANCE_ID, SERVER_IMAGE

import hcims
import hcims.cli
from hcims.testing import MockIms, serve

STARTUP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_line(lines: queue.Queue[str], wanted: str, seen: list[str]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.1)
        except queue.Empty:
            continue
        seen.append(line)
        if wanted in line:
            return
    raise AssertionError(f"{wanted!r} never printed; got {seen}")


def test_hcims_mock_serves_until_interrupted_and_exits_cleanly() -> None:
    port = free_port()
    command = [sys.executable, "-m", "hcims", "mock", "--port", str(port), "--ak", "CLIAK000000000000000",
               "--sk", "CliSecretKey00000000000000000000000000000", "--project-id", "c" * 32, "--job-seconds", "0.05"]  # fmt: skip
    process = popen_interruptible(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def read_lines() -> None:
        for line in process.stdout or []:
            lines.put(line)

    reader = threading.Thread(target=read_lines, daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        wait_for_line(lines, "Ctrl-C stops it.", seen)
        printed = "".join(seen)
        endpoint = f"http://127.0.0.1:{port}"
        assert f"serving at {endpoint}" in printed
        assert "CLIAK000000000000000" in printed and "CliSecretKey" in printed and "c" * 32 in printed
        client = hcims.Client(
            endpoint=endpoint, region="cn-north-4", ak="CLIAK000000000000000",
            sk="CliSecretKey00000000000000000000000000000", project_id="c" * 32,
        )  # fmt: skip
        job = client.wait_for_job(client.create_from_server(SERVER_IMAGE), poll_interval=0.01)
        assert job.ok and job.image_id
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    reader.join(timeout=5)
    errors = process.stderr.read() if process.stderr else ""
    while not lines.empty():
        seen.append(lines.get())
    assert process.returncode == 0, errors
    assert "Traceback" not in errors and "panicked" not in errors, errors
    assert seen[-1].strip() == "stopped"


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs a SIGINT aimed at the main thread")
@pytest.mark.usefixtures("sigint_delivered")
def test_serve_prints_to_the_given_stream_and_returns_on_ctrl_c(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[MockIms] = []

    class Watched(MockIms):
        def __init__(self, **options: Any) -> None:
            super().__init__(**options)
            served.append(self)

    monkeypatch.setattr(hcims.testing, "MockIms", Watched)
    out = io.StringIO()
    port = free_port()
    outcome: list[str] = []

    def use_then_interrupt() -> None:
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while "Ctrl-C stops it." not in out.getvalue() and time.monotonic() < deadline:
                time.sleep(0.01)
            defaults = MockIms()
            client = hcims.Client(endpoint=f"http://127.0.0.1:{port}", region="cn-north-4", ak=defaults.ak,
                                  sk=defaults.sk, project_id=defaults.project_id)  # fmt: skip
            outcome.append(client.create_from_server({"name": "x", "instance_id": INSTANCE_ID}))
        finally:
            # Ctrl-C, as a user would press it: a real SIGINT to the main thread, which wakes its sleep.
            signal.pthread_kill(main_thread, signal.SIGINT)

    main_thread = threading.get_ident()
    helper = threading.Thread(target=use_then_interrupt)
    helper.start()
    serve(port=port, out=out, job_polls=0, auth_token="printed-token")
    helper.join()
    printed = out.getvalue()
    assert printed.startswith(f"IMS emulator serving at http://127.0.0.1:{port}\n")
    assert "X-Auth-Token: printed-token" in printed
    assert printed.endswith("stopped\n")
    assert len(outcome) == 1 and len(outcome[0]) == 32
    # Nothing outside serve() could read what it recorded: it records nothing.
    assert len(served) == 1 and served[0].requests == []


def test_latency_ms_holds_every_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_serve(**options: object) -> None:
        seen.update(options)

    monkeypatch.setattr(hcims.testing, "serve", fake_serve)
    assert hcims.cli.main(["mock", "--port", "0", "--latency-ms", "20"]) == 0
    assert seen["response_delay"] == pytest.approx(0.02)
    with pytest.raises(SystemExit):
        hcims.cli.main(["mock", "--latency-ms", "-1"])
