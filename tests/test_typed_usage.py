"""The public API used the way an annotated script uses it. These tests run like any other, and the file is
also checked with ``mypy --strict`` and ``pyright`` (tests/test_types.py), so a stub or signature that drifts
from what the code accepts fails the suite."""

from __future__ import annotations

import asyncio
from typing import Optional

import pytest

import hcims
from hcims.testing import MockIms

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"


def test_dataclasses_typed_dicts_and_jobs(ims_mock: MockIms) -> None:
    client = hcims.Client(**ims_mock.client_args())
    as_dict: hcims.ServerImageDict = {"name": "typed", "instance_id": INSTANCE, "tags": ["a.b"]}
    obs: hcims.ObsImageDict = {"name": "obs", "image_url": "b:o.qcow2", "min_disk": 40, "architecture": "arm"}
    job_ids: list[str] = [
        client.create_from_server(as_dict),
        client.create_from_server(
            hcims.ServerImage(name="dc", instance_id=INSTANCE, image_tags=[hcims.Tag("k")])
        ),
        client.create_from_obs(obs),
    ]
    jobs: list[hcims.Job] = client.wait_for_jobs(job_ids, poll_interval=0.02)
    image_ids: list[str] = [i for job in jobs for i in job.image_ids]
    progress: Optional[float] = jobs[0].progress
    assert len(image_ids) == 3 and progress == 1.0
    image: hcims.Image = client.get_image(image_ids[0])
    tags: tuple[str, ...] = image.tags
    found: list[hcims.Image] = client.find_images(name=image.name)
    assert image in found and tags == ("a.b",) and hcims.get_image is not None
    prepared: hcims.PreparedRequest = client.prepare(as_dict)
    assert prepared.to_curl().startswith("curl")


def test_error_attributes_are_typed(ims_mock: MockIms) -> None:
    client = hcims.Client(**ims_mock.client_args())
    with pytest.raises(hcims.ValidationError) as info:
        client.create_from_volume({"name": "v", "volume_id": "not-a-uuid", "os_version": ""})
    errors: list[tuple[str, str]] = info.value.errors
    assert {path for path, _ in errors} >= {"volume_id", "os_version"}
    with pytest.raises(hcims.NotFoundError) as not_found:
        client.get_job("0" * 32)
    status: int = not_found.value.status
    request_id: Optional[str] = not_found.value.request_id
    maybe_sent: bool = not_found.value.maybe_sent
    assert status == 404 and request_id and not maybe_sent


def test_async_client_is_typed(ims_mock: MockIms) -> None:
    async def run() -> hcims.Job:
        async with hcims.AsyncClient(**ims_mock.client_args()) as client:
            job_id: str = await client.create_from_server({"name": "async", "instance_id": INSTANCE})
            job = await client.wait_for_job(job_id, poll_interval=0.02)
            image: hcims.Image = await client.get_image(job.image_ids[0])
            assert image.name == "async"
            return job

    assert asyncio.run(run()).ok
