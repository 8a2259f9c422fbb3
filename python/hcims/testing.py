"""Test helpers: an emulator of Huawei Cloud IMS on loopback, and the ``ims_mock`` pytest fixture.

::

    from hcims.testing import MockIms

    with MockIms() as ims:
        client = hcims.Client(**ims.client_args())
        ...
        assert ims.requests[0].json()["name"] == "web"

The emulator verifies AK/SK signatures (or an IAM token), applies IMS's request rules, runs image jobs
through INIT -> RUNNING -> SUCCESS | FAIL, records every request and serves scripted faults.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any

from hcims._native import MockServer

if TYPE_CHECKING:
    # Only for annotations (postponed by the __future__ import), so no runtime dependency.
    from typing_extensions import Self

__all__ = ["DEFAULT_REGION", "MockIms", "RecordedRequest"]

#: The region ``MockIms`` reports in ``client_args()``; the emulator itself serves any.
DEFAULT_REGION = "cn-north-4"

_SECRET_HEADERS = frozenset({"authorization", "x-auth-token", "x-security-token"})


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator received it (header names in lower case, body as sent)."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any case), or None."""
        return self.headers.get(name.lower())

    def __repr__(self) -> str:
        shown = {name: ("***" if name in _SECRET_HEADERS else value) for name, value in self.headers.items()}
        return (
            f"RecordedRequest(method={self.method!r}, path={self.path!r}, query={self.query!r}, "
            f"headers={shown!r}, body={self.body!r})"
        )


class MockIms:
    """An IMS emulator on 127.0.0.1, started by ``start()`` or a ``with`` block.

    Without arguments it uses fixed, fake example credentials; ``client_args()`` gives what a client
    needs to talk to it. ``job_polls`` is how many job queries answer RUNNING before the job ends;
    with ``job_seconds`` jobs end after that much time instead. A job whose image name contains
    ``fail_pattern`` ends in FAIL. ``security_token`` makes the credentials temporary ones;
    ``auth_token`` also accepts ``X-Auth-Token`` requests.
    """

    def __init__(
        self,
        *,
        ak: str | None = None,
        sk: str | None = None,
        project_id: str | None = None,
        security_token: str | None = None,
        auth_token: str | None = None,
        job_polls: int = MockServer.DEFAULT_JOB_POLLS,
        job_seconds: float | None = None,
        fail_pattern: str | None = None,
        port: int = 0,
        region: str = DEFAULT_REGION,
    ) -> None:
        self._options: dict[str, Any] = {
            "ak": MockServer.EXAMPLE_AK if ak is None else ak,
            "sk": MockServer.EXAMPLE_SK if sk is None else sk,
            "project_id": MockServer.EXAMPLE_PROJECT_ID if project_id is None else project_id,
            "security_token": security_token,
            "auth_token": auth_token,
            "job_polls": job_polls,
            "job_seconds": job_seconds,
            "fail_pattern": fail_pattern,
            "port": port,
        }
        self.region: str = region
        # Kept after stop() so a test can still look at what the emulator saw.
        self._server: MockServer | None = None
        self._serving = False

    def start(self) -> Self:
        """Starts serving (if not already) and returns ``self``. A restart begins with no requests or jobs."""
        if not self._serving:
            self._server = MockServer(**self._options)
            self._serving = True
        return self

    def stop(self) -> None:
        """Stops serving; ``requests`` and ``jobs`` stay readable. Calling it again does nothing."""
        if self._serving and self._server is not None:
            self._serving = False
            self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def _running(self) -> MockServer:
        if not self._serving or self._server is None:
            raise RuntimeError("the MockIms is not started: call start() or use it in a with block")
        return self._server

    @property
    def _started_once(self) -> MockServer:
        if self._server is None:
            raise RuntimeError("the MockIms was never started: call start() or use it in a with block")
        return self._server

    @property
    def started(self) -> bool:
        """True while it serves."""
        return self._serving

    @property
    def endpoint(self) -> str:
        """The base URL, ``http://127.0.0.1:PORT``, while it serves."""
        return self._running.endpoint

    @property
    def port(self) -> int:
        return self._running.port

    @property
    def ak(self) -> str:
        ak: str = self._options["ak"]
        return ak

    @property
    def sk(self) -> str:
        """The emulator's secret key (a fake one unless given); never shown by ``repr``."""
        sk: str = self._options["sk"]
        return sk

    @property
    def project_id(self) -> str:
        project_id: str = self._options["project_id"]
        return project_id

    @property
    def security_token(self) -> str | None:
        token: str | None = self._options["security_token"]
        return token

    @property
    def auth_token(self) -> str | None:
        token: str | None = self._options["auth_token"]
        return token

    def client_args(self) -> dict[str, str]:
        """Keyword arguments for a client: endpoint, region, ak, sk, project_id (and security_token)."""
        args = {
            "endpoint": self.endpoint,
            "region": self.region,
            "ak": self.ak,
            "sk": self.sk,
            "project_id": self.project_id,
        }
        if self.security_token is not None:
            args["security_token"] = self.security_token
        return args

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, rejected ones included, oldest first."""
        return [
            RecordedRequest(
                method=raw["method"],
                path=raw["path"],
                query=raw["query"],
                headers=MappingProxyType(dict(raw["headers"])),
                body=raw["body"],
            )
            for raw in self._started_once.requests()
        ]

    def clear_requests(self) -> None:
        self._started_once.clear_requests()

    @property
    def jobs(self) -> list[dict[str, Any]]:
        """Every job's document as a query would serve it now (reading them does not move jobs)."""
        return self._started_once.jobs()

    def add_fault(
        self,
        path: str,
        *,
        status: int = 500,
        body: str | bytes | Mapping[str, Any] = "",
        method: str | None = None,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Answers requests to ``path`` (a prefix if it ends in ``*``) with ``status`` and ``body``.

        The fault applies before authentication, ``times`` times (0: until ``clear_faults()``), to
        ``method`` only if given, after waiting ``delay`` seconds. A mapping body is sent as JSON.
        """
        if isinstance(body, Mapping):
            text = json.dumps(body)
        elif isinstance(body, bytes):
            text = body.decode("utf-8")
        else:
            text = body
        self._running.add_fault(
            path,
            status=status,
            body=text,
            method=method,
            headers=dict(headers) if headers is not None else None,
            times=times,
            delay=delay,
        )

    def clear_faults(self) -> None:
        self._running.clear_faults()

    def __repr__(self) -> str:
        where = f"endpoint={self.endpoint!r}" if self._serving else "not started"
        return f"MockIms({where}, region={self.region!r}, ak={self.ak!r}, project_id={self.project_id!r})"


# A pytest plugin (entry point ``hcims``) as well; importing this module elsewhere must not pull in pytest.
if "pytest" in sys.modules:
    import pytest

    @pytest.fixture
    def ims_mock() -> Iterator[MockIms]:
        """A started :class:`MockIms` with the default settings, stopped after the test."""
        with MockIms() as ims:
            yield ims
