"""Talking to the emulator over HTTP as any client would: urllib, signed by Huawei's own signer."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from hcims.testing import MockIms

ACTION = "/v2/cloudimages/action"
INSTANCE_ID = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"

# Request bodies from the API page, one per way of making an image.
SERVER_IMAGE = {"name": "ims_test", "description": "from a server", "instance_id": INSTANCE_ID,
                "tags": ["aaa.111", "bbb.333", "ccc.444"]}  # fmt: skip
DATA_IMAGES = {
    "data_images": [
        {"name": "ims_data_image_test", "volume_id": "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"},
        {"name": "ims_data_image_two", "volume_id": "0e7a1f4b-5e65-4c2b-a2f5-1b9b2a0f6c11"},
    ]
}
OBS_IMAGE = {"name": "ims_test_file", "image_url": "ims-image:centos70.qcow2", "os_version": "CentOS 7.0 64bit",
             "is_config_init": True, "min_disk": 40, "is_config": True}  # fmt: skip
VOLUME_IMAGE = {"name": "ims_test", "volume_id": INSTANCE_ID, "type": "ECS", "os_version": "CentOS 7.0 64bit"}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    ims: MockIms,
    method: str,
    path: str,
    body: Any | None = None,
    *,
    ak: str | None = None,
    sk: str | None = None,
    project_id: str | None = None,
    security_token: str | None = None,
    token: str | None = None,
    tamper: bool = False,
) -> Answer:
    """Sends one request signed by huaweicloudsdkcore's Signer (or with an IAM token) over urllib."""
    data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    headers = {"Content-Type": "application/json", "X-Project-Id": project_id or ims.project_id}
    if security_token is not None:
        headers["X-Security-Token"] = security_token
    if token is not None:
        headers["X-Auth-Token"] = token
    else:
        request = SdkRequest(
            method=method,
            schema="http",
            host=urlsplit(ims.endpoint).netloc,
            resource_path=urlsplit(path).path,
            query_params=[tuple(pair.split("=", 1)) for pair in urlsplit(path).query.split("&") if pair],
            header_params=headers,
            body=data,
        )
        Signer(BasicCredentials(ak or ims.ak, sk or ims.sk)).sign(request)
        headers = request.header_params
        if tamper:
            data = data.replace(b"ims_test", b"ims_tset")
    prepared = urllib.request.Request(ims.endpoint + path, data=data or None, headers=headers, method=method)
    try:
        with urllib.request.urlopen(prepared, timeout=10) as response:
            return Answer(
                response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
            )
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def create(ims: MockIms, body: Any, **auth: Any) -> str:
    answer = call(ims, "POST", ACTION, body, **auth)
    assert answer.status == 200, answer.body
    job_id: str = answer.json()["job_id"]
    return job_id


def poll_to_end(ims: MockIms, job_id: str, **auth: Any) -> tuple[list[str], dict[str, Any]]:
    statuses: list[str] = []
    project_id = auth.get("project_id") or ims.project_id
    for _ in range(20):
        answer = call(ims, "GET", f"/v1/{project_id}/jobs/{job_id}", **auth)
        assert answer.status == 200, answer.body
        job: dict[str, Any] = answer.json()
        statuses.append(job["status"])
        if job["status"] in ("SUCCESS", "FAIL"):
            return statuses, job
    raise AssertionError(f"job {job_id} never ended: {statuses}")


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and [len(part) for part in value.split("-")] == [8, 4, 4, 4, 12]
