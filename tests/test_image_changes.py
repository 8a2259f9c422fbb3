"""Deleting images: one (NotFoundError once gone, never a crash), many (one outcome per id, in order,
bounded), async, and the official SDK's GlanceDeleteImageRequest against the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkims.v2 import GlanceDeleteImageRequest, GlanceDeleteImageRequestBody, ImsClient

import hcims
from hcims import AsyncClient, Client, ImageDeletion, NotFoundError, ValidationError
from hcims.testing import MockIms

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
UNKNOWN = "4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba90"


def made(client: Client, name: str = "web") -> str:
    job = client.wait_for_job(
        client.create_from_server({"name": name, "instance_id": INSTANCE}), poll_interval=0.01
    )
    return job.image_ids[0]


def test_a_deleted_image_is_gone_and_deleting_it_again_is_not_found(
    client: Client, ims_mock: MockIms
) -> None:
    image_id, kept = made(client), made(client, "kept")
    assert client.delete_image(image_id) is None
    assert [image["id"] for image in ims_mock.images] == [kept]
    assert [image.id for image in client.find_images()] == [kept]
    with pytest.raises(NotFoundError) as raised:
        client.delete_image(image_id)
    assert raised.value.code == "IMG.0027" and raised.value.status == 404
    assert not raised.value.maybe_sent
    request = ims_mock.requests[-1]
    assert (request.method, request.path) == ("DELETE", f"/v2/images/{image_id}")


def test_delete_backup_is_sent_in_the_body(client: Client, ims_mock: MockIms) -> None:
    image_id = made(client)
    client.delete_image(image_id, delete_backup=True)
    assert ims_mock.requests[-1].json() == {"delete_backup": True}


def test_an_image_id_must_be_a_uuid_and_nothing_is_sent(client: Client, ims_mock: MockIms) -> None:
    before = len(ims_mock.requests)
    for bad in ["", "web", "../quota"]:
        with pytest.raises(ValidationError) as raised:
            client.delete_image(bad)
        assert raised.value.errors[0][0] == "image_id"
    assert len(ims_mock.requests) == before


def test_an_image_being_made_is_refused(ims_mock: MockIms) -> None:
    with MockIms(job_polls=5) as slow:
        client = Client(**slow.client_args())
        client.create_from_server({"name": "slow", "instance_id": INSTANCE})
        image_id = slow.images[0]["id"]
        with pytest.raises(hcims.ApiError) as raised:
            client.delete_image(image_id)
        assert (raised.value.status, raised.value.code) == (400, "IMG.0090")


def test_delete_images_gives_one_outcome_per_id_in_order_and_never_stops(
    client: Client, ims_mock: MockIms
) -> None:
    ids = [made(client, f"web-{n}") for n in range(5)]
    asked = [ids[0], UNKNOWN, ids[1], "not-an-id", *ids[2:], ids[0]]
    outcomes = client.delete_images(asked, concurrency=2)
    assert [outcome.image_id for outcome in outcomes] == asked
    assert [outcome.ok for outcome in outcomes] == [True, False, True, False, True, True, True, False]
    assert isinstance(outcomes[1].error, NotFoundError)
    assert isinstance(outcomes[3].error, ValidationError)
    assert isinstance(outcomes[-1].error, NotFoundError)
    assert outcomes[0] == ImageDeletion(ids[0], None)
    assert ims_mock.images == []
    assert client.delete_images([]) == []


@pytest.mark.parametrize("concurrency", [0, -1, True, 1.5])
def test_delete_images_concurrency_is_at_least_one(client: Client, concurrency: object) -> None:
    with pytest.raises(ValidationError) as raised:
        client.delete_images([UNKNOWN], concurrency=concurrency)  # type: ignore[arg-type]
    assert raised.value.errors[0][0] == "concurrency"


def test_the_async_client_deletes_one_and_many(ims_mock: MockIms) -> None:
    ids = [made(Client(**ims_mock.client_args()), f"a-{n}") for n in range(3)]

    async def run() -> list[ImageDeletion]:
        async with AsyncClient(**ims_mock.client_args()) as client:
            await client.delete_image(ids[0])
            with pytest.raises(NotFoundError):
                await client.delete_image(ids[0])
            return await client.delete_images(ids, concurrency=2)

    assert [outcome.ok for outcome in asyncio.run(run())] == [False, True, True]
    assert ims_mock.images == []


@pytest.fixture
def sdk(ims_mock: MockIms) -> Iterator[ImsClient]:
    credentials = BasicCredentials(ims_mock.ak, ims_mock.sk, ims_mock.project_id)
    yield ImsClient.new_builder().with_credentials(credentials).with_endpoints([ims_mock.endpoint]).build()


def test_the_official_sdk_deletes_an_image(sdk: ImsClient, client: Client, ims_mock: MockIms) -> None:
    image_id, other = made(client), made(client, "other")
    sdk.glance_delete_image(
        GlanceDeleteImageRequest(image_id=image_id, body=GlanceDeleteImageRequestBody(True))
    )
    sdk.glance_delete_image(GlanceDeleteImageRequest(image_id=other))
    assert ims_mock.images == []
    with pytest.raises(ClientRequestException) as raised:
        sdk.glance_delete_image(GlanceDeleteImageRequest(image_id=image_id))
    assert (raised.value.status_code, raised.value.error_code) == (404, "IMG.0027")


def test_update_image_answers_the_image_and_the_list_shows_it(client: Client, ims_mock: MockIms) -> None:
    image_id = made(client)
    image = client.update_image(
        image_id, name="web-2", description="the web tier", min_ram=1024, support_kvm=True
    )
    assert isinstance(image, hcims.Image)
    assert (image.name, image["__description"], image["min_ram"], image["__support_kvm"]) == (
        "web-2",
        "the web tier",
        1024,
        "true",
    )
    assert ims_mock.requests[-1].json() == [
        {"op": "replace", "path": "/name", "value": "web-2"},
        {"op": "replace", "path": "/__description", "value": "the web tier"},
        {"op": "replace", "path": "/min_ram", "value": "1024"},
        {"op": "add", "path": "/__support_kvm", "value": "true"},
    ]
    assert client.get_image(image_id).name == "web-2"
    client.update_image(image_id, team="blue")
    assert client.get_image(image_id)["team"] == "blue"
    assert "team" not in client.update_image(image_id, team=None).raw


def test_update_image_reports_every_broken_rule_and_sends_nothing(client: Client, ims_mock: MockIms) -> None:
    before = len(ims_mock.requests)
    with pytest.raises(ValidationError) as raised:
        client.update_image(
            "nope",
            name="bad<name>",
            description="a\nb",
            min_ram=-1,
            hw_firmware_type="efi",
            support_xen="maybe",
            status="active",
            enterprise_project_id="x",
        )
    assert [path for path, _ in raised.value.errors] == [
        "image_id",
        "name",
        "description",
        "min_ram",
        "hw_firmware_type",
        "support_xen",
        "status",
        "enterprise_project_id",
    ]
    with pytest.raises(ValidationError):
        client.update_image(UNKNOWN)
    with pytest.raises(ValidationError) as removed:
        client.update_image(UNKNOWN, name=None)
    assert removed.value.errors[0][0] == "name"
    assert len(ims_mock.requests) == before


def test_update_image_of_an_unknown_image_is_not_found(client: Client) -> None:
    with pytest.raises(NotFoundError):
        client.update_image(UNKNOWN, name="x")


def test_the_async_client_updates(ims_mock: MockIms) -> None:
    image_id = made(Client(**ims_mock.client_args()))

    async def run() -> hcims.Image:
        async with AsyncClient(**ims_mock.client_args()) as client:
            return await client.update_image(image_id, name="async-name")

    assert asyncio.run(run()).name == "async-name"


def test_the_official_sdk_updates_an_image(sdk: ImsClient, client: Client) -> None:
    from huaweicloudsdkims.v2 import UpdateImageRequest, UpdateImageRequestBody

    image_id = made(client)
    changed = sdk.update_image(
        UpdateImageRequest(
            image_id=image_id,
            body=[
                UpdateImageRequestBody(op="replace", path="/name", value="sdk-name"),
                UpdateImageRequestBody(op="replace", path="/min_ram", value="2048"),
            ],
        )
    )
    assert (changed.name, changed.min_ram) == ("sdk-name", 2048)
    assert client.get_image(image_id).name == "sdk-name"


def test_tag_image_adds_updates_and_removes(client: Client, ims_mock: MockIms) -> None:
    image_id = made(client)
    assert client.tag_image(image_id, add={"env": "prod", "team": "web", "flag": None}) is None
    client.tag_image(image_id, add={"env": "test"}, remove=["team", "never-there"])
    assert client.get_image(image_id).tags == ("env.test", "flag")
    posted = [r.json() for r in ims_mock.requests if r.method == "POST" and r.path.endswith("/tags/action")]
    assert posted[-2:] == [
        {"action": "create", "tags": [{"key": "env", "value": "test"}]},
        {"action": "delete", "tags": [{"key": "team"}, {"key": "never-there"}]},
    ]
    assert ims_mock.requests[-2].path == f"/v2/{ims_mock.project_id}/images/{image_id}/tags/action"


def test_tag_image_reports_every_broken_rule_and_sends_nothing(client: Client, ims_mock: MockIms) -> None:
    before = len(ims_mock.requests)
    with pytest.raises(ValidationError) as raised:
        client.tag_image(
            "nope",
            add={"a b": "x", "k" * 37: "v", "ok": "bad value", "same": "1", " ": ""},
            remove=["", "same"],
        )
    assert [path for path, _ in raised.value.errors] == [
        "image_id",
        "add.a b",
        f"add.{'k' * 37}",
        "add.ok",
        "add. ",
        "remove[0]",
        "remove[1]",
    ]
    with pytest.raises(ValidationError) as too_many:
        client.tag_image(UNKNOWN, add={f"k{n}": "v" for n in range(11)})
    assert "at most 10 tags" in str(too_many.value)
    with pytest.raises(ValidationError):
        client.tag_image(UNKNOWN)
    assert len(ims_mock.requests) == before


def test_more_than_ten_tags_on_the_image_is_refused_by_ims(client: Client) -> None:
    image_id = made(client)
    client.tag_image(image_id, add={f"k{n}": "v" for n in range(10)})
    with pytest.raises(hcims.ApiError) as raised:
        client.tag_image(image_id, add={"one-more": "v"})
    assert raised.value.code == "IMG.0116"
    with pytest.raises(NotFoundError):
        client.tag_image(UNKNOWN, add={"k": "v"})


def test_the_async_client_tags(ims_mock: MockIms) -> None:
    image_id = made(Client(**ims_mock.client_args()))

    async def run() -> None:
        async with AsyncClient(**ims_mock.client_args()) as client:
            await client.tag_image(image_id, add={"env": "async"})

    asyncio.run(run())
    assert Client(**ims_mock.client_args()).get_image(image_id).tags == ("env.async",)


def test_the_official_sdk_tags_an_image(sdk: ImsClient, client: Client) -> None:
    from huaweicloudsdkims.v2 import BatchAddOrDeleteTagsRequest, BatchAddOrDeleteTagsRequestBody
    from huaweicloudsdkims.v2 import ImageTag as TagKeyValue

    image_id = made(client)
    tags = [TagKeyValue(key="env", value="prod"), TagKeyValue(key="team", value="")]
    body = BatchAddOrDeleteTagsRequestBody(action="create", tags=tags)
    sdk.batch_add_or_delete_tags(BatchAddOrDeleteTagsRequest(image_id=image_id, body=body))
    removed = BatchAddOrDeleteTagsRequestBody(action="delete", tags=[TagKeyValue(key="team", value="")])
    sdk.batch_add_or_delete_tags(BatchAddOrDeleteTagsRequest(image_id=image_id, body=removed))
    assert client.get_image(image_id).tags == ("env.prod",)
