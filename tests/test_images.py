"""Images as calls return them: ``get_image`` (blocking, async, module-level, ``hcims image``) and the
``Image`` objects of ``find_images``, against the emulator."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import pickle
from typing import Any

import pytest
from test_cli import run

import hcims
from hcims import AsyncClient, Client, Image, ServerImage
from hcims.testing import MockIms

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
UNKNOWN = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"


def made_image(client: Client, name: str = "web") -> str:
    job = client.wait_for_job(
        client.create_from_server(
            ServerImage(name=name, instance_id=INSTANCE, tags=["env.prod"], description="golden")
        ),
        poll_interval=0.01,
    )
    assert job.image_id is not None
    return job.image_id


def test_get_image_reads_the_fields_of_the_document(client: Client, ims_mock: MockIms) -> None:
    image_id = made_image(client)
    image = client.get_image(image_id)
    assert isinstance(image, Image)
    document = ims_mock.images[0]
    assert (image.id, image.name, image.status, image.visibility) == (image_id, "web", "active", "private")
    assert image.min_disk == document["min_disk"] and image.os_version == document["__os_version"]
    assert image.created_at == document["created_at"] and image.tags == tuple(document["tags"])
    assert image.raw == document and image["__imagetype"] == "private"
    last = ims_mock.requests[-1]
    assert (last.method, last.path, last.query) == ("GET", "/v2/cloudimages", f"id={image_id}")


def test_an_unknown_id_is_not_found_and_a_malformed_one_is_refused_unsent(
    client: Client, ims_mock: MockIms
) -> None:
    with pytest.raises(hcims.NotFoundError) as missing:
        client.get_image(UNKNOWN)
    assert missing.value.status == 404 and missing.value.code == "IMG.0027"
    assert UNKNOWN in str(missing.value) and missing.value.request_id
    assert missing.value.maybe_sent is False
    sent = len(ims_mock.requests)
    with pytest.raises(hcims.ValidationError) as refused:
        client.get_image("../quota")
    assert [path for path, _ in refused.value.errors] == ["image_id"]
    assert len(ims_mock.requests) == sent


def test_an_image_is_a_frozen_result_that_pickles_and_draws(client: Client) -> None:
    image = client.get_image(made_image(client))
    assert pickle.loads(pickle.dumps(image)) == image
    assert hash(image) == hash(dataclasses.replace(image))
    with pytest.raises(dataclasses.FrozenInstanceError):
        image.name = "other"  # type: ignore[misc]
    assert "raw" not in repr(image) and image.id in repr(image)
    html = image._repr_html_()
    assert image.id in html and "active" in html and "env.prod" in html


def test_find_images_gives_images_whose_raw_is_the_document(client: Client, ims_mock: MockIms) -> None:
    first, second = made_image(client, "a"), made_image(client, "b")
    found = client.find_images(__imagetype="private")
    assert all(isinstance(image, Image) for image in found)
    assert {image.id for image in found} == {first, second}
    assert [image.raw for image in client.find_images(name="a")] == [
        document for document in ims_mock.images if document["name"] == "a"
    ]


def test_the_async_and_module_level_get_image(
    client: Client, ims_mock: MockIms, monkeypatch: pytest.MonkeyPatch
) -> None:
    image_id = made_image(client)

    async def get() -> tuple[Image, Any]:
        async with AsyncClient(**ims_mock.client_args()) as ac:
            found = await ac.get_image(image_id)
            with pytest.raises(hcims.NotFoundError):
                await ac.get_image(UNKNOWN)
            return found, await asyncio.gather(ac.get_image(image_id), return_exceptions=True)

    found, gathered = asyncio.run(get())
    assert found == client.get_image(image_id) and gathered == [found]

    args = ims_mock.client_args()
    monkeypatch.setenv("HCIMS_ENDPOINT", args["endpoint"])
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", args["ak"])
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", args["sk"])
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", args["project_id"])
    monkeypatch.setattr(hcims.client, "_default", None)
    assert hcims.get_image(image_id) == found


def test_the_image_command(client: Client, ims_mock: MockIms) -> None:
    image_id = made_image(client)
    shown = run(ims_mock, "image", image_id)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"active image {image_id} 'web'") and "env.prod" in shown.stdout
    as_json = run(ims_mock, "image", image_id, "--json")
    assert json.loads(as_json.stdout) == {"image": ims_mock.images[0]}
    missing = run(ims_mock, "image", UNKNOWN, "--json")
    assert missing.returncode == 3
    assert json.loads(missing.stderr)["code"] == "IMG.0027"
    assert run(ims_mock, "image", "not-an-id").returncode == 2
