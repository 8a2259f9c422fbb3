"""Shared helpers of the test suite. The `ims_mock` fixture comes from the hcims.testing plugin."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import Any

import pytest

from hcims import Client
from hcims.testing import MockIms


def lower_headers(headers: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in dict(headers).items()}


@pytest.fixture
def client(ims_mock: MockIms) -> Client:
    return Client(**ims_mock.client_args())


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    """No credentials, region or profile from the machine running the tests."""
    for name in (
        "HCIMS_REGION",
        "HCIMS_ENDPOINT",
        "HUAWEICLOUD_SDK_REGION",
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_SK",
        "HUAWEICLOUD_SDK_PROJECT_ID",
        "HUAWEICLOUD_SDK_SECURITY_TOKEN",
        "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
        "HUAWEICLOUD_SDK_IAM_ENDPOINT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    return monkeypatch


@pytest.fixture
def sigint_delivered() -> Iterator[None]:
    """Ctrl-C reaches this process during the test, even in a run started with SIGINT ignored (a background job
    of a non-interactive shell): Python's own handler is put back meanwhile, so the test cannot wait forever."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
