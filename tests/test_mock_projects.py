"""Several accounts and projects in one emulator: each key bound to its projects, each token to one,
each project with its own jobs and images."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mock_http import ACTION, SERVER_IMAGE, call, create, poll_to_end

import hcims
from hcims.testing import MockAccount, MockIms

SECOND = "22222222222222222222222222222222"
THIRD = "33333333333333333333333333333333"
TOKEN_PROJECT = "44444444444444444444444444444444"
TEAM = MockAccount(
    ak="TEAMAK00000000000000", sk="TeamSecretKey0000000000000000000000000000", project_ids=[SECOND, THIRD]
)
TEMPORARY = MockAccount(
    ak="TEMPAK00000000000000",
    sk="TempSecretKey0000000000000000000000000000",
    project_ids=[THIRD],
    security_token="sts-token-value",
)


@pytest.fixture
def ims() -> Iterator[MockIms]:
    with MockIms(accounts=[TEAM, TEMPORARY], tokens={"project-four-token": TOKEN_PROJECT}) as ims:
        yield ims


def test_each_project_has_its_own_jobs(ims: MockIms) -> None:
    in_second = create(ims, SERVER_IMAGE, ak=TEAM.ak, sk=TEAM.sk, project_id=SECOND)
    in_third = create(ims, SERVER_IMAGE, ak=TEAM.ak, sk=TEAM.sk, project_id=THIRD)
    assert [job["job_id"] for job in ims.project_jobs(SECOND)] == [in_second]
    assert [job["job_id"] for job in ims.project_jobs(THIRD)] == [in_third]
    assert ims.project_jobs(ims.project_id) == []
    assert len(ims.jobs) == 2
    # Another project's job does not exist for this one.
    assert call(ims, "GET", f"/v1/cloudimages/job/{in_second}").status == 404
    _, job = poll_to_end(ims, in_second, ak=TEAM.ak, sk=TEAM.sk, project_id=SECOND)
    assert [image["owner"] for image in ims.project_images(SECOND)] == [SECOND]
    assert ims.project_images(SECOND)[0]["id"] == job["entities"]["image_id"]


def test_a_key_cannot_act_in_a_project_it_is_not_bound_to(ims: MockIms) -> None:
    answer = call(ims, "POST", ACTION, SERVER_IMAGE, ak=TEAM.ak, sk=TEAM.sk, project_id=ims.project_id)
    assert answer.status == 401
    assert answer.json()["error_code"] == "APIGW.0301"


def test_a_token_acts_in_its_project(ims: MockIms) -> None:
    job_id = create(ims, SERVER_IMAGE, token="project-four-token")
    assert [job["job_id"] for job in ims.project_jobs(TOKEN_PROJECT)] == [job_id]
    assert ims.project_ids == [ims.project_id, SECOND, THIRD, TOKEN_PROJECT]


def test_client_args_of_another_account_work_with_hcims(ims: MockIms) -> None:
    args = ims.client_args(TEMPORARY)
    assert (args["ak"], args["project_id"], args["security_token"]) == (
        TEMPORARY.ak,
        THIRD,
        "sts-token-value",
    )
    client = hcims.Client(**args)
    job = client.wait_for_job(client.create_from_server(SERVER_IMAGE), poll_interval=0.01)
    assert job.ok
    in_second = hcims.Client(**ims.client_args(TEAM, project_id=SECOND))
    in_second.create_from_server(SERVER_IMAGE)
    assert len(ims.project_jobs(SECOND)) == 1
    assert "TeamSecretKey" not in repr(TEAM) and "sts-token-value" not in repr(TEMPORARY)


def test_an_account_needs_a_project() -> None:
    lonely = MockAccount(ak="LONELYAK000000000000", sk="x", project_ids=[])
    with pytest.raises(ValueError, match="at least one project"):
        MockIms(accounts=[lonely]).start()
