"""The synchronous client."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Optional, Union, overload

from . import _native
from .errors import HcimsError, InsecureTlsWarning
from .progress import ProgressCallback, counting, watching

if TYPE_CHECKING:
    from types import ModuleType

    from .account import OsVersion, Quota
    from .job import Job
    from .specs import (
        ImageSpecLike,
        ObsImageLike,
        ServerDataImagesLike,
        ServerImageLike,
        VolumeImageLike,
    )

__all__ = ["Client", "PreparedRequest"]

PreparedRequest = _native.PreparedRequest

_METHOD_MODES = {
    "create_from_server": ("server", "ServerImage"),
    "create_data_images_from_server": ("data_images", "ServerDataImages"),
    "create_from_obs": ("obs", "ObsImage"),
    "create_from_volume": ("volume", "VolumeImage"),
}


_spec_module: Optional[ModuleType] = None


def _specs() -> ModuleType:
    """``hcims.specs``, imported on first use: building its dataclasses takes longer than the rest of
    ``import hcims``, and a dict spec never needs them."""
    global _spec_module
    if _spec_module is None:
        from . import specs

        _spec_module = specs
    return _spec_module


def request_for(method: str, spec: ImageSpecLike) -> tuple[Optional[str], Any]:
    """The mode and the spec a ``create_*`` method hands to the core; a spec of another way is a TypeError.

    A dict or a spec dataclass goes as it is (the core reads it, nested dataclasses and mappings
    included, in one pass); anything else is converted by :func:`hcims.specs.to_request_dict`.
    """
    mode, class_name = _METHOD_MODES[method]
    kind = type(spec)
    if kind is dict:
        return mode, spec
    given = _specs().mode_of(spec)
    if given is not None and given != mode:
        raise TypeError(
            f"{method}() takes a {class_name} or a dict, got {kind.__name__}; "
            f"use create_image() to pick the way from the spec"
        )
    return mode, spec if given is not None else _specs().to_request_dict(spec)


def request_of(spec: ImageSpecLike) -> tuple[Optional[str], Any]:
    """The mode (None: read from the keys) and the spec that ``create_image`` hands to the core."""
    if type(spec) is dict:
        return None, spec
    mode = _specs().mode_of(spec)
    return mode, spec if mode is not None else _specs().to_request_dict(spec)


def requests_for_many(specs: Iterable[ImageSpecLike]) -> list[tuple[Optional[str], Any]]:
    """The ``(mode, spec)`` pairs a ``create_many`` hands to the core, one per spec. A spec that cannot be
    read as one gets its exception in place of the spec, so that it fails alone."""
    if isinstance(specs, (str, bytes, Mapping)) or hasattr(type(specs), "__dataclass_fields__"):
        raise TypeError(
            f"specs must be a list (or other iterable) of specs, not a single {type(specs).__name__}"
        )
    requests: list[tuple[Optional[str], Any]] = []
    for spec in specs:
        try:
            requests.append(request_of(spec))
        except TypeError as error:
            requests.append((None, error))
    return requests


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


def job_id_list(job_ids: Iterable[str]) -> list[str]:
    """``job_ids`` as a list; a lone string is refused rather than waited for letter by letter."""
    if isinstance(job_ids, (str, bytes)):
        raise TypeError("job_ids must be a list of job ids, not a single string")
    return list(job_ids)


class Client:
    """A client of IMS in one region, with one set of credentials.

    Every argument is optional: what is not given is read from the environment
    (``HCIMS_REGION`` or ``HUAWEICLOUD_SDK_REGION``, ``HCIMS_ENDPOINT``, ``HUAWEICLOUD_SDK_AK``/``_SK``/
    ``_PROJECT_ID``/``_SECURITY_TOKEN``) and then from the profile file of Huawei's SDKs
    (``HUAWEICLOUD_SDK_CREDENTIALS_FILE`` or ``~/.huaweicloud/credentials``, section ``[basic]``).
    A missing piece raises :class:`hcims.ConfigError` naming every place looked.

    Args:
        region: e.g. ``"cn-north-4"``; the endpoint is ``https://ims.{region}.myhuaweicloud.com``.
        endpoint: overrides the endpoint (``http://`` only to loopback hosts, e.g. the emulator).
        ak, sk: access key and secret key (AK/SK signing, ``SDK-HMAC-SHA256``).
        project_id: the project of the region. When neither it nor ``HUAWEICLOUD_SDK_PROJECT_ID`` nor the
            profile gives one, it is discovered as Huawei's SDKs do: a signed ``GET {iam}/v3/projects?name=
            {region}`` that must list exactly one project (else :class:`hcims.ConfigError`). Discovery is lazy:
            the constructor does no I/O, the first request (or :attr:`project_id`) asks IAM, once per access
            key, region and IAM endpoint in the process.
        security_token: with temporary AK/SK.
        auth_token: a project-scoped IAM token, instead of AK/SK.
        timeout: seconds for one attempt of one request, connecting included (default 60).
        connect_timeout: seconds to open a connection (default 10).
        retries: how many times a failed request is sent again after the first attempt (default 3;
            0 turns retries off). Job queries are retried after any transient failure (network, 429,
            5xx). A create is retried only when IMS certainly did not act on it: the connection never
            opened, the gateway refused it first (429 ``APIGW.0308``, ``APIGW.0610``, ``APIGW.0613``)
            or IMS asked to come back later (``IMG.0060``); otherwise the error has ``maybe_sent=True``.
        retry_backoff: ``(base_seconds, max_seconds)``, default ``(0.5, 20)``: retry *n* waits between
            half and all of ``base * 2**(n-1)``, capped at ``max``, or longer when ``Retry-After`` asks.
        ca_bundle: a PEM file of CA certificates trusted in addition to the system's (a private CA or
            a TLS-inspecting proxy).
        verify: False accepts any server certificate. Only for tests: it warns
            (:class:`hcims.InsecureTlsWarning`) and logs.
        max_attempts: deprecated; ``max_attempts=n`` is ``retries=n - 1``.
        iam_endpoint: where project discovery asks (default ``HUAWEICLOUD_SDK_IAM_ENDPOINT``, else
            ``https://iam.{region}.myhuaweicloud.com``).

    Requests are logged to the ``hcims`` logger (see :mod:`hcims._logging`): one INFO record per HTTP
    attempt, DEBUG for job polls and retries; nothing when the logger is off.
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
        )
        warn_if_unverified(verify, self._native.endpoint)

    @property
    def endpoint(self) -> str:
        """The base URL requests go to."""
        return self._native.endpoint

    @property
    def region(self) -> Optional[str]:
        """The region, when one was given or found in the environment (None with only an endpoint)."""
        return self._native.region

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

    def create_from_server(self, spec: ServerImageLike) -> str:
        """Makes a system-disk image from an ECS (``name`` + ``instance_id``); returns the job id."""
        return self._native.create(*request_for("create_from_server", spec))

    def create_data_images_from_server(self, spec: ServerDataImagesLike) -> str:
        """Makes data-disk images from an ECS's volumes (``data_images``, no ``instance_id``); returns the job id."""
        return self._native.create(*request_for("create_data_images_from_server", spec))

    def create_from_obs(self, spec: ObsImageLike) -> str:
        """Makes an image from an external file in OBS (``image_url`` + ``min_disk``); returns the job id."""
        return self._native.create(*request_for("create_from_obs", spec))

    def create_from_volume(self, spec: VolumeImageLike) -> str:
        """Makes a system-disk image from a data volume (``volume_id`` + ``os_version``); returns the job id."""
        return self._native.create(*request_for("create_from_volume", spec))

    def create_image(self, spec: ImageSpecLike) -> str:
        """Submits any create request; the way is read from the spec's type, or from a dict's keys
        (``instance_id``, ``data_images``, ``image_url``, ``volume_id``). Returns the job id."""
        return self._native.create(*request_of(spec))

    def prepare(self, spec: ImageSpecLike) -> PreparedRequest:
        """A dry run: the signed request a create would send (``method``, ``url``, ``headers`` with secrets
        masked, ``body``, ``to_curl()``). Nothing is sent."""
        return self._native.prepare(*request_of(spec))

    @overload
    def create_many(
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
    def create_many(
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
    def create_many(
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
    def create_many(
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
        """Submits many creates at once and returns one outcome per spec, in the order of ``specs``.

        Each outcome is the job id (``str``) or the exception that spec met, as
        ``asyncio.gather(return_exceptions=True)`` gives them: it never stops half-way. Every spec is
        checked first: one that breaks a rule gets its :class:`hcims.ValidationError` and is not sent,
        the others are. Specs may be of any way (as for :meth:`create_image`). At most ``concurrency``
        requests are in flight at once, all made in Rust; each create is retried as :meth:`create_image`
        would be (only when IMS certainly did not act on it). ``progress=True`` shows a bar of the
        creates that ended. Ctrl-C cancels the creates in flight and raises ``KeyboardInterrupt``.

        IMS runs at most 40 image tasks at once per tenant (beyond, a create is ``IMG.0060``):
        at most ``max_running_jobs`` jobs of this call run at once (default 40; None: no limit). When
        that many are running, it polls them (every ``poll_interval`` seconds, or backing off as
        :meth:`wait_for_job`) and sends the next create as one ends, SUCCESS or FAIL; a create that
        failed frees its place at once. ``max_requests_per_second`` spaces every request of the call
        (creates and polls) evenly, to stay below the gateway's throttling. With ``wait=True`` each
        outcome is the finished :class:`Job`, a FAIL job included (as ``wait_for_jobs(
        raise_on_failure=False)`` gives it), or the exception that ended its wait (a
        :class:`JobTimeoutError` after ``timeout`` seconds...).
        """
        requests = requests_for_many(specs)
        with counting(len(requests), progress) as on_done:
            outcomes: Union[list[Union[str, Exception]], list[Union[Job, Exception]]] = (
                self._native.create_many(
                    requests,
                    concurrency=concurrency,
                    on_done=on_done,
                    max_running_jobs=max_running_jobs,
                    max_requests_per_second=max_requests_per_second,
                    wait=wait,
                    poll_interval=poll_interval,
                    timeout=timeout,
                )
            )
            return outcomes

    def get_job(self, job_id: str) -> Job:
        """The job's current state."""
        return self._native.get_job(job_id)

    def wait_for_job(
        self,
        job_id: str,
        timeout: Optional[float] = 3600.0,
        poll_interval: Optional[float] = None,
        *,
        on_progress: Optional[ProgressCallback] = None,
        progress: bool = False,
    ) -> Job:
        """Polls the job until it ends and returns it.

        Polls at once, then after ~1 s, backing off x1.5 (with jitter) to a 15 s cap, or every
        ``poll_interval`` seconds when given; a ``Retry-After`` from IMS is honoured, and a few transient
        failures in a row (throttling, 5xx, network) do not end the wait. Raises
        :class:`hcims.JobFailedError` when the job ends in FAIL and :class:`hcims.JobTimeoutError` after
        ``timeout`` seconds (None waits for ever). Ctrl-C interrupts the wait at once.

        ``on_progress(job)`` is called with every snapshot, the final one included, on this thread between
        polls; an exception from it ends the wait. ``progress=True`` shows a bar (tqdm when installed,
        else a line on stderr). When either watches and the status lacks ``process_percent``, it is read
        from ``GET /v1/cloudimages/job/{job_id}``.
        """
        with watching([job_id], on_progress, progress) as callback:
            return self._native.wait_for_job(
                job_id, timeout=timeout, poll_interval=poll_interval, on_progress=callback
            )

    @overload
    def wait_for_jobs(
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
    def wait_for_jobs(
        self,
        job_ids: Iterable[str],
        timeout: Optional[float] = ...,
        poll_interval: Optional[float] = ...,
        *,
        raise_on_failure: bool,
        on_progress: Optional[ProgressCallback] = ...,
        progress: bool = ...,
    ) -> list[Union[Job, HcimsError]]: ...
    def wait_for_jobs(
        self,
        job_ids: Iterable[str],
        timeout: Optional[float] = 3600.0,
        poll_interval: Optional[float] = None,
        *,
        raise_on_failure: bool = True,
        on_progress: Optional[ProgressCallback] = None,
        progress: bool = False,
    ) -> Union[list[Job], list[Union[Job, HcimsError]]]:
        """Waits for all the jobs at once and returns them in the order of ``job_ids``.

        Each job is polled as by :meth:`wait_for_job`, all within one ``timeout``. With
        ``raise_on_failure`` (the default) the first job to fail, time out or hit an error raises
        (:class:`hcims.JobFailedError`, :class:`hcims.JobTimeoutError`, ...) and the other waits stop.
        With ``raise_on_failure=False`` nothing is raised for a single job: each place holds the job's
        final :class:`hcims.Job` (FAIL included: check ``job.ok``) or the exception that ended its wait.
        ``on_progress`` sees every snapshot of every job; ``progress=True`` shows one bar for all.
        """
        ids = job_id_list(job_ids)
        with watching(ids, on_progress, progress) as callback:
            return self._native.wait_for_jobs(
                ids,
                timeout=timeout,
                poll_interval=poll_interval,
                raise_on_failure=raise_on_failure,
                on_progress=callback,
            )

    def os_versions(self, tag: Optional[str] = None) -> list[OsVersion]:
        """The OS versions the region accepts now (``GET /v1/cloudimages/os_version``), optionally only
        those of ``tag`` (``"bms"``, ``"uefi"``, ``"arm"`` or ``"x86"``).

        Fetched once per client and tag. Once fetched, the :class:`hcims.OsVersionWarning` of this client's
        creates checks ``os_version`` against the lists fetched instead of hcims's bundled list.
        """
        from .account import OsVersion

        return [OsVersion._from_native(entry) for entry in self._native.os_versions(tag)]

    def quota(self) -> Quota:
        """The project's private images, used and total (``GET /v1/cloudimages/quota``)."""
        used, total = self._native.quota()
        from .account import Quota

        return Quota(used=used, total=total)

    def find_images(
        self, name: Optional[str] = None, **filters: Union[str, int, bool]
    ) -> list[dict[str, Any]]:
        """The images ``GET /v2/cloudimages`` lists, as dicts (Glance-like, with IMS's ``__`` attributes).

        ``name`` and ``filters`` are the API's query parameters (``__imagetype="private"``,
        ``status="active"``, ``__os_version=...``); every page is fetched unless ``limit`` or ``marker`` is
        given. After a create failed with ``maybe_sent=True``, ``find_images(name=...)`` tells whether IMS
        made the image after all.
        """
        return self._native.find_images(_image_filters(name, filters))


def _image_filters(
    name: Optional[str], filters: dict[str, Union[str, int, bool]]
) -> dict[str, Union[str, int, bool]]:
    query = dict(filters)
    if name is not None:
        query["name"] = name
    return query
