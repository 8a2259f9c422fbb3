"""The shortcuts taken for speed give what the long way gives.

A dict or a spec dataclass goes to the core as it is (the core reads dataclasses and mappings itself,
instead of ``to_request_dict`` copying them first), and each thread making blocking calls has a runtime
and connection pool of its own.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
import types
from typing import Any, ClassVar, Optional

import pytest

from hcims import (
    Client,
    DataImage,
    ObsDataImage,
    ObsImage,
    ServerDataImages,
    ServerImage,
    Tag,
    ValidationError,
    VolumeImage,
    _native,
)
from hcims.specs import mode_of, to_request_dict
from hcims.testing import MockIms

UUID = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
UUID2 = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"


@dataclasses.dataclass
class _UserTag:
    """A dataclass of the user's own, with a pseudo-field that is not a field."""

    key: str
    value: Optional[str] = None
    registry: ClassVar[dict[str, str]] = {}


def _read_both_ways(spec: Any, mode: Optional[str]) -> tuple[Any, Any]:
    """What the core makes of ``spec`` as it is, and of its ``to_request_dict`` copy."""

    def read(value: Any) -> Any:
        try:
            return _native.validate(value, mode)
        except ValidationError as error:
            return sorted(error.errors)

    return read(spec), read(to_request_dict(spec))


@pytest.mark.parametrize(
    "spec",
    [
        ServerImage("web", UUID, "d", None, [Tag("k"), Tag("k2", "v")], "0", 2048, 1024, {"__x": 1}),
        ServerDataImages([DataImage("d", UUID2, "d", ["a.1"], None, {"__y": 1})], "top"),
        ObsImage(
            "c7",
            "b:c7.qcow2",
            40,
            data_images=[ObsDataImage("b:d", 10, image_tags=[Tag("k")])],
            is_quick_import=True,
            os_version="CentOS 7.0 64bit",
        ),
        VolumeImage("v", UUID, "CentOS 7.0 64bit", "ECS"),
        ServerImage("", "not-a-uuid", image_tags=[Tag("k", None)]),  # type: ignore[arg-type]
        {"name": "web", "instance_id": UUID, "image_tags": [Tag("k", "v"), _UserTag("u", "w")]},
        {"name": "web", "instance_id": UUID, "image_tags": [_UserTag("u")]},
        {"name": "web", "instance_id": UUID, "extra": types.MappingProxyType({"__flag": "1"})},
        {"data_images": (DataImage("d", UUID2),), "name": "many"},
        {"name": "web", "instance_id": UUID, "tags": {"a.1"}},
    ],
)
def test_a_spec_read_directly_equals_its_copy(spec: Any) -> None:
    mode = mode_of(spec)
    direct, copied = _read_both_ways(spec, mode)
    assert direct == copied


def test_only_dicts_and_dataclasses_are_read_directly() -> None:
    for not_a_spec in (42, "name", [("name", "x")], DataImage):
        with pytest.raises(TypeError, match="must be a dict or a spec dataclass"):
            _native.validate(not_a_spec, "server")


def test_a_field_that_cannot_be_read_is_named() -> None:
    @dataclasses.dataclass
    class Broken:
        name: str

        def __getattribute__(self, attribute: str) -> Any:
            if attribute == "name":
                raise RuntimeError("no name today")
            return object.__getattribute__(self, attribute)

    with pytest.raises(ValidationError) as caught:
        _native.validate({"name": "web", "instance_id": UUID, "extra": {"x": Broken("n")}}, "server")
    assert any("no name today" in message for _, message in caught.value.errors)


THREADS = textwrap.dedent(
    """
    import threading
    from hcims import Client
    from hcims.testing import MockIms

    UUID = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
    with MockIms() as ims:
        client = Client(**ims.client_args())
        ids = []

        def work(n):
            own = Client(**ims.client_args())
            for i in range(3):
                ids.append(client.create_from_server({"name": f"t{n}-{i}", "instance_id": UUID}))
                ids.append(own.create_from_server({"name": f"o{n}-{i}", "instance_id": UUID}))
            ids.append(client.get_job(ids[-1]).id)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(len(ids), len(set(ids)), flush=True)
    """
)


def test_blocking_calls_from_threads_that_come_and_go() -> None:
    done = subprocess.run([sys.executable, "-c", THREADS], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["56", "48"]
    # Each thread's runtime and pools are dropped as it ends: quietly.
    assert done.stderr == ""


def test_a_client_keeps_working_after_another_one_is_dropped(ims_mock: MockIms) -> None:
    kept = Client(**ims_mock.client_args())
    dropped = Client(**ims_mock.client_args())
    assert dropped.create_from_server({"name": "a", "instance_id": UUID})
    del dropped
    assert kept.create_from_server({"name": "b", "instance_id": UUID})
    assert kept.get_job(kept.create_from_server({"name": "c", "instance_id": UUID})).id


LAZY_IMPORT = textwrap.dedent(
    """
    import sys
    before = set(sys.modules)
    import hcims
    loaded = set(sys.modules) - before
    heavy = [m for m in ("asyncio", "dataclasses", "inspect", "hcims.specs", "hcims.job", "hcims.aio") if m in loaded]
    print(",".join(heavy) or "-")
    from hcims import AsyncClient, Job, ServerImage, ServerImageDict
    print(AsyncClient.__module__, Job.__module__, ServerImage.__module__, ServerImageDict.__name__)
    print(all(name in dir(hcims) for name in hcims.__all__))
    try:
        hcims.NoSuchName
    except AttributeError as error:
        print("AttributeError", error)
    """
)


def test_import_hcims_leaves_asyncio_and_the_dataclasses_for_first_use() -> None:
    done = subprocess.run([sys.executable, "-c", LAZY_IMPORT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "-"
    assert lines[1] == "hcims.aio hcims.job hcims.specs ServerImageDict"
    assert lines[2] == "True"
    assert lines[3] == "AttributeError module 'hcims' has no attribute 'NoSuchName'"


PROXIED = textwrap.dedent(
    """
    import hcims
    from hcims import Client
    from hcims.testing import MockIms

    with MockIms() as ims:
        client = Client(**ims.client_args(), retries=0)
        try:
            job_id = client.create_from_server({"name": "via-reqwest", "instance_id": UUID})
            print(client.get_job(job_id).id == job_id, flush=True)
        except hcims.TransportError as error:
            print("TransportError", error, flush=True)
    """
).replace("UUID", repr(UUID))


def _proxied(**variables: str) -> str:
    # Only the proxy settings given here, whatever the machine running the tests has.
    env = {name: value for name, value in os.environ.items() if "proxy" not in name.lower()}
    env.update(variables)
    done = subprocess.run(
        [sys.executable, "-c", PROXIED], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout.strip()


def test_with_a_proxy_configured_blocking_calls_go_through_reqwest() -> None:
    # The blocking transport does not speak to proxies: with one configured, calls take reqwest's way,
    # which uses it (here a dead one) unless NO_PROXY exempts the endpoint.
    dead_proxy = "http://127.0.0.1:9"
    assert _proxied(HTTP_PROXY=dead_proxy, NO_PROXY="127.0.0.1,localhost") == "True"
    assert _proxied(HTTP_PROXY=dead_proxy).startswith("TransportError could not connect to IMS")
