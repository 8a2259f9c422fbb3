"""The API page's eight request examples go through create_image(dict) and reach IMS as the same JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hcims import Client
from hcims.testing import MockIms

EXAMPLES = json.loads(
    (Path(__file__).parent / "data" / "create-image-examples.json").read_text(encoding="utf-8")
)
JOB_TYPES = {
    "server": "imsCreateImageByInstance",
    "data_images": "imsVolumesToSysDataImagesJob",
    "obs": "imsImportImageJob",
    "volume": "imsVolumeCreateImageJob",
}


@pytest.mark.smoke
def test_all_eight_examples_are_here() -> None:
    assert len(EXAMPLES) == 8
    assert sorted(e["mode"] for e in EXAMPLES) == sorted(
        ["server"] * 2 + ["data_images"] * 2 + ["obs"] * 2 + ["volume"] * 2
    )


@pytest.mark.smoke
@pytest.mark.parametrize("example", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_example_reaches_the_server_unchanged(client: Client, ims_mock: MockIms, example: dict) -> None:
    job_id = client.create_image(example["body"])
    [request] = [r for r in ims_mock.requests if r.method == "POST"]
    assert json.loads(request.body.decode("utf-8")) == example["body"]
    job = client.wait_for_job(job_id, poll_interval=0.02)
    assert job.job_type == JOB_TYPES[example["mode"]]
    assert job.image_ids
