"""``python -m hcims demo``: the whole round trip against the built-in emulator, no account needed."""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, TextIO

from .client import Client
from .errors import ValidationError
from .specs import DataImage, ObsDataImage, ObsImage, ServerDataImages, ServerImage, Tag, VolumeImage
from .testing import MockIms


def run(out: TextIO = sys.stdout) -> int:
    """Starts the emulator, makes an image in each of the four ways, waits for each job and prints the ids."""
    with MockIms() as ims:
        client = Client(**ims.client_args())
        print(f"IMS emulator at {ims.endpoint}; {client!r}", file=out)
        specs: list[tuple[str, Callable[[Any], str], object]] = [
            (
                "system image from an ECS",
                client.create_from_server,
                ServerImage(
                    name="demo-web",
                    instance_id="877a2cda-ba63-4e1e-b95f-e67e48b6129a",
                    description="system disk of the web server",
                    image_tags=[Tag("env", "demo")],
                ),
            ),
            (
                "data-disk images from an ECS",
                client.create_data_images_from_server,
                ServerDataImages(
                    data_images=[
                        DataImage(name="demo-data-1", volume_id="c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"),
                        DataImage(name="demo-data-2", volume_id="0d2f5a7e-2b61-4f7a-9a39-0f4a2bb8b0c1"),
                    ]
                ),
            ),
            (
                "image from a file in OBS",
                client.create_from_obs,
                ObsImage(
                    name="demo-centos",
                    image_url="ims-image:centos70.qcow2",
                    min_disk=40,
                    os_version="CentOS 7.0 64bit",
                    tags=["env.demo"],
                    data_images=[ObsDataImage(image_url="ims-image:data.qcow2", min_disk=100)],
                ),
            ),
            (
                "system image from a data volume",
                client.create_from_volume,
                VolumeImage(
                    name="demo-volume",
                    volume_id="877a2cda-ba63-4e1e-b95f-e67e48b6129a",
                    os_version="CentOS 7.0 64bit",
                    type="ECS",
                ),
            ),
        ]
        started = time.perf_counter()
        submitted = []
        for label, create, spec in specs:
            job_id = create(spec)  # each pairs a way's method with that way's spec
            submitted.append((label, job_id))
            print(f"submitted {label:<32} job {job_id}", file=out)
        for label, job_id in submitted:
            job = client.wait_for_job(job_id, timeout=120, poll_interval=0.2)
            print(
                f"{job.status:<7} {label:<32} job {job.id} ({job.job_type}) images {', '.join(job.image_ids)}",
                file=out,
            )
        try:
            client.create_from_obs({"name": " bad name", "image_url": "bucket:disk.iso", "min_disk": 4096})
        except ValidationError as e:
            print(
                f"and a spec that breaks the rules is refused before sending: {len(e.errors)} errors",
                file=out,
            )
            for path, message in e.errors:
                print(f"  {path}: {message}", file=out)
        print(
            f"done in {time.perf_counter() - started:.2f} s; the emulator saw {len(ims.requests)} requests",
            file=out,
        )
    return 0
