"""Where credentials, region and endpoint come from, and what is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import hcims
from hcims import Client
from hcims.testing import MockIms

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"


def test_missing_credentials_names_every_place(clean_env: Any, tmp_path: Path) -> None:
    with pytest.raises(hcims.ConfigError) as info:
        Client(region="cn-north-4", project_id="p")
    message = str(info.value)
    for place in (
        "ak=/sk=",
        "auth_token=",
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_SK",
        str(tmp_path / ".huaweicloud"),
    ):
        assert place in message


def test_missing_region_names_every_place(clean_env: Any) -> None:
    with pytest.raises(hcims.ConfigError) as info:
        Client(ak="a", sk="s", project_id="p")
    for place in ("HCIMS_REGION", "HUAWEICLOUD_SDK_REGION", "HCIMS_ENDPOINT", "region="):
        assert place in str(info.value)


def test_missing_project_names_every_place(clean_env: Any) -> None:
    # With a region the project is discovered from IAM; with only an endpoint it cannot be.
    with pytest.raises(hcims.ConfigError) as info:
        Client(endpoint="https://ims.example.com", ak="a", sk="s")
    message = str(info.value)
    assert "HUAWEICLOUD_SDK_PROJECT_ID" in message and "project_id=" in message and "region=" in message


def test_region_gives_the_endpoint(clean_env: Any) -> None:
    client = Client(region="ap-southeast-1", ak="a", sk="s", project_id="p")
    assert client.endpoint == "https://ims.ap-southeast-1.myhuaweicloud.com"
    assert client.region == "ap-southeast-1"
    clean_env.setenv("HUAWEICLOUD_SDK_REGION", "eu-west-101")
    assert Client(ak="a", sk="s", project_id="p").endpoint == "https://ims.eu-west-101.myhuaweicloud.com"
    clean_env.setenv("HCIMS_REGION", "cn-north-4")
    assert Client(ak="a", sk="s", project_id="p").region == "cn-north-4"


@pytest.mark.parametrize(
    "endpoint",
    ["http://10.1.2.3:8080", "http://ims.cn-north-4.myhuaweicloud.com", "ftp://x", "https://h/path"],
)
def test_unsafe_or_odd_endpoints_are_refused(clean_env: Any, endpoint: str) -> None:
    with pytest.raises(hcims.ConfigError):
        Client(endpoint=endpoint, ak="a", sk="s", project_id="p")


def test_loopback_http_is_allowed(clean_env: Any) -> None:
    assert (
        Client(endpoint="http://localhost:1", ak="a", sk="s", project_id="p").endpoint == "http://localhost:1"
    )


def test_environment_credentials_reach_the_server(clean_env: Any, ims_mock: MockIms) -> None:
    clean_env.setenv("HCIMS_ENDPOINT", ims_mock.endpoint)
    clean_env.setenv("HUAWEICLOUD_SDK_AK", ims_mock.ak)
    clean_env.setenv("HUAWEICLOUD_SDK_SK", ims_mock.sk)
    clean_env.setenv("HUAWEICLOUD_SDK_PROJECT_ID", ims_mock.project_id)
    job_id = Client().create_from_server({"name": "env", "instance_id": INSTANCE})
    assert len(job_id) == 32


def test_profile_file_credentials_reach_the_server(clean_env: Any, ims_mock: MockIms, tmp_path: Path) -> None:
    profile = tmp_path / "creds.ini"
    profile.write_text(
        f"[global]\nak = WRONG\n\n[basic]\nak = {ims_mock.ak}\nsk = {ims_mock.sk}\nproject_id = {ims_mock.project_id}\n"
    )
    clean_env.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(profile))
    job_id = Client(endpoint=ims_mock.endpoint).create_from_server(
        {"name": "profile", "instance_id": INSTANCE}
    )
    assert len(job_id) == 32


def test_default_profile_location(clean_env: Any, ims_mock: MockIms, tmp_path: Path) -> None:
    (tmp_path / ".huaweicloud").mkdir()
    (tmp_path / ".huaweicloud" / "credentials").write_text(
        f"[basic]\nak = {ims_mock.ak}\nsk = {ims_mock.sk}\nproject_id = {ims_mock.project_id}\n"
    )
    client = Client(endpoint=ims_mock.endpoint)
    assert client.project_id == ims_mock.project_id


def test_module_level_functions_use_a_default_client(clean_env: Any, ims_mock: MockIms) -> None:
    for name, value in (
        ("HCIMS_ENDPOINT", ims_mock.endpoint),
        ("HUAWEICLOUD_SDK_AK", ims_mock.ak),
        ("HUAWEICLOUD_SDK_SK", ims_mock.sk),
        ("HUAWEICLOUD_SDK_PROJECT_ID", ims_mock.project_id),
    ):
        clean_env.setenv(name, value)
    clean_env.setattr(hcims.client, "_default", None)
    job_id = hcims.create_from_server(hcims.ServerImage(name="twin", instance_id=INSTANCE))
    assert hcims.wait_for_job(job_id, poll_interval=0.02).ok
    assert hcims.get_job(job_id).ok
    assert hcims.default_client() is hcims.default_client()
    assert hcims.prepare({"name": "p", "instance_id": INSTANCE}).method == "POST"


def test_repr_and_errors_never_show_secrets(clean_env: Any) -> None:
    client = Client(
        region="cn-north-4", ak="AKVISIBLE", sk="SK-SECRET-VALUE", project_id="p", security_token="TOK-SECRET"
    )
    text = repr(client) + str(client)
    assert "SK-SECRET-VALUE" not in text and "TOK-SECRET" not in text
    with pytest.raises(hcims.ConfigError) as info:
        Client(region="cn-north-4", ak="a", sk="s", project_id="p", security_token="bad token\n")
    assert "bad token" not in str(info.value)


def test_bad_timeouts_are_value_errors(clean_env: Any) -> None:
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            Client(region="cn-north-4", ak="a", sk="s", project_id="p", timeout=bad)
