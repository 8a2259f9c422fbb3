"""The synchronous client, the calls of the asyncio client made from its methods, the results of those
calls, and the module-level functions (``hcims.get_job(...)`` and so on): each call written once.

A new call is one :class:`Client` method, one line in :class:`AsyncCalls`, one module-level line below and, when
it returns a new kind of result, its :class:`~hcims.result.Result` class here; ``hcims`` re-exports ``__all__``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional, Union, overload

from . import _native
from .arguments import image_filters, job_id_list, request_for, request_of, requests_for_many
from .call import Call, coroutine_of
from .ensure import EnsureCalls, Ensured
from .errors import HcimsError
from .image import Image
from .image_changes import ImageChanges, ImageDeletion
from .options import ClientOptions
from .progress import ProgressCallback, counting, watching
from .result import Result
from .ways import WaysCalls

if TYPE_CHECKING:
    from .job import Job
    from .specs import (
        ImageSpecLike,
        ObsImageLike,
        ServerDataImagesLike,
        ServerImageLike,
        VolumeImageLike,
    )

__all__ = [
    "Client",
    "Ensured",
    "Image",
    "ImageDeletion",
    "OsVersion",
    "PreparedRequest",
    "Quota",
    "create_data_image_from_obs",
    "create_data_images_from_server",
    "create_from_obs",
    "create_from_server",
    "create_from_volume",
    "create_image",
    "create_many",
    "create_whole_image_from_backup",
    "create_whole_image_from_server",
    "default_client",
    "delete_image",
    "delete_images",
    "ensure_image",
    "ensure_images",
    "get_image",
    "get_job",
    "prepare",
    "quick_import",
    "tag_image",
    "update_image",
    "wait_for_job",
    "wait_for_jobs",
]

PreparedRequest = _native.PreparedRequest


class OsVersion(Result):
    """One entry of ``GET /v1/cloudimages/os_version``: a value ``os_version`` may take in the region."""

    platform: str
    os_version: str
    os_bit: Optional[int]
    os_type: str
    os_version_key: str

    @classmethod
    def _from_native(cls, entry: dict[str, Any]) -> OsVersion:
        return cls(**entry)


class Quota(Result):
    """The project's private images: ``used`` of ``total`` (``GET /v1/cloudimages/quota``)."""

    used: int
    total: int

    @property
    def remaining(self) -> int:
        """How many more private images the project may hold (0 when at or over the quota)."""
        return max(self.total - self.used, 0)

    @classmethod
    def _from_native(cls, used_total: tuple[int, int]) -> Quota:
        used, total = used_total
        return cls(used=used, total=total)


def _each(convert: Callable[[Any], Any]) -> Callable[[list[Any]], list[Any]]:
    """``convert`` for each value of a native list."""
    return lambda values: [convert(value) for value in values]


class Client(WaysCalls, ImageChanges, EnsureCalls, ClientOptions):
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
        rules: ``"enforce"`` (default, else ``HCIMS_RULES``) refuses a spec that breaks a value rule of
            its API page (a range, length, character set, word list or count); ``"warn"`` sends it as
            given, with one :class:`hcims.RuleWarning` per broken rule (dry runs too). Shape rules (the
            way, required fields, JSON types, unknown keys, exclusive fields) are always enforced.

    Requests are logged to the ``hcims`` logger (see :mod:`hcims._logging`): one INFO record per HTTP
    attempt, DEBUG for job polls and retries; nothing when the logger is off.
    """

    # Each call is described once, as a Call that _run makes: blocking here, on the event loop in an
    # AsyncClient, whose methods are these same bodies (see call.coroutine_of). So a body builds one Call and
    # returns self._run(call), its conversion and progress display inside the Call.

    def _run(self, call: Call) -> Any:
        return call.run(self._native)

    def create_from_server(self, spec: ServerImageLike) -> str:
        """Makes a system-disk image from an ECS (``name`` + ``instance_id``); returns the job id."""
        job_id: str = self._run(Call("create", *request_for("create_from_server", spec)))
        return job_id

    def create_data_images_from_server(self, spec: ServerDataImagesLike) -> str:
        """Makes data-disk images from an ECS's volumes (``data_images``, no ``instance_id``); returns the job id."""
        job_id: str = self._run(Call("create", *request_for("create_data_images_from_server", spec)))
        return job_id

    def create_from_obs(self, spec: ObsImageLike) -> str:
        """Makes an image from an external file in OBS (``image_url`` + ``min_disk``); returns the job id."""
        job_id: str = self._run(Call("create", *request_for("create_from_obs", spec)))
        return job_id

    def create_from_volume(self, spec: VolumeImageLike) -> str:
        """Makes a system-disk image from a data volume (``volume_id`` + ``os_version``); returns the job id."""
        job_id: str = self._run(Call("create", *request_for("create_from_volume", spec)))
        return job_id

    def create_image(self, spec: ImageSpecLike) -> str:
        """Submits any create request; the way is read from the spec's type, or from a dict's keys
        (``instance_id``, ``data_images``, ``image_url``, ``volume_id``). Returns the job id."""
        job_id: str = self._run(Call("create", *request_of(spec)))
        return job_id

    def prepare(self, spec: ImageSpecLike) -> PreparedRequest:
        """A dry run: the signed request a create would send (``method``, ``url``, ``headers`` with secrets
        masked, ``body``, ``to_curl()``). Nothing is sent (an AsyncClient asks IAM for a project to discover
        first, without blocking the loop)."""
        prepared: PreparedRequest = self._run(Call("prepare", *request_of(spec), sends=False))
        return prepared

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
        outcomes: Union[list[Union[str, Exception]], list[Union[Job, Exception]]] = self._run(
            Call(
                "create_many",
                requests,
                watch=counting(len(requests), progress),
                events="on_done",
                concurrency=concurrency,
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
        job: Job = self._run(Call("get_job", job_id))
        return job

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
        job: Job = self._run(
            Call(
                "wait_for_job",
                job_id,
                watch=watching([job_id], on_progress, progress),
                timeout=timeout,
                poll_interval=poll_interval,
            )
        )
        return job

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
        jobs: Union[list[Job], list[Union[Job, HcimsError]]] = self._run(
            Call(
                "wait_for_jobs",
                ids,
                watch=watching(ids, on_progress, progress),
                timeout=timeout,
                poll_interval=poll_interval,
                raise_on_failure=raise_on_failure,
            )
        )
        return jobs

    def os_versions(self, tag: Optional[str] = None) -> list[OsVersion]:
        """The OS versions the region accepts now (``GET /v1/cloudimages/os_version``), optionally only
        those of ``tag`` (``"bms"``, ``"uefi"``, ``"arm"`` or ``"x86"``).

        Fetched once per client and tag. Once fetched, the :class:`hcims.OsVersionWarning` of this client's
        creates checks ``os_version`` against the lists fetched instead of hcims's bundled list.
        """
        versions: list[OsVersion] = self._run(
            Call("os_versions", tag=tag, convert=_each(OsVersion._from_native))
        )
        return versions

    def quota(self) -> Quota:
        """The project's private images, used and total (``GET /v1/cloudimages/quota``)."""
        quota: Quota = self._run(Call("quota", convert=Quota._from_native))
        return quota

    def find_images(self, name: Optional[str] = None, **filters: Union[str, int, bool]) -> list[Image]:
        """The images ``GET /v2/cloudimages`` lists, as :class:`Image` objects (the documents themselves,
        with IMS's ``__`` attributes, in ``.raw``).

        ``name`` and ``filters`` are the API's query parameters (``__imagetype="private"``,
        ``status="active"``, ``__os_version=...``); every page is fetched unless ``limit`` or ``marker`` is
        given. After a create failed with ``maybe_sent=True``, ``find_images(name=...)`` tells whether IMS
        made the image after all.
        """
        images: list[Image] = self._run(
            Call("find_images", image_filters(name, filters), convert=_each(Image._from_native))
        )
        return images

    def get_image(self, image_id: str) -> Image:
        """The image of ``image_id`` (``GET /v2/cloudimages?id=...``); :class:`hcims.NotFoundError` when the
        project has no image of that id, :class:`hcims.ValidationError` when it is not an image id (a UUID)."""
        image: Image = self._run(Call("get_image", image_id, convert=Image._from_native))
        return image


class AsyncCalls:
    """The calls of :class:`hcims.AsyncClient`, each the coroutine of the :class:`Client` method."""

    create_from_server = coroutine_of(Client.create_from_server)
    create_data_images_from_server = coroutine_of(Client.create_data_images_from_server)
    create_from_obs = coroutine_of(Client.create_from_obs)
    create_from_volume = coroutine_of(Client.create_from_volume)
    create_image = coroutine_of(Client.create_image)
    create_whole_image_from_server = coroutine_of(Client.create_whole_image_from_server)
    create_whole_image_from_backup = coroutine_of(Client.create_whole_image_from_backup)
    quick_import = coroutine_of(Client.quick_import)
    create_data_image_from_obs = coroutine_of(Client.create_data_image_from_obs)
    prepare = coroutine_of(Client.prepare)
    create_many = coroutine_of(Client.create_many)
    get_job = coroutine_of(Client.get_job)
    wait_for_job = coroutine_of(Client.wait_for_job)
    wait_for_jobs = coroutine_of(Client.wait_for_jobs)
    os_versions = coroutine_of(Client.os_versions)
    quota = coroutine_of(Client.quota)
    # mypy wants self positional-only beside **filters; help() keeps the signature it always showed.
    find_images = coroutine_of(Client.find_images)  # type: ignore[arg-type]
    get_image = coroutine_of(Client.get_image)
    update_image = coroutine_of(Client.update_image)
    tag_image = coroutine_of(Client.tag_image)
    delete_image = coroutine_of(Client.delete_image)
    delete_images = coroutine_of(Client.delete_images)
    ensure_image = coroutine_of(Client.ensure_image)
    ensure_images = coroutine_of(Client.ensure_images)


_default: Optional[Client] = None
_default_lock = threading.Lock()


def default_client() -> Client:
    """The client the module-level functions use, built from the environment on first call."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Client()
        return _default


class _DefaultClient(Client):
    """Stands for :func:`default_client` without building it: the module-level functions are its bound
    methods (so they show the methods' parameters, overloads and docs), and each reaches the default
    client only when called."""

    def __init__(self) -> None:
        """Reads nothing: the default client is built from the environment on first use."""

    def __getattr__(self, name: str) -> Any:
        # Only the native client, the one thing a call reads from its client: probing other names (help(),
        # notebooks) must not build the default client, which may raise ConfigError.
        if name != "_native":
            raise AttributeError(name)
        return default_client()._native

    def __repr__(self) -> str:
        return "<hcims.default_client(), built from the environment on first use>"


_via_default = _DefaultClient()
create_from_server = _via_default.create_from_server
create_data_images_from_server = _via_default.create_data_images_from_server
create_from_obs = _via_default.create_from_obs
create_from_volume = _via_default.create_from_volume
create_image = _via_default.create_image
create_whole_image_from_server = _via_default.create_whole_image_from_server
create_whole_image_from_backup = _via_default.create_whole_image_from_backup
quick_import = _via_default.quick_import
create_data_image_from_obs = _via_default.create_data_image_from_obs
prepare = _via_default.prepare
create_many = _via_default.create_many
get_job = _via_default.get_job
wait_for_job = _via_default.wait_for_job
wait_for_jobs = _via_default.wait_for_jobs
get_image = _via_default.get_image
update_image = _via_default.update_image
tag_image = _via_default.tag_image
delete_image = _via_default.delete_image
delete_images = _via_default.delete_images
ensure_image = _via_default.ensure_image
ensure_images = _via_default.ensure_images
