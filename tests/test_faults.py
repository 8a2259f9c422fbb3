"""Faults on the way to IMS: each test scripts one against the emulator and checks both what the client
reports and what the server saw (how many requests arrived), so a retry that could make a second image
cannot go unnoticed."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import pytest
from mock_http import ACTION, INSTANCE_ID

import hcims
from hcims.testing import FaultAction, MockIms, RecordedRequest

SPEC = {"name": "web", "instance_id": INSTANCE_ID}
THROTTLED = {"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached"}
HTML = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
FAST = (0.01, 0.05)


def fast_client(ims: MockIms, **options: Any) -> hcims.Client:
    """A client whose retries wait milliseconds, not seconds."""
    return hcims.Client(**ims.client_args(), retry_backoff=FAST, **options)


def posts(ims: MockIms) -> list[RecordedRequest]:
    return [r for r in ims.requests if r.method == "POST" and r.path == ACTION]


def job_gets(ims: MockIms, job_id: str) -> list[RecordedRequest]:
    return [r for r in ims.requests if r.method == "GET" and r.path.endswith(f"/jobs/{job_id}")]


# Creates: retried only when IMS certainly did not act.


def test_a_500_on_a_create_is_not_retried_and_says_the_image_may_still_be_made(ims_mock: MockIms) -> None:
    ims_mock.add_fault(ACTION, status=500, body={"error": {"code": "IMG.0002", "message": "internal"}})
    with pytest.raises(hcims.ServerError) as raised:
        fast_client(ims_mock, retries=5).create_image(SPEC)
    assert raised.value.maybe_sent is True
    assert raised.value.code == "IMG.0002"
    assert "image may still be made" in str(raised.value)
    assert len(posts(ims_mock)) == 1


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (429, THROTTLED),
        (429, {"error": {"code": "APIG.0308", "message": "throttled"}}),
        (400, {"error": {"code": "IMG.0060", "message": "task flow control, retry later"}}),
        (502, {"error_code": "APIGW.0610", "error_msg": "No backend available"}),
        (503, {"error_code": "APIGW.0613", "error_msg": "IAM unavailable"}),
    ],
)
def test_a_create_refused_before_ims_acted_is_retried_once_then_succeeds(
    ims_mock: MockIms, status: int, body: dict[str, Any]
) -> None:
    ims_mock.add_fault(ACTION, status=status, body=body, headers={"Retry-After": "1"})
    job_id = fast_client(ims_mock).create_image(SPEC)
    assert len(job_id) == 32
    assert len(posts(ims_mock)) == 2
    assert [job["job_id"] for job in ims_mock.jobs] == [job_id]


def test_retries_run_out_after_the_configured_count(ims_mock: MockIms) -> None:
    ims_mock.add_fault(ACTION, status=429, body=THROTTLED, times=0)
    with pytest.raises(hcims.ThrottledError) as raised:
        fast_client(ims_mock, retries=2).create_image(SPEC)
    assert raised.value.code == "APIGW.0308"
    assert raised.value.maybe_sent is False
    assert len(posts(ims_mock)) == 3


def test_retries_zero_turns_retries_off(ims_mock: MockIms) -> None:
    ims_mock.add_fault(ACTION, status=429, body=THROTTLED)
    with pytest.raises(hcims.ThrottledError):
        fast_client(ims_mock, retries=0).create_image(SPEC)
    assert len(posts(ims_mock)) == 1


def test_retry_settings_are_checked_and_shown(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock, retries=7)
    assert client.retries == 7
    assert client.retry_backoff == FAST
    assert hcims.Client(**ims_mock.client_args()).retries == 3
    assert hcims.Client(**ims_mock.client_args()).retry_backoff == (0.5, 20.0)
    for bad in [(2.0, 1.0), (-1.0, 1.0), (0.1, float("nan"))]:
        with pytest.raises(ValueError, match="retry_backoff"):
            hcims.Client(**ims_mock.client_args(), retry_backoff=bad)
    with pytest.raises(OverflowError):
        hcims.Client(**ims_mock.client_args(), retries=-1)


def test_max_attempts_still_works_with_a_deprecation_warning(ims_mock: MockIms) -> None:
    with pytest.warns(DeprecationWarning, match="retries="):
        client = hcims.Client(**ims_mock.client_args(), max_attempts=2)
    assert client.retries == 1
    with pytest.raises(TypeError, match="not both"):
        hcims.Client(**ims_mock.client_args(), retries=1, max_attempts=2)


def test_a_gateway_5xx_without_a_refusal_code_is_maybe_sent(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock)
    for status in (502, 503, 504):
        ims_mock.clear_requests()
        ims_mock.add_fault(ACTION, action="not_json", status=status, body=HTML)
        with pytest.raises(hcims.ServerError) as raised:
            client.create_image(SPEC)
        assert raised.value.status == status
        assert raised.value.maybe_sent is True
        assert raised.value.code is None
        assert raised.value.body == HTML
        assert len(posts(ims_mock)) == 1


@pytest.mark.parametrize("action", ["drop_before_body", "drop_after_body"])
def test_a_dropped_connection_on_a_create_is_maybe_sent_and_not_retried(
    ims_mock: MockIms, action: FaultAction
) -> None:
    # The request went out on an open connection: a gateway may have forwarded it before the drop.
    ims_mock.add_fault(ACTION, action=action)
    with pytest.raises(hcims.TransportError) as raised:
        fast_client(ims_mock).create_image(SPEC)
    assert raised.value.maybe_sent is True
    assert raised.value.retryable is False
    assert "image may still be made" in str(raised.value)
    assert len(posts(ims_mock)) == 1


def test_a_truncated_answer_to_a_create_is_maybe_sent(ims_mock: MockIms) -> None:
    ims_mock.add_fault(
        ACTION, action="truncate", status=200, body={"job_id": "8a12fc664fb4daa3014fb4e581380005"}
    )
    with pytest.raises(hcims.TransportError) as raised:
        fast_client(ims_mock).create_image(SPEC)
    assert raised.value.maybe_sent is True
    assert raised.value.retryable is False
    assert "HTTP 200" in str(raised.value)
    assert len(posts(ims_mock)) == 1


def test_a_non_json_success_to_a_create_is_maybe_sent(ims_mock: MockIms) -> None:
    ims_mock.add_fault(ACTION, action="not_json", status=200)
    with pytest.raises(hcims.TransportError) as raised:
        fast_client(ims_mock).create_image(SPEC)
    assert raised.value.maybe_sent is True
    assert "without a job_id" in str(raised.value)
    assert len(posts(ims_mock)) == 1


def test_non_json_and_html_error_bodies_become_api_errors(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock)
    ims_mock.add_fault(ACTION, action="not_json", status=400)
    with pytest.raises(hcims.BadRequestError) as raised:
        client.create_image(SPEC)
    assert raised.value.code is None
    assert "Bad Request" in raised.value.message
    assert "<html" in (raised.value.body or "").lower()
    ims_mock.add_fault(
        ACTION, status=403, body="plain text, not JSON", headers={"Content-Type": "text/plain"}
    )
    with pytest.raises(hcims.PermissionDeniedError) as denied:
        client.create_image(SPEC)
    assert denied.value.body == "plain text, not JSON"
    assert len(posts(ims_mock)) == 2


def test_a_read_timeout_after_sending_a_create_is_maybe_sent(ims_mock: MockIms) -> None:
    ims_mock.add_fault(ACTION, status=200, body={"job_id": "8a12fc664fb4daa3014fb4e581380005"}, delay=1.0)
    started = time.monotonic()
    with pytest.raises(hcims.TransportError) as raised:
        fast_client(ims_mock, timeout=0.2).create_image(SPEC)
    assert time.monotonic() - started < 0.9
    assert raised.value.maybe_sent is True
    assert raised.value.retryable is False
    assert "timed out" in str(raised.value)
    assert len(posts(ims_mock)) == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_refused_connection_is_retryable_and_never_sent() -> None:
    client = hcims.Client(
        endpoint=f"http://127.0.0.1:{free_port()}",
        ak="AK",
        sk="SK",
        project_id="p",
        retries=2,
        retry_backoff=FAST,
    )
    with pytest.raises(hcims.TransportError) as raised:
        client.create_image(SPEC)
    assert raised.value.retryable is True
    assert raised.value.maybe_sent is False
    assert "could not connect" in str(raised.value)
    assert "may still" not in str(raised.value)


def test_a_connect_timeout_is_retryable_and_never_sent() -> None:
    # A listener that never accepts, with its backlog full: further connects hang in SYN_SENT.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        client = hcims.Client(
            endpoint=f"http://127.0.0.1:{port}",
            ak="AK",
            sk="SK",
            project_id="p",
            connect_timeout=0.2,
            retries=0,
        )
        started = time.monotonic()
        with pytest.raises(hcims.TransportError) as raised:
            client.create_image(SPEC)
        assert time.monotonic() - started < 5
        assert raised.value.retryable is True
        assert raised.value.maybe_sent is False
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


# Queries: any transient failure is retried, and a wait survives more.


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("answer", 500),
        ("answer", 502),
        ("answer", 503),
        ("answer", 504),
        ("not_json", 502),
        ("drop_before_body", 0),
        ("drop_after_body", 0),
        ("truncate", 200),
    ],
)
def test_a_job_query_is_retried_after_a_transient_failure(
    ims_mock: MockIms, action: FaultAction, status: int
) -> None:
    client = fast_client(ims_mock)
    job_id = client.create_image(SPEC)
    path = f"/v1/{ims_mock.project_id}/jobs/{job_id}"
    fault: dict[str, Any] = {"action": action, "method": "GET"}
    if status:
        fault["status"] = status
    if action == "truncate":
        fault["body"] = {"job_id": job_id, "status": "RUNNING"}
    ims_mock.add_fault(path, **fault)
    job = client.get_job(job_id)
    assert job.id == job_id
    assert len(job_gets(ims_mock, job_id)) == 2


def test_query_errors_after_the_retries_are_retryable_and_not_sent(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock, retries=1)
    job_id = client.create_image(SPEC)
    ims_mock.add_fault(f"/v1/{ims_mock.project_id}/jobs/{job_id}", action="drop_after_body", times=0)
    with pytest.raises(hcims.TransportError) as raised:
        client.get_job(job_id)
    assert raised.value.retryable is True
    assert raised.value.maybe_sent is False
    assert len(job_gets(ims_mock, job_id)) == 2


def test_waiting_survives_polls_that_fail_on_drops_and_5xx() -> None:
    # No retries inside a poll: each fault fails a whole poll, and the wait must ride them out.
    with MockIms(job_polls=3) as ims:
        client = fast_client(ims, retries=0)
        job_id = client.create_image(SPEC)
        path = f"/v1/{ims.project_id}/jobs/{job_id}"
        faults: list[dict[str, Any]] = [
            {"action": "drop_before_body"},
            {"status": 503, "body": {"error_code": "APIGW.0613", "error_msg": "IAM unavailable"}},
            {"action": "drop_after_body"},
            {"status": 500},
        ]

        def arm_faults_after_the_first_poll(job: hcims.Job) -> None:
            # A wait gives up at once when no poll ever succeeded (wrong endpoint or credentials).
            while faults:
                ims.add_fault(path, method="GET", **faults.pop(0))

        job = client.wait_for_job(
            job_id, timeout=30, poll_interval=0.01, on_progress=arm_faults_after_the_first_poll
        )
        assert job.status == "SUCCESS"
        assert job.image_id
        # The 4 failed polls came on top of the ones the job needs to finish.
        assert len(job_gets(ims, job_id)) >= 4 + 4


def test_an_unknown_job_is_not_found_without_retries(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock)
    unknown = "ff80808280c204e30180d2784c3c0d86"
    with pytest.raises(hcims.NotFoundError) as raised:
        client.get_job(unknown)
    assert raised.value.status == 404
    with pytest.raises(hcims.NotFoundError):
        client.wait_for_job(unknown, timeout=10, poll_interval=0.01)
    assert len(job_gets(ims_mock, unknown)) == 2


# The same policy from the asyncio client: the core applies it.


def test_the_async_client_retries_and_refuses_to_retry_alike(ims_mock: MockIms) -> None:
    async def scenario() -> tuple[str, hcims.ServerError]:
        async with hcims.AsyncClient(**ims_mock.client_args(), retry_backoff=FAST) as client:
            ims_mock.add_fault(ACTION, status=429, body=THROTTLED)
            job_id = await client.create_image(SPEC)
            ims_mock.add_fault(ACTION, status=500)
            with pytest.raises(hcims.ServerError) as raised:
                await client.create_image(SPEC)
            return job_id, raised.value

    job_id, error = asyncio.run(scenario())
    assert len(job_id) == 32
    assert error.maybe_sent is True
    assert len(posts(ims_mock)) == 3


def test_wait_for_jobs_survives_faults_for_every_job(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock)
    job_ids = [client.create_image(dict(SPEC, name=f"web-{i}")) for i in range(3)]
    ims_mock.add_fault(f"/v1/{ims_mock.project_id}/jobs/*", method="GET", status=502, times=3)
    jobs = client.wait_for_jobs(job_ids, timeout=30, poll_interval=0.01)
    assert [job.status for job in jobs] == ["SUCCESS"] * 3


# Clock skew: the gateway refuses dates more than 15 minutes off.


@pytest.mark.parametrize("offset", [3600.0, -3600.0])
def test_a_skewed_clock_is_named_in_the_error(offset: float) -> None:
    with MockIms(clock_offset=offset) as ims:
        with pytest.raises(hcims.AuthenticationError) as raised:
            fast_client(ims).create_image(SPEC)
        assert raised.value.code == "APIGW.0303"
        assert "check this machine's clock" in str(raised.value)
        assert len(posts(ims)) == 1


def test_a_clock_within_the_tolerance_works() -> None:
    with MockIms(clock_offset=600.0) as ims:
        assert len(fast_client(ims).create_image(SPEC)) == 32


def test_other_authentication_failures_do_not_blame_the_clock(ims_mock: MockIms) -> None:
    args = dict(ims_mock.client_args(), sk="not-the-secret-key")
    with pytest.raises(hcims.AuthenticationError) as raised:
        hcims.Client(**args).create_image(SPEC)
    assert "clock" not in str(raised.value)


def test_waiting_survives_a_first_poll_that_fails_on_drops_and_5xx() -> None:
    # Issue 14: the job was accepted, so even the very first poll may fail transiently.
    with MockIms(job_polls=2) as ims:
        client = fast_client(ims, retries=0)
        job_id = client.create_image(SPEC)
        path = f"/v1/{ims.project_id}/jobs/{job_id}"
        ims.add_fault(path, method="GET", action="drop_before_body")
        ims.add_fault(path, method="GET", status=503)
        job = client.wait_for_job(job_id, timeout=30, poll_interval=0.01)
        assert job.status == "SUCCESS"
        assert len(job_gets(ims, job_id)) >= 2 + 2
