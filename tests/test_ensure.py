"""ensure_image: exactly one image per key, through the emulator's faults (issue 14)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

import hcims
from hcims.testing import MockIms

INSTANCE_ID = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
ACTION = "/v2/cloudimages/action"
LIST = "/v2/cloudimages"
FAST = (0.01, 0.05)


def spec(name: str = "web", **more: Any) -> dict[str, Any]:
    return {"name": name, "instance_id": INSTANCE_ID, **more}


def fast_client(ims: MockIms, **options: Any) -> hcims.Client:
    return hcims.Client(**ims.client_args(), retry_backoff=FAST, **options)


def creates(ims: MockIms) -> int:
    return sum(1 for r in ims.requests if r.method == "POST" and r.path == ACTION)


def lookups(ims: MockIms) -> list[str]:
    return [r.query for r in ims.requests if r.method == "GET" and r.path == LIST]


def keyed(ims: MockIms, value: str) -> list[dict[str, Any]]:
    return [image for image in ims.images if f"hcims-key.{value}" in image["tags"]]


def test_a_missing_image_is_created_with_the_key_tag(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock)
    ensured = client.ensure_image(spec(), key="web-2026-12-03", poll_interval=0.01)
    assert isinstance(ensured, hcims.Ensured)
    assert ensured.adopted is False and ensured.job_id and ensured.job is not None
    assert ensured.image_id == ensured.image_ids[0]
    assert [image.id for image in ensured.images] == list(ensured.image_ids)
    assert ensured.images[0].status == "active"
    body = json.loads(next(r.body for r in ims_mock.requests if r.path == ACTION))
    assert body["image_tags"] == [{"key": "hcims-key", "value": "web-2026-12-03"}]
    # The look-up asked for private images carrying the key.
    assert "__imagetype=private" in lookups(ims_mock)[0]
    assert "tag=hcims-key%3Dweb-2026-12-03" in lookups(ims_mock)[0]


def test_legacy_tags_get_the_key_in_their_style(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock)
    client.ensure_image(spec(tags=["env.prod"]), key="k1", wait=False)
    body = json.loads(next(r.body for r in ims_mock.requests if r.path == ACTION))
    assert body["tags"] == ["env.prod", "hcims-key.k1"]
    assert "image_tags" not in body


def test_a_rerun_adopts_and_sends_no_create(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock)
    first = client.ensure_image(spec(), key="k", poll_interval=0.01)
    again = client.ensure_image(spec(name="changed"), key="k", poll_interval=0.01)
    assert again.adopted is True and again.job_id is None and again.job is None
    assert again.image_ids == first.image_ids
    assert again.images[0].status == "active"
    assert creates(ims_mock) == 1


def test_an_image_still_being_made_is_adopted_and_waited_for() -> None:
    # Jobs that end by time: the adopting call polls the image, not the job.
    with MockIms(job_seconds=0.5) as ims:
        client = fast_client(ims)
        started = client.ensure_image(spec(), key="k", wait=False)
        assert started.image_ids == () and started.job_id
        adopted = client.ensure_image(spec(), key="k", poll_interval=0.01)
        assert adopted.adopted and adopted.images[0].status == "active"
        assert creates(ims) == 1


def test_found_but_unusable_is_an_error_naming_the_images(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock)
    killed = {
        "images": [{"id": "dead-1", "name": "web", "status": "killed", "created_at": "2026-12-01T00:00:00Z"}]
    }
    ims_mock.add_fault(LIST, method="GET", status=200, body=killed)
    with pytest.raises(hcims.UnusableImagesError) as raised:
        client.ensure_image(spec(), key="k")
    assert raised.value.image_ids == ["dead-1"] and raised.value.key == "k"
    assert "dead-1" in str(raised.value)
    assert creates(ims_mock) == 0


def test_duplicates_are_listed_oldest_first_and_nothing_is_picked(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock)
    first = client.ensure_image(spec(), key="k", wait=False)
    second = client.ensure_image(spec(), key="k2", wait=False)
    assert first.job_id and second.job_id
    both = {
        "images": [
            {"id": "new", "name": "web", "status": "active", "created_at": "2026-12-02T00:00:00Z"},
            {"id": "old", "name": "web", "status": "active", "created_at": "2026-12-01T00:00:00Z"},
        ]
    }
    ims_mock.add_fault(LIST, method="GET", status=200, body=both)
    with pytest.raises(hcims.DuplicateImagesError) as raised:
        client.ensure_image(spec(), key="k")
    assert raised.value.image_ids == ["old", "new"]
    assert creates(ims_mock) == 2


def test_a_create_dropped_after_acting_is_adopted_once_listed() -> None:
    # The image shows in the list only after 0.6 s: longer than one look-up after the lost answer.
    with MockIms(listing_delay=0.6, job_seconds=0.2) as ims:
        client = fast_client(ims, retries=0)
        ims.add_fault(ACTION, method="POST", action="drop_after_body", after_acting=True)
        ensured = client.ensure_image(spec(), key="k", poll_interval=0.01, adopt_within=10)
        assert ensured.adopted is True and ensured.job_id is None
        assert creates(ims) == 1
        assert len(keyed(ims, "k")) == 1
        # The first look-up, and at least two after the uncertain create.
        assert len(lookups(ims)) >= 3


def test_a_500_after_acting_is_adopted() -> None:
    # Jobs that end by time: an adopted image is polled, its job is not.
    with MockIms(job_seconds=0.2) as ims:
        client = fast_client(ims, retries=0)
        ims.add_fault(ACTION, method="POST", status=500, after_acting=True)
        ensured = client.ensure_image(spec(), key="k", poll_interval=0.01, adopt_within=5)
        assert ensured.adopted and ensured.images[0].status == "active"
        assert creates(ims) == 1 and len(keyed(ims, "k")) == 1


def test_absent_after_adopt_within_is_created_once_more(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock, retries=0)
    # IMS did not act (the fault answers first), but a 500 on a create may have been acted on.
    ims_mock.add_fault(ACTION, method="POST", status=500)
    ensured = client.ensure_image(spec(), key="k", poll_interval=0.01, adopt_within=0.3)
    assert ensured.adopted is False and ensured.job_id
    assert creates(ims_mock) == 2
    assert len(keyed(ims_mock, "k")) == 1


def test_maybe_sent_false_is_retried_as_today(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock, retries=3)
    # Throttled creates certainly did not act: resent by the call's own retries, no look-up between.
    throttled = {"error_code": "APIGW.0308", "error_msg": "throttled"}
    ims_mock.add_fault(ACTION, method="POST", status=429, body=throttled, times=2)
    ensured = client.ensure_image(spec(), key="k", wait=False, adopt_within=1)
    assert ensured.adopted is False and creates(ims_mock) == 3
    assert len(lookups(ims_mock)) == 1
    assert len(keyed(ims_mock, "k")) == 1


def test_a_key_that_is_no_tag_value_is_sent_as_a_stable_digest(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock)
    key = "release/2026-12-03 web server, the one for the shop front"
    first = client.ensure_image(spec(), key=key, poll_interval=0.01)
    body = json.loads(next(r.body for r in ims_mock.requests if r.path == ACTION))
    value = body["image_tags"][0]["value"]
    assert value.startswith("sha256-") and len(value) == 43
    assert first.key == key
    again = client.ensure_image(spec(), key=key, poll_interval=0.01)
    assert again.adopted and creates(ims_mock) == 1


def test_no_room_for_the_key_tag_is_refused_before_sending(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock)
    full = spec(tags=[f"t{i}.v" for i in range(10)])
    with pytest.raises(hcims.ValidationError) as raised:
        client.ensure_image(full, key="k")
    assert "tags" in str(raised.value)
    assert ims_mock.requests == []


def test_an_existing_key_tag_is_refused_before_sending(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock)
    with pytest.raises(hcims.ValidationError) as raised:
        client.ensure_image(spec(image_tags=[{"key": "hcims-key", "value": "x"}]), key="k")
    assert "image_tags[0]" in str(raised.value)
    assert ims_mock.requests == []


def test_data_images_each_carry_the_key(ims_mock: MockIms) -> None:
    client = fast_client(ims_mock)
    data = {
        "data_images": [
            {"name": "d1", "volume_id": "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"},
            {"name": "d2", "volume_id": "d5dfbd0c-bf0a-4798-a453-61dc6b54aa30"},
        ],
    }
    made = client.ensure_image(data, key="dk", poll_interval=0.01)
    assert len(made.image_ids) == 2
    again = client.ensure_image(data, key="dk", poll_interval=0.01)
    assert again.adopted and sorted(again.image_ids) == sorted(made.image_ids)
    assert creates(ims_mock) == 1


def test_the_async_client_and_the_batch(ims_mock: MockIms) -> None:
    async def scenario() -> hcims.Ensured:
        async with hcims.AsyncClient(**ims_mock.client_args(), retry_backoff=FAST) as client:
            return await client.ensure_image(spec(), key="a", poll_interval=0.01)

    ensured = asyncio.run(scenario())
    assert ensured.adopted is False
    client = fast_client(ims_mock)
    outcomes = client.ensure_images(
        [spec("x"), spec("y"), {"name": "bad"}], keys=["a", "b", "c"], poll_interval=0.01
    )
    assert isinstance(outcomes[0], hcims.Ensured) and outcomes[0].adopted
    assert isinstance(outcomes[1], hcims.Ensured) and not outcomes[1].adopted
    assert isinstance(outcomes[2], hcims.HcimsError)
    with pytest.raises(ValueError):
        client.ensure_images([spec()], keys=["a", "b"])


def test_the_cli_ensures_with_the_create_flags_and_its_exit_codes(
    ims_mock: MockIms, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from hcims.cli import EXIT_API, EXIT_VALIDATION, main

    args = ims_mock.client_args()
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", args["ak"])
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", args["sk"])
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", args["project_id"])
    base = ["ensure", "server", "--endpoint", args["endpoint"], "--region", "cn-north-4"]
    flags = ["--name", "w", "--instance-id", INSTANCE_ID, "--poll-interval", "0.01", "--json"]
    documents = []
    for _ in range(2):
        out = io.StringIO()
        assert main([*base, *flags, "--key", "cli-1"], out, io.StringIO()) == 0
        documents.append(json.loads(out.getvalue()))
    assert [d["adopted"] for d in documents] == [False, True]
    assert documents[0]["image_ids"] == documents[1]["image_ids"]
    assert creates(ims_mock) == 1
    full = [*flags, *[arg for i in range(10) for arg in ("--tag", f"t{i}.v")]]
    assert main([*base, *full, "--key", "cli-2"], io.StringIO(), io.StringIO()) == EXIT_VALIDATION
    both = {
        "images": [{"id": "a", "name": "w", "status": "active"}, {"id": "b", "name": "w", "status": "active"}]
    }
    ims_mock.add_fault(LIST, method="GET", status=200, body=both)
    assert main([*base, *flags, "--key", "cli-3"], io.StringIO(), io.StringIO()) == EXIT_API
