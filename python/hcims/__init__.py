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
from typing import TYPE_CHECKING, Any

from . import client
from ._native import __version__
from .client import *  # noqa: F403 - the client, its results and the module-level functions: client.__all__
from .errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConfigError,
    DuplicateImagesError,
    HcimsError,
    ImagesNotReadyError,
    InsecureTlsWarning,
    JobFailedError,
    JobTimeoutError,
    NotFoundError,
    OsVersionWarning,
    PermissionDeniedError,
    RuleWarning,
    ServerError,
    ThrottledError,
    TransportError,
    UnusableImagesError,
    ValidationError,
)
from .progress import CreateProgress, JobProgress, ProgressCallback

if TYPE_CHECKING:
    from .aio import AsyncClient
    from .job import Job
    from .specs import (
        DataImage,
        DataImageDict,
        ImageSpecLike,
        ObsDataImage,
        ObsDataImageDict,
        ObsDataImageFile,
        ObsDataImageFileDict,
        ObsDataImageFileLike,
        ObsImage,
        ObsImageDict,
        ObsImageLike,
        QuickImportImage,
        QuickImportImageDict,
        QuickImportImageLike,
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
        WholeBackupImage,
        WholeBackupImageDict,
        WholeBackupImageLike,
        WholeServerImage,
        WholeServerImageDict,
        WholeServerImageLike,
    )

# Names whose module is imported on first use. Building the spec dataclasses, and importing asyncio and
# the dataclasses module, take several times longer than the rest of `import hcims`.
_LAZY = {
    "AsyncClient": "aio",
    "Job": "job",
    **dict.fromkeys(
        (
            "DataImage DataImageDict ImageSpecLike ObsDataImage ObsDataImageDict ObsImage ObsImageDict "
            "ObsImageLike ServerDataImages ServerDataImagesDict ServerDataImagesLike ServerImage "
            "ServerImageDict ServerImageLike Tag TagDict VolumeImage VolumeImageDict VolumeImageLike "
            "WholeBackupImage WholeBackupImageDict WholeBackupImageLike WholeServerImage WholeServerImageDict "
            "WholeServerImageLike QuickImportImage QuickImportImageDict QuickImportImageLike "
            "ObsDataImageFile ObsDataImageFileDict ObsDataImageFileLike"
        ).split(),
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
    "ConfigError",
    "CreateProgress",
    "DataImage",
    "DataImageDict",
    "DuplicateImagesError",
    "HcimsError",
    "ImageSpecLike",
    "ImagesNotReadyError",
    "InsecureTlsWarning",
    "Job",
    "JobFailedError",
    "JobProgress",
    "JobTimeoutError",
    "NotFoundError",
    "ObsDataImage",
    "ObsDataImageDict",
    "ObsDataImageFile",
    "ObsDataImageFileDict",
    "ObsDataImageFileLike",
    "ObsImage",
    "ObsImageDict",
    "ObsImageLike",
    "OsVersionWarning",
    "PermissionDeniedError",
    "ProgressCallback",
    "QuickImportImage",
    "QuickImportImageDict",
    "QuickImportImageLike",
    "RuleWarning",
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
    "UnusableImagesError",
    "ValidationError",
    "VolumeImage",
    "VolumeImageDict",
    "VolumeImageLike",
    "WholeBackupImage",
    "WholeBackupImageDict",
    "WholeBackupImageLike",
    "WholeServerImage",
    "WholeServerImageDict",
    "WholeServerImageLike",
    "__version__",
]
__all__ += client.__all__
