"""One call of the native client, described once by a :class:`hcims.Client` method and run either blocking
(:meth:`Call.run`) or started on hcims's Rust runtime for asyncio (:meth:`Call.start`)."""

from __future__ import annotations

from collections.abc import Awaitable, Coroutine
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar, cast

from . import _native

if TYPE_CHECKING:
    from typing_extensions import Concatenate, ParamSpec

    P = ParamSpec("P")

__all__ = ["Call", "coroutine_of"]

R = TypeVar("R")


class Call:
    """The native method ``method`` with its arguments, and what is done around it.

    ``convert`` turns the native value into the result (each result class has one conversion).
    ``watch`` is a context manager held open for the whole call that gives the callback of its events
    (job snapshots, ends of creates), passed as the ``events`` argument; ``sends=False`` marks a call that
    sends nothing (a dry run), which the async client runs blocking once the project is known.
    """

    __slots__ = ("args", "convert", "events", "kwargs", "method", "sends", "watch")

    def __init__(
        self,
        method: str,
        *args: Any,
        convert: Optional[Callable[[Any], Any]] = None,
        watch: Optional[AbstractContextManager[Optional[Callable[[Any], Any]]]] = None,
        events: str = "on_progress",
        sends: bool = True,
        **kwargs: Any,
    ) -> None:
        self.method = method
        self.args = args
        self.kwargs = kwargs
        self.convert = convert
        self.watch = watch
        self.events = events
        self.sends = sends

    def run(self, native: _native.Client) -> Any:
        """Makes the call on the blocking native client and returns its result."""
        function = getattr(native, self.method)
        if self.watch is None:
            return self.converted(function(*self.args, **self.kwargs))
        with self.watch as callback:
            return self.converted(function(*self.args, **self.kwargs, **{self.events: callback}))

    def start(
        self,
        native: _native.AsyncClient,
        deliver: Callable[[bool, Any], None],
        forward: Optional[Callable[[Any], None]],
    ) -> _native.PendingCall:
        """Starts the call on the async native client: ``deliver(ok, value)`` gets the native outcome and
        ``forward(event)`` (with a ``watch``) each event, both from a Rust thread."""
        events = {} if self.watch is None else {self.events: forward}
        pending: _native.PendingCall = getattr(native, self.method)(
            *self.args, deliver=deliver, **self.kwargs, **events
        )
        return pending

    def converted(self, value: Any) -> Any:
        """The result of the native ``value``."""
        return value if self.convert is None else self.convert(value)


def coroutine_of(
    method: Callable[Concatenate[Any, P], R],
) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, R]]:
    """The :class:`hcims.AsyncClient` method made from a :class:`hcims.Client` method: a coroutine with the
    same parameters, types, overloads and doc.

    It runs the Client method's own body, which only builds a :class:`Call` and returns ``self._run(call)``:
    on an AsyncClient ``_run`` returns an awaitable, awaited here, so each call's parameters are written once.
    """

    async def call(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> R:
        outcome = cast("Awaitable[R]", method(self, *args, **kwargs))
        return await outcome

    call.__name__ = method.__name__
    call.__qualname__ = f"AsyncClient.{method.__name__}"
    call.__module__ = "hcims.aio"
    call.__doc__ = method.__doc__
    # inspect.signature (help(), IDEs) follows this to the real parameters.
    call.__wrapped__ = method  # type: ignore[attr-defined]
    return call
