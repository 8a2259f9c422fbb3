"""``create_many``: many creates at once against the emulator over real HTTP, one outcome per spec."""

from __future__ import annotations

import os
import sys
import textwrap
import time
import types
from pathlib import Path
from typing import Any

import pytest
from ctrl_c import ctrl_c_after_ready

import hcims
from hcims import (
    Client,
    DataImage,
    ObsImage,
    ServerDataImages,
    ServerError,
    ServerImage,
    ValidationError,
    VolumeImage,
)
from hcims.testing import MockIms

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
VOLUME = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"
CREATE = "/v2/cloudimages/action"


def server(name: str) -> dict[str, Any]:
    return {"name": name, "instance_id": INSTANCE}


def sent_names(ims: MockIms) -> list[str]:
    return [r.json().get("name", "") for r in ims.requests if r.method == "POST" and r.path == CREATE]


def image_name_of(ims: MockIms, job_id: str) -> str:
    for job in ims.jobs:
        if job["job_id"] == job_id:
            name: str = job["entities"]["image_name"]
            return name
    raise AssertionError(f"the emulator has no job {job_id}")


def test_one_job_id_per_spec_in_input_order(client: Client, ims_mock: MockIms) -> None:
    names = [f"img-{i}" for i in range(40)]
    outcomes = client.create_many((server(name) for name in names), concurrency=5)
    assert len(outcomes) == 40
    assert all(isinstance(outcome, str) for outcome in outcomes)
    assert len(set(outcomes)) == 40
    assert [image_name_of(ims_mock, str(job_id)) for job_id in outcomes] == names


def test_every_way_and_form_of_spec_in_one_batch(client: Client, ims_mock: MockIms) -> None:
    specs: list[Any] = [
        ServerImage(name="s", instance_id=INSTANCE),
        ServerDataImages(data_images=[DataImage(name="d", volume_id=VOLUME)]),
        ObsImage(name="o", image_url="bucket:disk.qcow2", min_disk=40, os_version="CentOS 7.0 64bit"),
        VolumeImage(name="v", volume_id=VOLUME, os_version="CentOS 7.0 64bit"),
        {"name": "raw", "instance_id": INSTANCE, "image_tags": [hcims.Tag("k", "v")]},
        types.MappingProxyType({"name": "mapping", "instance_id": INSTANCE}),
    ]
    outcomes = client.create_many(specs)
    assert all(isinstance(outcome, str) for outcome in outcomes), outcomes
    bodies = [r.json() for r in ims_mock.requests if r.method == "POST"]
    assert sorted(body.get("name", "") for body in bodies) == ["", "mapping", "o", "raw", "s", "v"]
    assert next(body for body in bodies if body.get("name") == "raw")["image_tags"] == [
        {"key": "k", "value": "v"}
    ]


def test_a_bad_spec_fails_alone_and_is_never_sent(client: Client, ims_mock: MockIms) -> None:
    specs: list[Any] = [server("a"), {"name": " bad", "instance_id": "x"}, 42, server("b")]
    outcomes = client.create_many(specs)
    assert isinstance(outcomes[0], str) and isinstance(outcomes[3], str)
    assert isinstance(outcomes[1], ValidationError)
    assert {path for path, _ in outcomes[1].errors} == {"name", "instance_id"}
    assert isinstance(outcomes[2], TypeError)
    assert sorted(sent_names(ims_mock)) == ["a", "b"]


def test_a_failed_create_takes_only_its_own_slot(client: Client, ims_mock: MockIms) -> None:
    ims_mock.add_fault(
        CREATE, method="POST", status=500, body={"error": {"code": "IMG.0999", "message": "boom"}}, times=1
    )
    outcomes = client.create_many([server(f"n{i}") for i in range(6)], concurrency=1)
    failures = [outcome for outcome in outcomes if not isinstance(outcome, str)]
    assert len(failures) == 1
    assert isinstance(failures[0], ServerError) and failures[0].maybe_sent
    # A 500 after sending is never retried: six specs, six requests.
    assert len(sent_names(ims_mock)) == 6


def test_throttled_creates_are_retried_each_on_its_own(ims_mock: MockIms) -> None:
    client = Client(**ims_mock.client_args(), retries=2)
    ims_mock.add_fault(
        CREATE,
        method="POST",
        status=429,
        body={"error_code": "APIGW.0308", "error_msg": "throttled"},
        times=2,
    )
    outcomes = client.create_many([server(f"t{i}") for i in range(4)], concurrency=4)
    assert all(isinstance(outcome, str) for outcome in outcomes), outcomes
    assert len(sent_names(ims_mock)) == 6


def test_concurrency_bounds_the_requests_in_flight(client: Client, ims_mock: MockIms) -> None:
    ims_mock.add_fault(
        CREATE, method="POST", status=400, body={"error": {"code": "IMG.0001"}}, times=0, delay=0.1
    )
    started = time.monotonic()
    outcomes = client.create_many([server(f"c{i}") for i in range(6)], concurrency=2)
    # Six answers of 0.1 s each, two at a time: three rounds at least.
    assert time.monotonic() - started >= 0.3
    assert all(isinstance(outcome, hcims.BadRequestError) for outcome in outcomes)


def test_arguments_that_are_not_a_batch_are_refused(client: Client) -> None:
    for lone in (server("x"), "name", ServerImage(name="x", instance_id=INSTANCE)):
        with pytest.raises(TypeError, match="specs must be"):
            client.create_many(lone)  # type: ignore[arg-type]
    for bad in (0, -3):
        with pytest.raises(ValueError, match="concurrency"):
            client.create_many([server("x")], concurrency=bad)
    assert client.create_many([]) == []


def test_an_unknown_os_version_warns_for_its_spec(client: Client) -> None:
    specs = [VolumeImage(name="v", volume_id=VOLUME, os_version="Made Up OS 1.0 64bit"), server("s")]
    with pytest.warns(hcims.OsVersionWarning):
        outcomes = client.create_many(specs)
    assert all(isinstance(outcome, str) for outcome in outcomes)


def test_progress_shows_how_many_ended_and_failed(
    client: Client, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The line display, whatever is installed: its text is easy to read back.
    monkeypatch.setattr(hcims.progress, "_tqdm_class", lambda: None)
    client.create_many([server("a"), {"name": "", "instance_id": INSTANCE}, server("b")], progress=True)
    err = capsys.readouterr().err
    assert "3 creates" in err
    assert "3/3 done, 1 failed" in err
    assert err.endswith("\n")


def test_create_progress_counts_outcomes() -> None:
    with open(os.devnull, "w") as sink, hcims.CreateProgress(4, file=sink) as display:
        display(True)
        display(False)
        assert display.fraction == 0.5 and display.failed == 1
    display(True)  # ignored once closed
    assert display.fraction == 0.5


def test_the_module_level_twin_uses_the_default_client(clean_env: Any, ims_mock: MockIms) -> None:
    for name, value in (
        ("HCIMS_ENDPOINT", ims_mock.endpoint),
        ("HUAWEICLOUD_SDK_AK", ims_mock.ak),
        ("HUAWEICLOUD_SDK_SK", ims_mock.sk),
        ("HUAWEICLOUD_SDK_PROJECT_ID", ims_mock.project_id),
    ):
        clean_env.setenv(name, value)
    clean_env.setattr(hcims.client, "_default", None)
    outcomes = hcims.create_many([server("m1"), server("m2")], concurrency=2)
    assert all(isinstance(outcome, str) for outcome in outcomes)
    assert sorted(sent_names(ims_mock)) == ["m1", "m2"]


CHILD = textwrap.dedent(
    """
    from hcims import Client
    from hcims.testing import MockIms

    with MockIms() as ims:
        ims.add_fault(method="POST", path="/v2/cloudimages/action", status=200, body="{}", delay=30.0, times=0)
        client = Client(**ims.client_args())
        print("READY", flush=True)
        specs = [{"name": f"slow{i}", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"} for i in range(20)]
        try:
            client.create_many(specs, concurrency=4)
            print("FINISHED", flush=True)
        except KeyboardInterrupt:
            print("INTERRUPTED", len([r for r in ims.requests if r.method == "POST"]), flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs on Windows")
def test_ctrl_c_cancels_the_batch() -> None:
    # Meanwhile the first four requests reach the server's delay.
    outcome = ctrl_c_after_ready([sys.executable, "-c", CHILD], settle=0.5)
    line, elapsed, err = outcome.line, outcome.elapsed, outcome.err
    # Only the four creates in flight were sent; the other sixteen never were.
    assert line == "INTERRUPTED 4", err
    assert elapsed < 3.0, elapsed
    assert outcome.returncode == 0, err
    assert "panic" not in err.lower() and "Traceback" not in err, err


def test_the_docs_example_of_many_images_runs(
    client: Client, ims_mock: MockIms, capsys: pytest.CaptureFixture[str]
) -> None:
    section = (Path(__file__).parent.parent / "docs" / "many-images.md").read_text(encoding="utf-8")
    example = section[section.index("```python\n") + len("```python\n") :]
    specs = [server("readme-1"), {"name": " bad", "instance_id": INSTANCE}]
    exec(
        compile(example[: example.index("```")], "docs/many-images.md", "exec"),
        {"client": client, "specs": specs},
    )
    assert "not made:" in capsys.readouterr().out
    assert sent_names(ims_mock) == ["readme-1"]
