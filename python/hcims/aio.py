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
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Optional

from . import _native
from .call import Call
from .client import AsyncCalls
from .options import ClientOptions

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


class AsyncClient(AsyncCalls, ClientOptions):
    """A client of IMS for asyncio, with the arguments of :class:`hcims.Client`.

    Every method is a coroutine, ``prepare`` included (it sends nothing and returns at once, but an
    async client awaits all of its methods alike). Use it as ``async with AsyncClient(...) as ac:``
    or call :meth:`aclose` when done: calls still in flight are then cancelled. ``on_progress`` callbacks
    run on the event loop; cancelling the awaiting task cancels the requests and polls in flight.
    """

    def _connected(self) -> None:
        self._async = _native.AsyncClient(self._native)
        self._in_flight: dict[_native.PendingCall, asyncio.Future[Any]] = {}
        self._closed = False

    @property
    def project_id(self) -> str:
        """The project every request acts in (sent as ``X-Project-Id`` and in job paths). When it is
        discovered and not yet known, reading this blocks while IAM answers: ``await``
        :meth:`get_project_id` instead."""
        return self._native.project_id

    async def get_project_id(self) -> str:
        """The project id, discovered from IAM on first use when it was not given."""
        known = self._native.known_project_id
        if known is not None:
            return known
        project_id: str = await self._call(lambda deliver, _: self._async.project_id(deliver))
        return project_id

    @property
    def closed(self) -> bool:
        """True after :meth:`aclose`."""
        return self._closed

    def __repr__(self) -> str:
        return "Async" + repr(self._native)

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

    async def _run(self, call: Call) -> Any:
        """Runs ``call`` (see :class:`hcims.client.AsyncCalls`): started on the Rust runtime, or, for a call
        that sends nothing, made blocking once the project is known."""
        if not call.sends:
            await self.get_project_id()
            return call.run(self._native)
        if call.watch is None:
            value = await self._call(lambda deliver, _: call.start(self._async, deliver, None))
        else:
            with call.watch as callback:
                value = await self._call(
                    lambda deliver, forward: call.start(self._async, deliver, forward), callback
                )
        return call.converted(value)

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

            def forward_event(event: Any) -> None:  # on a Rust worker thread
                loop.call_soon_threadsafe(report, event)

            forward = forward_event

        pending = start(deliver, forward)
        self._in_flight[pending] = future
        try:
            return await future
        finally:
            # After an outcome this does nothing; after a cancellation it drops the Rust future.
            pending.cancel()
            self._in_flight.pop(pending, None)
