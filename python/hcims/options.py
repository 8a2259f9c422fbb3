"""The options every client takes (region, credentials, timeouts, retries, TLS), written once for
:class:`hcims.Client`, :class:`hcims.AsyncClient` and the default client, and what they read back."""

from __future__ import annotations

import os
import warnings
from typing import Literal, Optional, Union

from . import _native
from .errors import InsecureTlsWarning

__all__ = ["ClientOptions"]


def retries_from(retries: Optional[int], max_attempts: Optional[int]) -> Optional[int]:
    """``retries``, or the deprecated ``max_attempts`` (attempts, first included) turned into retries."""
    if max_attempts is None:
        return retries
    if retries is not None:
        raise TypeError("give retries= or the deprecated max_attempts=, not both")
    warnings.warn(
        "max_attempts= is deprecated: use retries= (retries after the first attempt; max_attempts=1 is retries=0)",
        DeprecationWarning,
        stacklevel=3,
    )
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1, got {max_attempts!r}")
    return max_attempts - 1


def warn_if_unverified(verify: bool, endpoint: str) -> None:
    """``verify=False`` is allowed, never silently."""
    if verify:
        return
    message = (
        f"TLS certificate verification is off for {endpoint}: anyone on the network path can read and "
        "change these requests. Use ca_bundle= for a private CA instead."
    )
    warnings.warn(message, InsecureTlsWarning, stacklevel=3)
    # Imported here: logging costs more to import than most of hcims, and this is a rare path.
    import logging

    logging.getLogger("hcims").warning(message)


class ClientOptions:
    """The constructor and the properties of a client; see :class:`hcims.Client` for the arguments."""

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
        rules: Optional[Literal["enforce", "warn"]] = None,
    ) -> None:
        self._native = _native.Client(
            region=region,
            endpoint=endpoint,
            ak=ak,
            sk=sk,
            project_id=project_id,
            security_token=security_token,
            auth_token=auth_token,
            timeout=timeout,
            connect_timeout=connect_timeout,
            retries=retries_from(retries, max_attempts),
            retry_backoff=retry_backoff,
            ca_bundle=None if ca_bundle is None else os.fspath(ca_bundle),
            verify=verify,
            iam_endpoint=iam_endpoint,
            rules=rules,
        )
        warn_if_unverified(verify, self._native.endpoint)
        self._connected()

    def _connected(self) -> None:
        """Called once the native client is built: a subclass sets up what it adds."""

    @property
    def endpoint(self) -> str:
        """The base URL requests go to."""
        return self._native.endpoint

    @property
    def region(self) -> Optional[str]:
        """The region, when one was given or found in the environment (None with only an endpoint)."""
        return self._native.region

    @property
    def rules(self) -> Literal["enforce", "warn"]:
        """``"enforce"`` (the default) refuses a spec that breaks a value rule of its API page;
        ``"warn"`` sends it as given with one :class:`hcims.RuleWarning` per broken rule. Shape rules
        are always enforced. Given as ``rules=``, else read from ``HCIMS_RULES``; any other value is a
        ``ValueError`` as an argument and a :class:`hcims.ConfigError` from the environment."""
        return self._native.rules

    @property
    def retries(self) -> int:
        """Retries after the first attempt of a request."""
        return self._native.retries

    @property
    def retry_backoff(self) -> tuple[float, float]:
        """``(base_seconds, max_seconds)`` of the waits between retries."""
        return self._native.retry_backoff

    @property
    def project_id(self) -> str:
        """The project every request acts in (sent as ``X-Project-Id`` and in job paths); discovered from
        IAM on first use when not given (see the class)."""
        return self._native.project_id

    @property
    def auth_kind(self) -> str:
        """``"aksk"``, ``"temporary-aksk"`` or ``"token"``."""
        return self._native.auth_kind

    def __repr__(self) -> str:
        return repr(self._native)
