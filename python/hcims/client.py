"""The synchronous client."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterable
from typing import Any, Literal, Optional, Union, overload

from . import _native
from .account import OsVersion, Quota
from .errors import HcimsError, InsecureTlsWarning
from .job import Job
from .progress import ProgressCallback, watching
from .specs import (
    ImageSpecLike,
    ObsImageLike,
    ServerDataImagesLike,
    ServerImageLike,
    VolumeImageLike,
    mode_of,
    to_request_dict,
)

__all__ = ["Client", "PreparedRequest"]

PreparedRequest = _native.PreparedRequest

_METHOD_MODES = {
    "create_from_server": ("server", "ServerImage"),
    "create_data_images_from_server": ("data_images", "ServerDataImages"),
    "create_from_obs": ("obs", "ObsImage"),
    "create_from_volume": ("volume", "VolumeImage"),
}


def request_for(method: str, spec: ImageSpecLike) -> tuple[Optional[str], dict[str, Any]]:
    """The mode and request dict a ``create_*`` method sends; a spec of another way is a TypeError."""
    mode, class_name = _METHOD_MODES[method]
    given = mode_of(spec)
    if given is not None and given != mode:
        raise TypeError(
            f"{method}() takes a {class_name} or a dict, got {type(spec).__name__}; "
            f"use create_image() to pick the way from the spec"
        )
    return mode, to_request_dict(spec)


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

    def _create(self, method: str, spec: ImageSpecLike) -> str:
        return self._native.create(*request_for(method, spec))

    def create_from_server(self, spec: ServerImageLike) -> str:
        """Makes a system-disk image from an ECS (``name`` + ``instance_id``); returns the job id."""
        return self._create("create_from_server", spec)

    def create_data_images_from_server(self, spec: ServerDataImagesLike) -> str:
        """Makes data-disk images from an ECS's volumes (``data_images``, no ``instance_id``); returns the job id."""
        return self._create("create_data_images_from_server", spec)

    def create_from_obs(self, spec: ObsImageLike) -> str:
        """Makes an image from an external file in OBS (``image_url`` + ``min_disk``); returns the job id."""
        return self._create("create_from_obs", spec)

    def create_from_volume(self, spec: VolumeImageLike) -> str:
        """Makes a system-disk image from a data volume (``volume_id`` + ``os_version``); returns the job id."""
        return self._create("create_from_volume", spec)

    def create_image(self, spec: ImageSpecLike) -> str:
        """Submits any create request; the way is read from the spec's type, or from a dict's keys
        (``instance_id``, ``data_images``, ``image_url``, ``volume_id``). Returns the job id."""
        return self._native.create(mode_of(spec), to_request_dict(spec))

    def prepare(self, spec: ImageSpecLike) -> PreparedRequest:
        """A dry run: the signed request a create would send (``method``, ``url``, ``headers`` with secrets
        masked, ``body``, ``to_curl()``). Nothing is sent."""
        return self._native.prepare(mode_of(spec), to_request_dict(spec))

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
        return [OsVersion._from_native(entry) for entry in self._native.os_versions(tag)]

    def quota(self) -> Quota:
        """The project's private images, used and total (``GET /v1/cloudimages/quota``)."""
        used, total = self._native.quota()
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
