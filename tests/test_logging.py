"""The `hcims` logger: one INFO record per HTTP attempt, DEBUG for job polls and retries, nothing at
import, never a secret."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import threading

import pytest

from hcims import AsyncClient, Client, ServerImage
from hcims.testing import MockIms

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
SPEC = ServerImage(name="web", instance_id=INSTANCE)


def hcims_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "hcims"]


@pytest.mark.smoke
def test_importing_hcims_logs_nothing_and_adds_no_handler() -> None:
    code = (
        "import logging, io; stream = io.StringIO(); logging.basicConfig(stream=stream, level=logging.DEBUG);"
        "import hcims, hcims.testing, hcims.aio;"
        "assert logging.getLogger('hcims').handlers == [], logging.getLogger('hcims').handlers;"
        "print(repr(stream.getvalue()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "''" and out.stderr == ""


def test_one_info_record_per_request_with_its_facts(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="hcims")
    client.create_from_server(SPEC)
    (record,) = hcims_records(caplog)
    assert record.levelno == logging.INFO
    assert record.hcims_method == "POST"  # type: ignore[attr-defined]
    assert record.hcims_path == "/v2/cloudimages/action"  # type: ignore[attr-defined]
    assert record.hcims_status == 200  # type: ignore[attr-defined]
    assert record.hcims_attempt == 1  # type: ignore[attr-defined]
    assert record.hcims_request_id  # type: ignore[attr-defined]
    assert record.hcims_elapsed_ms >= 0  # type: ignore[attr-defined]
    message = record.getMessage()
    assert message.startswith("POST /v2/cloudimages/action -> 200 in ") and record.hcims_request_id in message  # type: ignore[attr-defined]


def test_polls_and_retries_are_debug(
    client: Client, ims_mock: MockIms, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hcims")
    job_id = client.create_from_server(SPEC)
    client.wait_for_job(job_id, poll_interval=0.01)
    assert [r.levelno for r in hcims_records(caplog)] == [logging.INFO]
    caplog.clear()
    caplog.set_level(logging.DEBUG, logger="hcims")
    ims_mock.add_fault(
        f"/v1/{ims_mock.project_id}/jobs/*", status=503, body={"error_code": "X", "error_msg": "busy"}
    )
    client.get_job(job_id)
    messages = [(r.levelno, r.getMessage()) for r in hcims_records(caplog)]
    assert messages[0][0] == logging.INFO and "-> 503" in messages[0][1] and "attempt 1" in messages[0][1]
    assert (
        messages[1][0] == logging.DEBUG
        and messages[1][1].startswith("retrying GET")
        and "HTTP 503" in messages[1][1]
    )
    assert messages[2][0] == logging.INFO and "-> 200" in messages[2][1] and "attempt 2" in messages[2][1]
    caplog.clear()
    other = client.create_from_server(SPEC)
    client.wait_for_job(other, poll_interval=0.01, on_progress=lambda job: None)
    polls = [r for r in hcims_records(caplog) if r.getMessage().startswith("poll: GET")]
    assert polls and all(r.levelno == logging.DEBUG for r in polls)


def test_records_are_written_on_the_calling_thread(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="hcims")
    client.wait_for_jobs([client.create_from_server(SPEC) for _ in range(3)], poll_interval=0.01)
    records = hcims_records(caplog)
    assert len(records) > 3
    assert {r.thread for r in records} == {threading.get_ident()}


def test_nothing_is_logged_when_the_logger_is_off(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="hcims")
    client.wait_for_job(client.create_from_server(SPEC), poll_interval=0.01)
    assert hcims_records(caplog) == []


def test_secrets_never_reach_a_record(ims_mock: MockIms, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="hcims")
    args = dict(ims_mock.client_args())
    del args["project_id"]
    client = Client(**args, iam_endpoint=ims_mock.endpoint)  # type: ignore[arg-type]
    client.wait_for_job(client.create_from_server(SPEC), poll_interval=0.01)
    text = caplog.text + " ".join(str(vars(r)) for r in hcims_records(caplog))
    assert "/v3/projects?name=cn-north-4" in text
    assert ims_mock.sk not in text and "Signature=" not in text and "SDK-HMAC" not in text


def test_async_records_come_through_the_event_loop(
    ims_mock: MockIms, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="hcims")

    async def main() -> int:
        async with AsyncClient(**ims_mock.client_args()) as ac:
            await ac.wait_for_job(await ac.create_from_server(SPEC), poll_interval=0.01)
            await asyncio.sleep(0)  # records scheduled just before the outcome run first anyway
            return threading.get_ident()

    loop_thread = asyncio.run(main())
    records = hcims_records(caplog)
    assert records[0].levelno == logging.INFO and records[0].getMessage().startswith(
        "POST /v2/cloudimages/action"
    )
    assert any(r.getMessage().startswith("poll: GET") for r in records)
    assert {r.thread for r in records} == {loop_thread}
