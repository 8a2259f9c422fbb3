"""The asyncio client: every method of :class:`hcims.Client` as a coroutine.

::

    async with hcims.AsyncClient(region="cn-north-4") as ac:
        job_id = await ac.create_from_server(spec)
        job = await ac.wait_for_job(job_id, progress=True)

Each call runs as a task on hcims's own Rust runtime and wakes the event loop when it ends, so the
loop is never blocked. Cancelling the awaiting task drops the Rust future, which cancels the HTTP
request in flight.
"""

from __future__ import annotations

import asyncio
import atexit
import os
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional, Union, overload

from . import _native
from .account import OsVersion, Quota
from .client import (
    Client,
    PreparedRequest,
    _image_filters,
    job_id_list,
    request_for,
    request_of,
    requests_for_many,
)
from .errors import HcimsError
from .job import Job
from .progress import ProgressCallback, counting, watching
from .specs import (
    ImageSpecLike,
    ObsImageLike,
    ServerDataImagesLike,
    ServerImageLike,
    VolumeImageLike,
)

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["AsyncClient"]

# From here on no Rust task hands anything to Python: the interpreter is on its way out.
atexit.register(_native._interpreter_exiting)

Deliver = Callable[[bool, Any], None]


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():  # cancelled meanwhile
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


class AsyncClient:
    """A client of IMS for asyncio, with the arguments of :class:`hcims.Client`.

    Every method is a coroutine, ``prepare`` included (it sends nothing and returns at once, but an
    async client awaits all of its methods alike). Use it as ``async with AsyncClient(...) as ac:``
    or call :meth:`aclose` when done: calls still in flight are then cancelled.
    """

    def __init__(
        self,
        region: Optional[str] = None,
        *,
        endpoint: Optional[str] = None,
        ak: Optional[str] = None,
        sk: Optional[str] = None,
        project_id: Optional[str] = None,
        security_token: Optional[str] = None,
        auth_token: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        retries: Optional[int] = None,
        retry_backoff: Optional[tuple[float, float]] = None,
        ca_bundle: Optional[Union[str, os.PathLike[str]]] = None,
        verify: bool = True,
        max_attempts: Optional[int] = None,
        iam_endpoint: Optional[str] = None,
    ) -> None:
        self._client = Client(
            region,
            endpoint=endpoint,
            ak=ak,
            sk=sk,
            project_id=project_id,
            security_token=security_token,
            auth_token=auth_token,
            timeout=timeout,
            connect_timeout=connect_timeout,
            retries=retries,
            retry_backoff=retry_backoff,
            ca_bundle=ca_bundle,
            verify=verify,
            max_attempts=max_attempts,
            iam_endpoint=iam_endpoint,
        )
        self._native = _native.AsyncClient(self._client._native)
        self._in_flight: dict[_native.PendingCall, asyncio.Future[Any]] = {}
        self._closed = False

    @property
    def endpoint(self) -> str:
        """The base URL requests go to."""
        return self._client.endpoint

    @property
    def region(self) -> Optional[str]:
        """The region, when one was given or found in the environment (None with only an endpoint)."""
        return self._client.region

    @property
    def project_id(self) -> str:
        """The project every request acts in (sent as ``X-Project-Id`` and in job paths). When it is
        discovered and not yet known, reading this blocks while IAM answers: ``await``
        :meth:`get_project_id` instead."""
        return self._client.project_id

    async def get_project_id(self) -> str:
        """The project id, discovered from IAM on first use when it was not given."""
        known = self._client._native.known_project_id
        if known is not None:
            return known
        project_id: str = await self._call(lambda deliver, _: self._native.project_id(deliver))
        return project_id

    @property
    def auth_kind(self) -> str:
        """``"aksk"``, ``"temporary-aksk"`` or ``"token"``."""
        return self._client.auth_kind

    @property
    def closed(self) -> bool:
        """True after :meth:`aclose`."""
        return self._closed

    def __repr__(self) -> str:
        return "Async" + repr(self._client)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Cancels the calls still in flight (their awaiters get ``CancelledError``) and refuses new ones.
        Calling it again does nothing."""
        self._closed = True
        for pending, future in list(self._in_flight.items()):
            pending.cancel()
            future.cancel()
        self._in_flight.clear()

    async def _call(
        self,
        start: Callable[[Deliver, Optional[Callable[[Any], None]]], _native.PendingCall],
        on_progress: Optional[Callable[[Any], Any]] = None,
    ) -> Any:
        """Starts a native call and awaits its outcome. ``start(deliver, forward)`` gets two thread-safe
        callables: ``deliver(ok, value)`` for the outcome and, when ``on_progress`` is given, ``forward(event)``
        for events (job snapshots, ends of creates), which runs ``on_progress(event)`` on the event loop; an
        exception from it ends the call.
        """
        if self._closed:
            raise RuntimeError("this AsyncClient is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        pending: Optional[_native.PendingCall] = None

        def deliver(ok: bool, value: Any) -> None:  # on a Rust worker thread
            loop.call_soon_threadsafe(_settle, future, ok, value)

        forward: Optional[Callable[[Any], None]] = None
        if on_progress is not None:
            callback = on_progress

            def report(event: Any) -> None:  # on the event loop
                if future.done():
                    return
                try:
                    callback(event)
                except Exception as error:
                    _settle(future, False, error)
                    if pending is not None:
                        pending.cancel()

            def forward(event: Any) -> None:  # on a Rust worker thread
                loop.call_soon_threadsafe(report, event)

        pending = start(deliver, forward)
        self._in_flight[pending] = future
        try:
            return await future
        finally:
            # After an outcome this does nothing; after a cancellation it drops the Rust future.
            pending.cancel()
            self._in_flight.pop(pending, None)

    async def _create(self, method: str, spec: ImageSpecLike) -> str:
        mode, body = request_for(method, spec)
        job_id: str = await self._call(lambda deliver, _: self._native.create(mode, body, deliver))
        return job_id

    async def create_from_server(self, spec: ServerImageLike) -> str:
        """Makes a system-disk image from an ECS (``name`` + ``instance_id``); returns the job id."""
        return await self._create("create_from_server", spec)

    async def create_data_images_from_server(self, spec: ServerDataImagesLike) -> str:
        """Makes data-disk images from an ECS's volumes (``data_images``, no ``instance_id``); returns the job id."""
        return await self._create("create_data_images_from_server", spec)

    async def create_from_obs(self, spec: ObsImageLike) -> str:
        """Makes an image from an external file in OBS (``image_url`` + ``min_disk``); returns the job id."""
        return await self._create("create_from_obs", spec)

    async def create_from_volume(self, spec: VolumeImageLike) -> str:
        """Makes a system-disk image from a data volume (``volume_id`` + ``os_version``); returns the job id."""
        return await self._create("create_from_volume", spec)

    async def create_image(self, spec: ImageSpecLike) -> str:
        """Submits any create request, the way read from the spec (see :meth:`hcims.Client.create_image`)."""
        mode, body = request_of(spec)
        job_id: str = await self._call(lambda deliver, _: self._native.create(mode, body, deliver))
        return job_id

    async def prepare(self, spec: ImageSpecLike) -> PreparedRequest:
        """A dry run, as :meth:`hcims.Client.prepare`: nothing is sent to IMS, so it returns at once once
        the project is known (a project to discover is asked of IAM first, without blocking the loop)."""
        await self.get_project_id()
        return self._client.prepare(spec)

    @overload
    async def create_many(
        self,
        specs: Iterable[ImageSpecLike],
        concurrency: int = ...,
        progress: bool = ...,
        *,
        max_running_jobs: Optional[int] = ...,
        max_requests_per_second: Optional[float] = ...,
        wait: Literal[False] = ...,
        poll_interval: Optional[float] = ...,
        timeout: Optional[float] = ...,
    ) -> list[Union[str, Exception]]: ...
    @overload
    async def create_many(
        self,
        specs: Iterable[ImageSpecLike],
        concurrency: int = ...,
        progress: bool = ...,
        *,
        max_running_jobs: Optional[int] = ...,
        max_requests_per_second: Optional[float] = ...,
        wait: Literal[True],
        poll_interval: Optional[float] = ...,
        timeout: Optional[float] = ...,
    ) -> list[Union[Job, Exception]]: ...
    @overload
    async def create_many(
        self,
        specs: Iterable[ImageSpecLike],
        concurrency: int = ...,
        progress: bool = ...,
        *,
        max_running_jobs: Optional[int] = ...,
        max_requests_per_second: Optional[float] = ...,
        wait: bool,
        poll_interval: Optional[float] = ...,
        timeout: Optional[float] = ...,
    ) -> Union[list[Union[str, Exception]], list[Union[Job, Exception]]]: ...
    async def create_many(
        self,
        specs: Iterable[ImageSpecLike],
        concurrency: int = 32,
        progress: bool = False,
        *,
        max_running_jobs: Optional[int] = 40,
        max_requests_per_second: Optional[float] = None,
        wait: bool = False,
        poll_interval: Optional[float] = None,
        timeout: Optional[float] = 3600.0,
    ) -> Union[list[Union[str, Exception]], list[Union[Job, Exception]]]:
        """Submits many creates at once, as :meth:`hcims.Client.create_many` (the same limits and
        ``wait``): one outcome per spec, in order, the job id (or the finished Job) or the exception.
        Cancelling the awaiting task cancels the creates and polls in flight."""
        requests = requests_for_many(specs)
        with counting(len(requests), progress) as on_done:
            outcomes: Union[list[Union[str, Exception]], list[Union[Job, Exception]]] = await self._call(
                lambda deliver, forward: self._native.create_many(
                    requests,
                    deliver,
                    concurrency=concurrency,
                    on_done=forward,
                    max_running_jobs=max_running_jobs,
                    max_requests_per_second=max_requests_per_second,
                    wait=wait,
                    poll_interval=poll_interval,
                    timeout=timeout,
                ),
                on_done,
            )
            return outcomes

    async def get_job(self, job_id: str) -> Job:
        """The job's current state."""
        job: Job = await self._call(lambda deliver, _: self._native.get_job(job_id, deliver))
        return job

    async def wait_for_job(
        self,
        job_id: str,
        timeout: Optional[float] = 3600.0,
        poll_interval: Optional[float] = None,
        *,
        on_progress: Optional[ProgressCallback] = None,
        progress: bool = False,
    ) -> Job:
        """Polls the job until it ends, as :meth:`hcims.Client.wait_for_job`; ``on_progress`` runs on the
        event loop."""
        with watching([job_id], on_progress, progress) as callback:
            job: Job = await self._call(
                lambda deliver, forward: self._native.wait_for_job(
                    job_id, deliver, timeout=timeout, poll_interval=poll_interval, on_progress=forward
                ),
                callback,
            )
            return job

    @overload
    async def wait_for_jobs(
        self,
        job_ids: Iterable[str],
        timeout: Optional[float] = ...,
        poll_interval: Optional[float] = ...,
        *,
        raise_on_failure: Literal[True] = ...,
        on_progress: Optional[ProgressCallback] = ...,
        progress: bool = ...,
    ) -> list[Job]: ...
    @overload
    async def wait_for_jobs(
        self,
        job_ids: Iterable[str],
        timeout: Optional[float] = ...,
        poll_interval: Optional[float] = ...,
        *,
        raise_on_failure: bool,
        on_progress: Optional[ProgressCallback] = ...,
        progress: bool = ...,
    ) -> list[Union[Job, HcimsError]]: ...
    async def wait_for_jobs(
        self,
        job_ids: Iterable[str],
        timeout: Optional[float] = 3600.0,
        poll_interval: Optional[float] = None,
        *,
        raise_on_failure: bool = True,
        on_progress: Optional[ProgressCallback] = None,
        progress: bool = False,
    ) -> Union[list[Job], list[Union[Job, HcimsError]]]:
        """Waits for all the jobs at once, as :meth:`hcims.Client.wait_for_jobs`."""
        ids = job_id_list(job_ids)
        with watching(ids, on_progress, progress) as callback:
            jobs: Union[list[Job], list[Union[Job, HcimsError]]] = await self._call(
                lambda deliver, forward: self._native.wait_for_jobs(
                    ids,
                    deliver,
                    timeout=timeout,
                    poll_interval=poll_interval,
                    raise_on_failure=raise_on_failure,
                    on_progress=forward,
                ),
                callback,
            )
            return jobs

    async def os_versions(self, tag: Optional[str] = None) -> list[OsVersion]:
        """As :meth:`hcims.Client.os_versions`; the cache and the warnings it changes are shared with it."""
        entries: list[dict[str, Any]] = await self._call(
            lambda deliver, _: self._native.os_versions(deliver, tag)
        )
        return [OsVersion._from_native(entry) for entry in entries]

    async def quota(self) -> Quota:
        """As :meth:`hcims.Client.quota`."""
        used, total = await self._call(lambda deliver, _: self._native.quota(deliver))
        return Quota(used=used, total=total)

    async def find_images(
        self, name: Optional[str] = None, **filters: Union[str, int, bool]
    ) -> list[dict[str, Any]]:
        """As :meth:`hcims.Client.find_images`."""
        query = _image_filters(name, filters)
        images: list[dict[str, Any]] = await self._call(
            lambda deliver, _: self._native.find_images(query, deliver)
        )
        return images
