"""More ways to make an image than ``POST /v2/cloudimages/action``'s four: whole images of an ECS
(``POST /v1/cloudimages/wholeimages/action``), from the ECS itself or from one of its backups, and quick
imports of big files in OBS (``POST /v2/cloudimages/quickimport/action``) and data images from OBS files
(``POST /v1/cloudimages/dataimages/action``).

:class:`WaysCalls` is a base of :class:`hcims.Client`: each method builds one ``Call`` and runs it as
the client's other calls do (blocking, or on the event loop in an ``AsyncClient``). The job each answers is
waited with :meth:`~hcims.Client.wait_for_job`; the whole image's id is the job's ``entities.image_id``, a
quick import's too (its data image's in ``entities.sub_jobs_result``, as for data images from an ECS), and a data
image's from an OBS file (the page is silent; hcims reads every place an image job names an image).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .arguments import request_for
from .call import Call

if TYPE_CHECKING:
    from .specs import ObsDataImageFileLike, QuickImportImageLike, WholeBackupImageLike, WholeServerImageLike


class WaysCalls:
    """The calls that make images in the ways beyond ``create_image``'s four."""

    # Client's: runs the call blocking, or on the event loop in an AsyncClient.
    _run: Callable[[Call], Any]

    def create_whole_image_from_server(self, spec: WholeServerImageLike) -> str:
        """Makes a whole image (every disk) of an ECS (``name`` + ``instance_id``; ``vault_id`` when the
        ECS backs up to CBR): IMS backs the ECS up first. Returns the job id."""
        job_id: str = self._run(Call("create", *request_for("create_whole_image_from_server", spec)))
        return job_id

    def create_whole_image_from_backup(self, spec: WholeBackupImageLike) -> str:
        """Makes a whole image from a backup of an ECS (``name`` + ``backup_id``; ``whole_image_type``
        ``"CBR"`` for a CBR backup, else CSBS). Returns the job id."""
        job_id: str = self._run(Call("create", *request_for("create_whole_image_from_backup", spec)))
        return job_id

    def quick_import(self, spec: QuickImportImageLike) -> str:
        """Imports a big RAW or ZVHD2 file in OBS as it is (``name``, ``image_url``, ``min_disk`` 1-1024): a
        system image (``type`` ECS or BMS, ``os_version`` required) or a data image (``type="DataImage"``,
        ``os_type`` Linux or Windows). Returns the job id."""
        job_id: str = self._run(Call("create", *request_for("quick_import", spec)))
        return job_id

    def create_data_image_from_obs(self, spec: ObsDataImageFileLike) -> str:
        """Makes a data-disk image from an external file in OBS (``name``, ``image_url``, ``min_disk``
        40-2048; ``os_type`` Linux or Windows). Returns the job id."""
        job_id: str = self._run(Call("create", *request_for("create_data_image_from_obs", spec)))
        return job_id
