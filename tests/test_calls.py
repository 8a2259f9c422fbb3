"""Each call is written once, as a Client method: the AsyncClient's coroutines and the module-level functions
are made from it and show its parameters; each result class is a frozen dataclass with one conversion."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import pickle
import subprocess
import sys
import textwrap
from typing import Any

import pytest

import hcims
import hcims.client
from hcims import AsyncClient, Client, OsVersion, Quota
from hcims.ensure import EnsureCalls
from hcims.image_changes import ImageChanges
from hcims.testing import MockIms
from hcims.ways import WaysCalls

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
# The Client's own calls and those of its call-group mixins (house.md step 3).
CALLS = [
    name
    for group in (Client, WaysCalls, ImageChanges, EnsureCalls)
    for name, value in vars(group).items()
    if inspect.isfunction(value) and not name.startswith("_")
]
TWINS = [name for name in CALLS if name in hcims.__all__]


def test_the_calls_are_every_public_method_and_have_twins_where_they_had_them() -> None:
    assert sorted(CALLS) == sorted(
        [
            "create_from_server",
            "create_data_images_from_server",
            "create_from_obs",
            "create_from_volume",
            "create_image",
            "prepare",
            "create_many",
            "get_job",
            "wait_for_job",
            "wait_for_jobs",
            "os_versions",
            "quota",
            "find_images",
            "get_image",
            "create_whole_image_from_server",
            "create_whole_image_from_backup",
            "quick_import",
            "create_data_image_from_obs",
            "update_image",
            "tag_image",
            "delete_image",
            "delete_images",
            "ensure_image",
            "ensure_images",
        ]
    )
    assert sorted(TWINS) == sorted(set(CALLS) - {"os_versions", "quota", "find_images"})


@pytest.mark.parametrize("name", CALLS)
def test_the_async_method_is_a_coroutine_with_the_parameters_and_doc_of_the_client_method(name: str) -> None:
    method, coroutine = getattr(Client, name), getattr(AsyncClient, name)
    assert inspect.iscoroutinefunction(coroutine)
    assert inspect.signature(coroutine) == inspect.signature(method)
    assert coroutine.__doc__ == method.__doc__
    assert (coroutine.__name__, coroutine.__qualname__, coroutine.__module__) == (
        name,
        f"AsyncClient.{name}",
        "hcims.aio",
    )


@pytest.mark.parametrize("name", TWINS)
def test_the_module_level_function_has_the_parameters_and_doc_of_the_client_method(name: str) -> None:
    method, twin = getattr(Client, name), getattr(hcims, name)
    parameters = list(inspect.signature(method).parameters.values())[1:]  # without self
    assert inspect.signature(twin) == inspect.signature(method).replace(parameters=parameters)
    assert (twin.__name__, twin.__doc__) == (name, method.__doc__)


def test_the_module_level_functions_build_nothing_until_called(clean_env: Any) -> None:
    clean_env.setattr(hcims.client, "_default", None)
    # Shown (in a notebook, by help()) without credentials: nothing is read yet.
    assert "default_client()" in repr(hcims.get_job)
    help_text = subprocess.run(
        [sys.executable, "-c", "import hcims; help(hcims.wait_for_job)"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HOME": "/nonexistent", "PATH": ""},
    )
    assert help_text.returncode == 0, help_text.stderr
    assert "wait_for_job(job_id: 'str', timeout: 'Optional[float]' = 3600.0" in help_text.stdout
    assert hcims.client._default is None
    with pytest.raises(hcims.ConfigError):
        hcims.get_job("0" * 32)


def test_async_methods_are_tasks_and_cancellable(ims_mock: MockIms) -> None:
    ims_mock.add_fault(method="GET", path="/v1/*", status=200, body="{}", delay=30.0, times=0)

    async def run() -> None:
        async with AsyncClient(**ims_mock.client_args()) as client:
            task = asyncio.create_task(client.get_job("0" * 32))
            await asyncio.sleep(0.05)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(asyncio.wait_for(run(), 10))


def test_both_clients_take_the_same_options() -> None:
    assert inspect.signature(AsyncClient) == inspect.signature(Client)
    options = {"region": "cn-north-4", "ak": "a", "sk": "s", "project_id": "p", "retries": 2}
    client, async_client = Client(**options), AsyncClient(**options)
    for name in ("endpoint", "region", "retries", "retry_backoff", "project_id", "auth_kind"):
        assert getattr(async_client, name) == getattr(client, name)
    assert repr(async_client) == "Async" + repr(client)


@pytest.mark.parametrize(
    "result",
    [
        Quota(used=3, total=10),
        OsVersion(
            platform="CentOS",
            os_version="CentOS 7.0 64bit",
            os_bit=64,
            os_type="Linux",
            os_version_key="CentOS 7.0 64bit",
        ),
    ],
)
def test_results_are_frozen_dataclasses_that_pickle(result: Any) -> None:
    assert dataclasses.is_dataclass(result)
    assert pickle.loads(pickle.dumps(result)) == result
    assert hash(result) == hash(dataclasses.replace(result))
    assert repr(result).startswith(f"{type(result).__name__}(")
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, dataclasses.fields(result)[0].name, None)


FRESH = textwrap.dedent(
    """
    import dataclasses, pickle, sys
    import hcims
    print([f.name for f in dataclasses.fields(hcims.Quota)], dataclasses.is_dataclass(hcims.OsVersion))
    print(pickle.loads(bytes.fromhex(sys.argv[1])))
    """
)


def test_a_result_class_is_a_dataclass_before_any_instance_and_unpickles_in_a_fresh_process() -> None:
    pickled = pickle.dumps(Quota(used=1, total=2)).hex()
    done = subprocess.run([sys.executable, "-c", FRESH, pickled], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["['used', 'total'] True", "Quota(used=1, total=2)"]


def test_the_account_module_still_names_the_results() -> None:
    import hcims.account

    assert (hcims.account.OsVersion, hcims.account.Quota) == (OsVersion, Quota)


def test_results_come_back_the_same_from_both_clients(ims_mock: MockIms) -> None:
    client = Client(**ims_mock.client_args())

    async def both() -> tuple[Any, Any]:
        async with AsyncClient(**ims_mock.client_args()) as async_client:
            return await async_client.quota(), await async_client.os_versions()

    quota, versions = asyncio.run(both())
    assert quota == client.quota() and isinstance(quota, Quota)
    assert versions == client.os_versions() and all(isinstance(v, OsVersion) for v in versions)
