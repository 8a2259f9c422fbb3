"""Test helpers: an emulator of Huawei Cloud IMS on loopback, and the ``ims_mock`` pytest fixture.

::

    from hcims.testing import MockIms

    with MockIms() as ims:
        client = hcims.Client(**ims.client_args())
        ...
        assert ims.requests[0].json()["name"] == "web"

The emulator verifies AK/SK signatures (or IAM tokens), applies IMS's request rules, runs image jobs
through INIT -> RUNNING -> SUCCESS | FAIL, lists the images they make (``GET /v2/cloudimages``),
records every request and serves scripted faults. ``serve()`` runs one until interrupted (the
``hcims mock`` command).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any, Literal, Optional, TextIO, TypedDict

from hcims._native import MockServer

if TYPE_CHECKING:
    # Only for annotations (postponed by the __future__ import), so no runtime dependency.
    from typing_extensions import Self

__all__ = [
    "DEFAULT_REGION",
    "ClientArgs",
    "FaultAction",
    "MockAccount",
    "MockIms",
    "RecordedRequest",
    "serve",
]

#: The region ``MockIms`` reports in ``client_args()``; IMS requests of any region are served, and the
#: emulated IAM (``GET /v3/projects?name=``) names every project after this one.
DEFAULT_REGION = "cn-north-4"

#: What a fault does instead of answering as IMS: ``answer`` with its status, body and headers;
#: close the connection before reading the request body (``drop_before_body``) or after reading it
#: (``drop_after_body``) without answering; send the head with the whole body's length but only half
#: of the body (``truncate``); or answer an HTML page instead of JSON (``not_json``).
FaultAction = Literal["answer", "drop_before_body", "drop_after_body", "truncate", "not_json"]


class _RequiredClientArgs(TypedDict):
    endpoint: str
    region: str
    ak: str
    sk: str
    project_id: str


class ClientArgs(_RequiredClientArgs, total=False):
    """Keyword arguments for ``hcims.Client`` (``security_token`` only for temporary credentials)."""

    security_token: str


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


@dataclass(frozen=True)
class MockAccount:
    """One more AK/SK pair the emulator accepts, bound to one or several projects.

    ``security_token`` makes the credentials temporary: requests must then carry it.
    """

    ak: str
    sk: str = field(repr=False)
    project_ids: Sequence[str]
    security_token: Optional[str] = field(default=None, repr=False)


class MockIms:
    """An IMS emulator on 127.0.0.1, started by ``start()`` or a ``with`` block.

    Without arguments it uses fixed, fake example credentials; ``client_args()`` gives what a client
    needs to talk to it.

    Accounts and projects: ``ak``/``sk``/``project_id`` (and ``security_token`` for temporary
    credentials) are the first account; ``auth_token`` also accepts ``X-Auth-Token`` requests in its
    project. ``accounts`` adds :class:`MockAccount` s, each bound to its projects, and ``tokens``
    more IAM tokens (token -> project). Each project has its own jobs, images and quota.

    Jobs: the first ``init_polls`` queries of a job answer INIT (default none); then ``job_polls``
    queries answer RUNNING before the job ends; with ``job_seconds`` jobs end after that much time
    instead. A job ends in FAIL when an image name
    contains ``fail_pattern``, at random with probability ``fail_rate`` (repeatable with ``seed``),
    or when ``fail_job()`` asks for it.

    Rules that depend on the account: ``unique_names`` makes a taken name IMG.0009 (off by default,
    so tests may reuse names); ``image_quota`` caps each project's private images (IMG.0015; IMS's
    default quota is 50, the emulator has none unless told, and ``GET /v1/cloudimages/quota`` then
    reports 50); ``instances`` lists the ECSs that
    exist (others are IMG.0005). ``rate_limit_per_second`` makes the gateway answer 429 APIGW.0308
    above that rate. ``max_running_jobs`` caps the jobs (INIT or RUNNING) a project runs at once, as
    IMS's 40 per tenant: a create beyond is IMG.0060 (task flow control); ``peak_running_jobs`` then
    tells the most that ran at once.

    Account: the emulated IAM (``GET /v3/projects?name=``, on the same port: give a client
    ``iam_endpoint=ims.endpoint`` and no ``project_id``) lists each key's projects, all named after
    ``region``; ``GET /v1/cloudimages/os_version`` serves ``os_versions`` (default: hcims's bundled
    list); ``GET /v1/cloudimages/quota`` counts the project's images against ``image_quota``.

    Memory: requests are recorded unless ``record_requests`` is False, and only the latest
    ``max_recorded_requests`` are kept; beyond ``max_jobs`` jobs (None: no limit) the oldest job
    and its images are forgotten. Both bounds keep a long benchmark from growing without end.

    Transport: ``tls_cert`` and ``tls_key`` (PEM text of a certificate chain and its key) make it
    serve HTTPS (``endpoint`` is then ``https://127.0.0.1:PORT``; give clients the CA as
    ``ca_bundle``). ``clock_offset`` sets the gateway's clock that many seconds ahead (negative:
    behind), so signatures more than 15 minutes off are refused as a skewed client clock would be.

    ``response_delay`` (seconds) holds every answer until that long after its request arrived, as a
    real network and service would: clients can then be measured as over a real link.

    ``listing_delay`` (seconds): an image shows in ``GET /v2/cloudimages`` only that long after its
    create was accepted, as IMS lists an image a little after it accepts the job (``images`` shows
    every image at once).
    """

    def __init__(
        self,
        *,
        ak: str | None = None,
        sk: str | None = None,
        project_id: str | None = None,
        security_token: str | None = None,
        auth_token: str | None = None,
        accounts: Sequence[MockAccount] = (),
        tokens: Mapping[str, str] | None = None,
        init_polls: int = 0,
        job_polls: int = MockServer.DEFAULT_JOB_POLLS,
        job_seconds: float | None = None,
        fail_pattern: str | None = None,
        fail_rate: float = 0.0,
        seed: int | None = None,
        unique_names: bool = False,
        image_quota: int | None = None,
        instances: Sequence[str] | None = None,
        rate_limit_per_second: float | None = None,
        record_requests: bool = True,
        max_recorded_requests: int = MockServer.DEFAULT_MAX_RECORDED_REQUESTS,
        max_jobs: int | None = MockServer.DEFAULT_MAX_JOBS,
        port: int = 0,
        region: str = DEFAULT_REGION,
        clock_offset: float = 0.0,
        tls_cert: str | None = None,
        tls_key: str | None = None,
        os_versions: Sequence[str] | None = None,
        response_delay: float = 0.0,
        max_running_jobs: int | None = None,
        listing_delay: float = 0.0,
    ) -> None:
        self.accounts: tuple[MockAccount, ...] = tuple(accounts)
        self._options: dict[str, Any] = {
            "ak": MockServer.EXAMPLE_AK if ak is None else ak,
            "sk": MockServer.EXAMPLE_SK if sk is None else sk,
            "project_id": MockServer.EXAMPLE_PROJECT_ID if project_id is None else project_id,
            "security_token": security_token,
            "auth_token": auth_token,
            "accounts": [
                (account.ak, account.sk, list(account.project_ids), account.security_token)
                for account in self.accounts
            ],
            "tokens": dict(tokens or {}),
            "init_polls": init_polls,
            "job_polls": job_polls,
            "job_seconds": job_seconds,
            "listing_delay": listing_delay,
            "fail_pattern": fail_pattern,
            "fail_rate": fail_rate,
            "seed": seed,
            "unique_names": unique_names,
            "image_quota": image_quota,
            "instances": None if instances is None else list(instances),
            "rate_limit_per_second": rate_limit_per_second,
            "record_requests": record_requests,
            "max_recorded_requests": max_recorded_requests,
            "max_jobs": max_jobs,
            "port": port,
            "clock_offset": clock_offset,
            "tls_cert": tls_cert,
            "tls_key": tls_key,
            "region": region,
            "os_versions": None if os_versions is None else list(os_versions),
            "response_delay": response_delay,
            "max_running_jobs": max_running_jobs,
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
        """Stops serving; ``requests``, ``jobs`` and ``images`` stay readable. Calling it again does nothing."""
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
        """The base URL, ``http://127.0.0.1:PORT`` (``https://`` with TLS), while it serves."""
        return self._running.endpoint

    @property
    def port(self) -> int:
        """The TCP port it listens on (127.0.0.1), while it serves."""
        return self._running.port

    @property
    def ak(self) -> str:
        """The access key of the first account (a fake example one unless given)."""
        ak: str = self._options["ak"]
        return ak

    @property
    def sk(self) -> str:
        """The emulator's secret key (a fake one unless given); never shown by ``repr``."""
        sk: str = self._options["sk"]
        return sk

    @property
    def project_id(self) -> str:
        """The first account's first project."""
        project_id: str = self._options["project_id"]
        return project_id

    @property
    def security_token(self) -> str | None:
        """The security token that makes the first account's credentials temporary, if any."""
        token: str | None = self._options["security_token"]
        return token

    @property
    def auth_token(self) -> str | None:
        """An IAM token accepted as ``X-Auth-Token``, if one was given."""
        token: str | None = self._options["auth_token"]
        return token

    @property
    def project_ids(self) -> list[str]:
        """Every project some key or token can act in, the first account's first."""
        projects = [self.project_id]
        more = [p for account in self.accounts for p in account.project_ids]
        more += list(self._options["tokens"].values())
        for project in more:
            if project not in projects:
                projects.append(project)
        return projects

    def client_args(self, account: MockAccount | None = None, *, project_id: str | None = None) -> ClientArgs:
        """Keyword arguments for a client: endpoint, region, ak, sk, project_id (and security_token).

        With the first account unless ``account`` is given, in its (first) project unless
        ``project_id`` names another.
        """
        if account is None:
            ak, sk, token, projects = self.ak, self.sk, self.security_token, [self.project_id]
        else:
            ak, sk, token, projects = (
                account.ak,
                account.sk,
                account.security_token,
                list(account.project_ids),
            )
        args = ClientArgs(
            endpoint=self.endpoint,
            region=self.region,
            ak=ak,
            sk=sk,
            project_id=projects[0] if project_id is None else project_id,
        )
        if token is not None:
            args["security_token"] = token
        return args

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received so far (the latest ``max_recorded_requests``), rejected ones included, oldest first."""
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
        """Forgets the requests recorded so far."""
        self._started_once.clear_requests()

    @property
    def jobs(self) -> list[dict[str, Any]]:
        """Every job's document as a query would serve it now, oldest first, all projects (reading does not move jobs)."""
        return self._started_once.jobs()

    def project_jobs(self, project_id: str) -> list[dict[str, Any]]:
        """The jobs of one project, as ``jobs``."""
        return self._started_once.jobs(project_id)

    @property
    def images(self) -> list[dict[str, Any]]:
        """Every image as ``GET /v2/cloudimages`` shows it now (``queued``/``saving`` while its job runs,
        ``active`` once it succeeded, gone if it failed), oldest first, all projects."""
        return self._started_once.images()

    def project_images(self, project_id: str) -> list[dict[str, Any]]:
        """The images of one project, as ``images``."""
        return self._started_once.images(project_id)

    @property
    def peak_running_jobs(self) -> int:
        """The most jobs one project had running (INIT or RUNNING) at once, counted only when
        ``max_running_jobs`` is set (else 0); readable after ``stop()``."""
        return self._started_once.peak_running_jobs

    def fail_job(self, job_id: str) -> None:
        """Makes a job (and its sub-jobs) end in FAIL instead of SUCCESS.

        Raises KeyError for an unknown job and ValueError for one that has already ended.
        """
        self._started_once.fail_job(job_id)

    def add_fault(
        self,
        path: str,
        *,
        action: FaultAction = "answer",
        status: int = 500,
        body: str | bytes | Mapping[str, Any] = "",
        method: str | None = None,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
        delay: float = 0.0,
        after_acting: bool = False,
        chance: float = 1.0,
        seed: int | None = None,
    ) -> None:
        """Answers requests to ``path`` (a prefix if it ends in ``*``) with ``status`` and ``body``,
        or does ``action`` instead (see :data:`FaultAction`).

        The fault applies before authentication, ``times`` times (0: until ``clear_faults()``), to
        ``method`` only if given, after waiting ``delay`` seconds. A mapping body is sent as JSON.
        With ``after_acting=True`` IMS acts on the request first (a create starts its job) and the
        fault then replaces its answer: a 500, ``drop_after_body`` or ``truncate`` after IMS acted.
        With ``chance`` below 1 the fault takes only that share of the matching requests, drawn for each
        (repeatable with ``seed``); the others pass on to the next fault or to IMS.
        """
        if isinstance(body, Mapping):
            text = json.dumps(body)
        elif isinstance(body, bytes):
            text = body.decode("utf-8")
        else:
            text = body
        self._running.add_fault(
            path,
            action=action,
            status=status,
            body=text,
            method=method,
            headers=dict(headers) if headers is not None else None,
            times=times,
            delay=delay,
            after_acting=after_acting,
            chance=chance,
            seed=seed,
        )

    def clear_faults(self) -> None:
        """Removes every scripted fault, including those set to repeat (``times=0``)."""
        self._running.clear_faults()

    def __repr__(self) -> str:
        where = f"endpoint={self.endpoint!r}" if self._serving else "not started"
        return f"MockIms({where}, region={self.region!r}, ak={self.ak!r}, project_id={self.project_id!r})"


def serve(
    *,
    port: int = 8080,
    ak: str | None = None,
    sk: str | None = None,
    project_id: str | None = None,
    job_seconds: float | None = None,
    out: TextIO | None = None,
    **options: Any,
) -> None:
    """Serves an emulator on ``127.0.0.1:port`` until interrupted (Ctrl-C), after printing its
    endpoint and credentials to ``out`` (standard output by default).

    ``options`` are further :class:`MockIms` settings (``job_polls``, ``auth_token``, ...). Requests are
    not recorded unless ``record_requests=True``: nothing outside this call could read them.
    """
    options.setdefault("record_requests", False)
    stream = sys.stdout if out is None else out

    def say(line: str) -> None:
        print(line, file=stream, flush=True)

    with MockIms(port=port, ak=ak, sk=sk, project_id=project_id, job_seconds=job_seconds, **options) as ims:
        args_text = ", ".join(f"{name}={value!r}" for name, value in ims.client_args().items())
        say(f"IMS emulator serving at {ims.endpoint}")
        say(
            f"  export HCIMS_ENDPOINT={ims.endpoint} HUAWEICLOUD_SDK_AK={ims.ak} "
            f"HUAWEICLOUD_SDK_SK={ims.sk} HUAWEICLOUD_SDK_PROJECT_ID={ims.project_id}"
        )
        say(f"  hcims.Client({args_text})")
        if ims.auth_token is not None:
            say(f"  X-Auth-Token: {ims.auth_token}")
        say("Ctrl-C stops it.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            say("stopped")


# A pytest plugin (entry point ``hcims``) as well; importing this module elsewhere must not pull in pytest.
if "pytest" in sys.modules:
    import pytest

    @pytest.fixture
    def ims_mock() -> Iterator[MockIms]:
        """A started :class:`MockIms` with the default settings, stopped after the test."""
        with MockIms() as ims:
            yield ims
