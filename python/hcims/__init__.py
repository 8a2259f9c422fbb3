"""hcims: make private images on Huawei Cloud's Image Management Service (IMS).

Hand it a dict (the API's own keys) or a dataclass; it checks every rule before sending, signs the request as
Huawei's SDK does, submits it and returns the job id, and can wait for the job until the image id comes back::

    import hcims
    client = hcims.Client(region="cn-north-4")
    job_id = client.create_from_server(hcims.ServerImage(name="web", instance_id="877a2cda-ba63-4e1e-b95f-e67e48b6129a"))
    job = client.wait_for_job(job_id)
    print(job.image_id)

The module-level functions (``hcims.create_from_server(...)`` and so on) use a default :class:`Client` built
from the environment on first use.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal, Optional, Union, overload

from ._native import __version__
from .client import Client, PreparedRequest
from .errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConfigError,
    HcimsError,
    InsecureTlsWarning,
    JobFailedError,
    JobTimeoutError,
    NotFoundError,
    OsVersionWarning,
    PermissionDeniedError,
    ServerError,
    ThrottledError,
    TransportError,
    ValidationError,
)
from .progress import CreateProgress, JobProgress, ProgressCallback

if TYPE_CHECKING:
    from .account import OsVersion, Quota
    from .aio import AsyncClient
    from .job import Job
    from .specs import (
        DataImage,
        DataImageDict,
        ImageSpecLike,
        ObsDataImage,
        ObsDataImageDict,
        ObsImage,
        ObsImageDict,
        ObsImageLike,
        ServerDataImages,
        ServerDataImagesDict,
        ServerDataImagesLike,
        ServerImage,
        ServerImageDict,
        ServerImageLike,
        Tag,
        TagDict,
        VolumeImage,
        VolumeImageDict,
        VolumeImageLike,
    )

# Names whose module is imported on first use. Building the spec dataclasses, and importing asyncio and
# the dataclasses module, take several times longer than the rest of `import hcims`.
_LAZY = {
    "AsyncClient": "aio",
    "Job": "job",
    "OsVersion": "account",
    "Quota": "account",
    **dict.fromkeys(
        (
            "DataImage",
            "DataImageDict",
            "ImageSpecLike",
            "ObsDataImage",
            "ObsDataImageDict",
            "ObsImage",
            "ObsImageDict",
            "ObsImageLike",
            "ServerDataImages",
            "ServerDataImagesDict",
            "ServerDataImagesLike",
            "ServerImage",
            "ServerImageDict",
            "ServerImageLike",
            "Tag",
            "TagDict",
            "VolumeImage",
            "VolumeImageDict",
            "VolumeImageLike",
        ),
        "specs",
    ),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'hcims' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups find it at once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "ApiError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConfigError",
    "CreateProgress",
    "DataImage",
    "DataImageDict",
    "HcimsError",
    "ImageSpecLike",
    "InsecureTlsWarning",
    "Job",
    "JobFailedError",
    "JobProgress",
    "JobTimeoutError",
    "NotFoundError",
    "ObsDataImage",
    "ObsDataImageDict",
    "ObsImage",
    "ObsImageDict",
    "ObsImageLike",
    "OsVersion",
    "OsVersionWarning",
    "PermissionDeniedError",
    "PreparedRequest",
    "ProgressCallback",
    "Quota",
    "ServerDataImages",
    "ServerDataImagesDict",
    "ServerDataImagesLike",
    "ServerError",
    "ServerImage",
    "ServerImageDict",
    "ServerImageLike",
    "Tag",
    "TagDict",
    "ThrottledError",
    "TransportError",
    "ValidationError",
    "VolumeImage",
    "VolumeImageDict",
    "VolumeImageLike",
    "__version__",
    "create_data_images_from_server",
    "create_from_obs",
    "create_from_server",
    "create_from_volume",
    "create_image",
    "create_many",
    "default_client",
    "get_job",
    "prepare",
    "wait_for_job",
    "wait_for_jobs",
]

_default: Optional[Client] = None
_default_lock = threading.Lock()


def default_client() -> Client:
    """The client the module-level functions use, built from the environment on first call."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Client()
        return _default


def create_from_server(spec: ServerImageLike) -> str:
    """:meth:`Client.create_from_server` on the default client."""
    return default_client().create_from_server(spec)


def create_data_images_from_server(spec: ServerDataImagesLike) -> str:
    """:meth:`Client.create_data_images_from_server` on the default client."""
    return default_client().create_data_images_from_server(spec)


def create_from_obs(spec: ObsImageLike) -> str:
    """:meth:`Client.create_from_obs` on the default client."""
    return default_client().create_from_obs(spec)


def create_from_volume(spec: VolumeImageLike) -> str:
    """:meth:`Client.create_from_volume` on the default client."""
    return default_client().create_from_volume(spec)


def create_image(spec: ImageSpecLike) -> str:
    """:meth:`Client.create_image` on the default client."""
    return default_client().create_image(spec)


@overload
def create_many(
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
    """:meth:`Client.create_many` on the default client."""
    return default_client().create_many(
        specs,
        concurrency=concurrency,
        progress=progress,
        max_running_jobs=max_running_jobs,
        max_requests_per_second=max_requests_per_second,
        wait=wait,
        poll_interval=poll_interval,
        timeout=timeout,
    )


def prepare(spec: ImageSpecLike) -> PreparedRequest:
    """:meth:`Client.prepare` on the default client."""
    return default_client().prepare(spec)


def get_job(job_id: str) -> Job:
    """:meth:`Client.get_job` on the default client."""
    return default_client().get_job(job_id)


def wait_for_job(
    job_id: str,
    timeout: Optional[float] = 3600.0,
    poll_interval: Optional[float] = None,
    *,
    on_progress: Optional[ProgressCallback] = None,
    progress: bool = False,
) -> Job:
    """:meth:`Client.wait_for_job` on the default client."""
    return default_client().wait_for_job(
        job_id, timeout=timeout, poll_interval=poll_interval, on_progress=on_progress, progress=progress
    )


@overload
def wait_for_jobs(
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
    job_ids: Iterable[str],
    timeout: Optional[float] = ...,
    poll_interval: Optional[float] = ...,
    *,
    raise_on_failure: bool,
    on_progress: Optional[ProgressCallback] = ...,
    progress: bool = ...,
) -> list[Union[Job, HcimsError]]: ...
def wait_for_jobs(
    job_ids: Iterable[str],
    timeout: Optional[float] = 3600.0,
    poll_interval: Optional[float] = None,
    *,
    raise_on_failure: bool = True,
    on_progress: Optional[ProgressCallback] = None,
    progress: bool = False,
) -> Union[list[Job], list[Union[Job, HcimsError]]]:
    """:meth:`Client.wait_for_jobs` on the default client."""
    return default_client().wait_for_jobs(
        job_ids,
        timeout=timeout,
        poll_interval=poll_interval,
        raise_on_failure=raise_on_failure,
        on_progress=on_progress,
        progress=progress,
    )
