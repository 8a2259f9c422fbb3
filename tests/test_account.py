"""A real account's needs, against the emulator: project discovery from IAM, the live OS list, the quota
and image lookups (the uncertain-create recipe)."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from typing import Any

import pytest

import hcims
from hcims import AsyncClient, Client, ObsImage, OsVersion, Quota, ServerImage
from hcims.testing import MockAccount, MockIms

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
SPEC = ServerImage(name="web", instance_id=INSTANCE)


def discovering_args(ims: MockIms, **overrides: Any) -> dict[str, Any]:
    """Client arguments without a project id, IAM served by the emulator itself."""
    args: dict[str, Any] = dict(ims.client_args())
    del args["project_id"]
    args["iam_endpoint"] = ims.endpoint
    args.update(overrides)
    return args


def iam_requests(ims: MockIms) -> list[Any]:
    return [r for r in ims.requests if r.path == "/v3/projects"]


# --- project discovery -------------------------------------------------------------------------


def test_the_project_is_discovered_lazily_and_signed_requests_carry_it(clean_env: Any) -> None:
    with MockIms() as ims:
        client = Client(**discovering_args(ims))
        assert ims.requests == []  # the constructor does no I/O
        assert "discovered on first use" in repr(client)
        client.create_from_server(SPEC)
        iam, create = ims.requests
        assert (iam.method, iam.path, iam.query) == ("GET", "/v3/projects", "name=cn-north-4")
        assert "x-project-id" not in iam.headers and iam.headers["authorization"].startswith(
            "SDK-HMAC-SHA256"
        )
        assert create.headers["x-project-id"] == ims.project_id
        assert client.project_id == ims.project_id
        assert ims.project_id in repr(client)


def test_a_dry_run_first_finds_the_project_and_sends_nothing_else(clean_env: Any) -> None:
    with MockIms() as ims:
        client = Client(**discovering_args(ims))
        prepared = client.prepare(SPEC)
        assert dict(prepared.headers)["X-Project-Id"] == ims.project_id
        assert [r.path for r in ims.requests] == ["/v3/projects"]
        # Known now: the next dry run asks nobody.
        assert client.prepare(SPEC).url == prepared.url
        assert len(ims.requests) == 1


def test_discovery_is_cached_per_access_key_region_and_iam(clean_env: Any) -> None:
    other = MockAccount(
        ak="OTHERAK0000000000000", sk="other-sk", project_ids=["feedfacefeedfacefeedfacefeedface"]
    )
    with MockIms(accounts=[other]) as ims:
        for _ in range(3):
            assert Client(**discovering_args(ims)).project_id == ims.project_id
        assert len(iam_requests(ims)) == 1
        args = discovering_args(ims, ak=other.ak, sk=other.sk)
        assert Client(**args).project_id == "feedfacefeedfacefeedfacefeedface"
        assert len(iam_requests(ims)) == 2


def test_the_iam_endpoint_comes_from_the_environment_too(clean_env: Any) -> None:
    with MockIms() as ims:
        clean_env.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", ims.endpoint)
        args = discovering_args(ims)
        del args["iam_endpoint"]
        client = Client(**args)
        assert client.project_id == ims.project_id
        assert len(iam_requests(ims)) == 1


def test_no_project_of_that_name_is_a_config_error_naming_region_and_endpoint(clean_env: Any) -> None:
    with MockIms(region="cn-north-4") as ims:
        client = Client(**discovering_args(ims, region="eu-west-0"))
        with pytest.raises(hcims.ConfigError) as info:
            client.create_from_server(SPEC)
        message = str(info.value)
        assert '"eu-west-0"' in message and ims.endpoint in message and "project_id=" in message
        assert all(r.path == "/v3/projects" for r in ims.requests)  # nothing reached IMS


def test_several_projects_are_a_config_error_listing_them(clean_env: Any) -> None:
    two = MockAccount(ak="TWOPROJECTS000000000", sk="two-sk", project_ids=["a" * 32, "b" * 32])
    with MockIms(accounts=[two]) as ims:
        client = Client(**discovering_args(ims, ak=two.ak, sk=two.sk))
        with pytest.raises(hcims.ConfigError) as info:
            _ = client.project_id
        assert "2 projects" in str(info.value) and "a" * 32 in str(info.value) and "b" * 32 in str(info.value)


def test_iam_refusing_the_signature_is_a_config_error_without_the_secret(clean_env: Any) -> None:
    with MockIms() as ims:
        client = Client(**discovering_args(ims, sk="not-the-right-secret-key"))
        with pytest.raises(hcims.ConfigError) as info:
            _ = client.project_id
        assert "401" in str(info.value) and "not-the-right-secret-key" not in str(info.value)


def test_a_token_or_an_endpoint_alone_cannot_discover(clean_env: Any) -> None:
    with pytest.raises(hcims.ConfigError, match="auth_token="):
        Client(region="cn-north-4", auth_token="tok")
    with pytest.raises(hcims.ConfigError, match="region="):
        Client(endpoint="https://ims.example.com", ak="a", sk="s")


# --- the live OS list --------------------------------------------------------------------------


def test_os_versions_are_read_once_per_client_and_tag() -> None:
    with MockIms(os_versions=["CentOS 7.9 64bit", "EulerOS 2.8 64bit with ARM"]) as ims:
        client = Client(**ims.client_args())
        versions = client.os_versions()
        assert versions[0] == OsVersion(
            platform="CentOS",
            os_version="CentOS 7.9 64bit",
            os_bit=64,
            os_type="Linux",
            os_version_key="CentOS 7.9 64bit",
        )
        assert [v.os_version for v in versions] == ["CentOS 7.9 64bit", "EulerOS 2.8 64bit with ARM"]
        assert client.os_versions() == versions
        assert [v.os_version for v in client.os_versions("arm")] == ["EulerOS 2.8 64bit with ARM"]
        queries = [r.query for r in ims.requests if r.path == "/v1/cloudimages/os_version"]
        assert queries == ["", "tag=arm"]
        with pytest.raises(hcims.ValidationError, match="tag"):
            client.os_versions("sparc")


def test_the_os_version_warning_uses_the_live_list_once_fetched() -> None:
    live_only = "Ubuntu 22.04 server 64bit"
    spec = ObsImage(name="u", image_url="bucket:u.qcow2", min_disk=40, os_version=live_only)
    with MockIms(os_versions=[live_only]) as ims:
        client = Client(**ims.client_args())
        other = Client(**ims.client_args())
        with pytest.warns(hcims.OsVersionWarning, match="bundled list"):
            client.create_from_obs(spec)
        client.os_versions()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            client.create_from_obs(spec)
        bundled_only = ObsImage(
            name="c", image_url="bucket:c.qcow2", min_disk=40, os_version="CentOS 7.0 64bit"
        )
        with pytest.warns(hcims.OsVersionWarning, match="live list"):
            client.create_from_obs(bundled_only)
        # The live list belongs to the client that fetched it.
        with pytest.warns(hcims.OsVersionWarning, match="bundled list"):
            other.create_from_obs(spec)


# --- quota -------------------------------------------------------------------------------------


def test_quota_counts_the_projects_images() -> None:
    with MockIms(image_quota=5) as ims:
        client = Client(**ims.client_args())
        assert client.quota() == Quota(used=0, total=5)
        client.create_from_server(SPEC)
        quota = client.quota()
        assert (quota.used, quota.total, quota.remaining) == (1, 5, 4)
    with MockIms() as ims:
        assert Client(**ims.client_args()).quota().total == 50


# --- find_images and the uncertain create ------------------------------------------------------


def test_find_images_filters_by_name_and_more(client: Client, ims_mock: MockIms) -> None:
    jobs = [client.create_from_server(ServerImage(name=n, instance_id=INSTANCE)) for n in ("a", "b", "a")]
    client.wait_for_jobs(jobs, poll_interval=0.01)
    assert [i["name"] for i in client.find_images(name="a")] == ["a", "a"]
    assert client.find_images(name="nothing") == []
    assert len(client.find_images(__imagetype="private", status="active")) == 3
    assert len(client.find_images(limit=2)) == 2
    listed = [r for r in ims_mock.requests if r.path == "/v2/cloudimages"]
    assert "name=a" in listed[0].query and "limit=1000" in listed[0].query
    with pytest.raises(TypeError, match="str, int or bool"):
        client.find_images(name="a", status=["active"])  # type: ignore[arg-type]


def test_find_images_follows_every_page(client: Client) -> None:
    ids = [client.create_from_server(ServerImage(name=f"p{i}", instance_id=INSTANCE)) for i in range(3)]
    client.wait_for_jobs(ids, poll_interval=0.01)
    page_one = client.find_images(limit=2)
    rest = client.find_images(limit=2, marker=page_one[-1]["id"])
    assert len(page_one) + len(rest) == 3
    assert {i["id"] for i in client.find_images()} == {i["id"] for i in page_one + rest}


def test_the_uncertain_create_recipe(client: Client, ims_mock: MockIms) -> None:
    ims_mock.add_fault(
        "/v2/cloudimages/action", status=502, body={"error_code": "X", "error_msg": "bad gateway"}
    )
    try:
        client.create_from_server(SPEC)
    except hcims.ApiError as error:
        assert error.maybe_sent
        if not client.find_images(name=SPEC.name):
            job_id = client.create_from_server(SPEC)
    assert client.wait_for_job(job_id, poll_interval=0.01).ok
    assert len(client.find_images(name=SPEC.name)) == 1


# --- the async twins ---------------------------------------------------------------------------


def test_the_async_client_has_every_account_call(clean_env: Any) -> None:
    with MockIms(image_quota=7, os_versions=["CentOS 7.9 64bit"]) as ims:

        async def main() -> tuple[str, list[OsVersion], Quota, list[dict[str, Any]], str, str]:
            async with AsyncClient(**discovering_args(ims)) as ac:
                project = await ac.get_project_id()
                versions = await ac.os_versions()
                job = await ac.wait_for_job(await ac.create_from_server(SPEC), poll_interval=0.01)
                found = await ac.find_images(name="web")
                prepared = await ac.prepare(SPEC)
                return project, versions, await ac.quota(), found, prepared.url, job.image_id or ""

        project, versions, quota, found, url, image_id = asyncio.run(main())
        assert url == f"{ims.endpoint}/v2/cloudimages/action"
        assert project == ims.project_id
        assert [v.os_version for v in versions] == ["CentOS 7.9 64bit"]
        assert quota == Quota(used=1, total=7)
        assert [i["id"] for i in found] == [image_id]
        assert len(iam_requests(ims)) == 1


def test_the_docs_recipe_for_uncertain_creates(ims_mock: MockIms) -> None:
    page = (Path(__file__).parent.parent / "docs" / "real-account.md").read_text(encoding="utf-8")
    section = page[page.index("**Uncertain creates.**") :]
    example = section[section.index("```python\n") + len("```python\n") :]
    namespace: dict[str, Any] = {}
    exec(compile(example[: example.index("```")], "docs/real-account.md", "exec"), namespace)
    create_once = namespace["create_once"]
    client = Client(**ims_mock.client_args())
    assert create_once(client, SPEC)  # no trouble: a new job
    # The gateway timed out after IMS took the request: the image exists, nothing is sent again.
    ims_mock.add_fault(
        "/v2/cloudimages/action", status=504, body={"error_code": "APIGW.0201", "error_msg": "timeout"}
    )
    creates = sum(r.path == "/v2/cloudimages/action" for r in ims_mock.requests)
    assert create_once(client, SPEC) is None
    assert sum(r.path == "/v2/cloudimages/action" for r in ims_mock.requests) == creates + 1
    ims_mock.add_fault(
        "/v2/cloudimages/action", status=400, body={"error": {"code": "IMG.0003", "message": "bad"}}
    )
    with pytest.raises(hcims.BadRequestError):
        create_once(client, ServerImage(name="other", instance_id=INSTANCE))
