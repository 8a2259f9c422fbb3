"""Scripted faults of the emulator, as seen by a plain HTTP client and by hcims's own client."""

from __future__ import annotations

import http.client
import socket
import time
from urllib.parse import urlsplit

import pytest
from mock_http import ACTION, INSTANCE_ID, SERVER_IMAGE, call, create

import hcims
from hcims.testing import FaultAction, MockIms

THROTTLED = {"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached"}


def raw_post(ims: MockIms, body: bytes) -> bytes:
    """Posts on a fresh connection and reads until the emulator closes it (or resets it)."""
    port = urlsplit(ims.endpoint).port
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        head = f"POST {ACTION} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {len(body)}\r\n\r\n"
        connection.sendall(head.encode() + body)
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    return received


def test_a_fault_answers_the_given_times_then_ims_answers(ims_mock: MockIms) -> None:
    ims_mock.add_fault(ACTION, status=429, body=THROTTLED, headers={"Retry-After": "1"}, times=2)
    for _ in range(2):
        answer = call(ims_mock, "POST", ACTION, SERVER_IMAGE)
        assert answer.status == 429
        assert answer.json() == THROTTLED
        assert answer.headers["retry-after"] == "1"
        assert len(answer.headers["x-request-id"]) == 32
    assert call(ims_mock, "POST", ACTION, SERVER_IMAGE).status == 200


def test_faults_can_be_limited_to_a_method_and_cleared(ims_mock: MockIms) -> None:
    ims_mock.add_fault("/v1/*", method="GET", status=503, times=0)
    job_id = create(ims_mock, SERVER_IMAGE)
    assert call(ims_mock, "GET", f"/v1/cloudimages/job/{job_id}").status == 503
    ims_mock.clear_faults()
    assert call(ims_mock, "GET", f"/v1/cloudimages/job/{job_id}").status == 200


@pytest.mark.parametrize("action", ["drop_before_body", "drop_after_body"])
def test_a_dropped_connection_gets_no_answer_at_all(ims_mock: MockIms, action: FaultAction) -> None:
    ims_mock.add_fault(ACTION, action=action)
    assert raw_post(ims_mock, b'{"name": "x"}') == b""
    recorded = ims_mock.requests[0].body
    assert recorded == (b"" if action == "drop_before_body" else b'{"name": "x"}')
    assert ims_mock.jobs == []


def test_a_truncated_answer_stops_half_way_through_its_declared_length(ims_mock: MockIms) -> None:
    body = '{"job_id": "0123456789abcdef0123456789abcdef"}'
    ims_mock.add_fault(ACTION, action="truncate", status=200, body=body)
    head, _, sent = raw_post(ims_mock, b"{}").partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert f"content-length: {len(body)}".encode() in head.lower()
    assert sent == body[: len(body) // 2].encode()
    ims_mock.add_fault(ACTION, action="truncate", status=200, body=body)
    connection = http.client.HTTPConnection("127.0.0.1", urlsplit(ims_mock.endpoint).port, timeout=5)
    connection.request("POST", ACTION, body=b"{}")
    response = connection.getresponse()
    with pytest.raises(http.client.IncompleteRead):
        response.read()
    connection.close()


def test_a_not_json_answer_is_an_html_page(ims_mock: MockIms) -> None:
    ims_mock.add_fault(ACTION, action="not_json", status=502)
    answer = call(ims_mock, "POST", ACTION, SERVER_IMAGE)
    assert answer.status == 502
    assert answer.headers["content-type"] == "text/html"
    assert answer.body.startswith(b"<html>") and b"502 Bad Gateway" in answer.body
    assert len(answer.headers["x-request-id"]) == 32


def test_a_delay_holds_the_answer_back(ims_mock: MockIms) -> None:
    ims_mock.add_fault(ACTION, status=503, delay=0.2)
    began = time.monotonic()
    assert call(ims_mock, "POST", ACTION, SERVER_IMAGE).status == 503
    assert time.monotonic() - began >= 0.2


def test_an_unknown_action_is_a_value_error(ims_mock: MockIms) -> None:
    with pytest.raises(ValueError, match="drop_after_body"):
        ims_mock.add_fault(ACTION, action="explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="truncate"):
        ims_mock.add_fault(ACTION, headers={"Content-Length": "3"})


@pytest.mark.parametrize("action", ["drop_before_body", "drop_after_body", "truncate"])
def test_hcims_reports_a_broken_create_as_a_transport_error_that_may_have_acted(action: FaultAction) -> None:
    with MockIms() as ims:
        client = hcims.Client(**ims.client_args())
        ims.add_fault(
            ACTION, action=action, status=200, body='{"job_id": "0123456789abcdef0123456789abcdef"}'
        )
        with pytest.raises(hcims.TransportError) as raised:
            client.create_from_server({"name": "web", "instance_id": INSTANCE_ID})
        assert raised.value.maybe_sent
        assert len([r for r in ims.requests if r.method == "POST"]) == 1, (
            "a create that may have acted is not retried"
        )


def test_the_rate_limit_answers_429_apigw_0308_in_the_gateway_shape() -> None:
    with MockIms(rate_limit_per_second=2) as ims:
        answers = [call(ims, "POST", ACTION, SERVER_IMAGE) for _ in range(5)]
    statuses = [answer.status for answer in answers]
    assert statuses[:2] == [200, 200] and 429 in statuses, statuses
    throttled = next(answer for answer in answers if answer.status == 429)
    assert throttled.json()["error_code"] == "APIGW.0308"
    assert throttled.json()["request_id"] == throttled.headers["x-request-id"]
