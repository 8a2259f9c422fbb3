"""Hypothesis over the Python entry points: random nested values of every type (unicode, huge ints,
NaN, bytes, objects) must end in a result, a ValidationError or a TypeError, never a panic or another
exception. HCIMS_FUZZ_CASES raises the number of examples for a longer run by hand."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hcims
from hcims.testing import MockIms

CASES = int(os.environ.get("HCIMS_FUZZ_CASES", "150"))
FUZZ = settings(
    max_examples=CASES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

KEYS = [
    "name", "description", "instance_id", "data_images", "image_url", "volume_id", "min_disk", "min_ram",
    "max_ram", "os_version", "type", "os_type", "architecture", "tags", "image_tags", "is_config",
    "is_quick_import", "enterprise_project_id", "cmk_id", "extra", "key", "value", "volume-id",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**200),
    st.integers(min_value=-(2**200), max_value=-(2**63)),
    st.floats(allow_nan=True, allow_infinity=True),
    st.just(math.nan),
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.binary(max_size=40),
    st.sampled_from(["877a2cda-ba63-4e1e-b95f-e67e48b6129a", "bucket:file.qcow2", "CentOS 7.0 64bit", "a.b"]),
    st.builds(object),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=10)), inner, max_size=6),
        st.dictionaries(st.one_of(st.integers(), st.none(), st.floats()), inner, max_size=2),
        st.frozensets(st.integers(), max_size=3),
    ),
    max_leaves=20,
)
specs = st.one_of(values, st.dictionaries(st.sampled_from(KEYS), values, max_size=8))

ALLOWED = (hcims.ValidationError, TypeError)


@pytest.fixture(scope="module")
def fuzz_ims() -> Iterator[MockIms]:
    with MockIms(job_polls=0) as ims:
        yield ims


@pytest.fixture(scope="module")
def client(fuzz_ims: MockIms) -> hcims.Client:
    return hcims.Client(**fuzz_ims.client_args(), retries=0)


def attempt(call: Any) -> Any:
    try:
        return call()
    except ALLOWED as error:
        assert str(error)
        return error


@FUZZ
@given(spec=specs)
def test_prepare_and_validation_refuse_only_with_validation_or_type_errors(
    client: hcims.Client, spec: Any
) -> None:
    result = attempt(lambda: client.prepare(spec))
    if isinstance(result, hcims.ValidationError):
        assert result.errors and all(isinstance(p, str) and isinstance(m, str) for p, m in result.errors)


@FUZZ
@given(spec=specs, method=st.sampled_from(
    ["create_image", "create_from_server", "create_from_obs", "create_from_volume", "create_data_images_from_server"]
))  # fmt: skip
def test_creates_refuse_only_with_validation_or_type_errors(
    client: hcims.Client, spec: Any, method: str
) -> None:
    # A spec that passes validation is sent: the emulator then answers a job id or an IMS error.
    result = attempt(lambda: getattr(client, method)(spec))
    assert isinstance(result, (str, *ALLOWED, hcims.ApiError)), repr(result)


@FUZZ
@given(job_id=values)
def test_job_queries_refuse_bad_ids_with_validation_or_type_errors(client: hcims.Client, job_id: Any) -> None:
    try:
        client.get_job(job_id)
    except (*ALLOWED, hcims.NotFoundError):
        pass


@FUZZ
@given(timeout=values, poll_interval=values)
def test_wait_arguments_refuse_with_value_or_type_errors(
    client: hcims.Client, timeout: Any, poll_interval: Any
) -> None:
    try:
        client.wait_for_job("ff80808280c204e30180d2784c3c0d86", timeout=timeout, poll_interval=poll_interval)
    except (*ALLOWED, ValueError, OverflowError, hcims.NotFoundError):
        pass


@FUZZ
@given(
    retries=values,
    backoff=values,
    timeout=values,
    endpoint=st.one_of(values, st.text().map(lambda t: "http://127.0.0.1:1" + t)),
)
def test_constructor_arguments_refuse_with_clear_errors(
    retries: Any, backoff: Any, timeout: Any, endpoint: Any
) -> None:
    try:
        hcims.Client(
            endpoint=endpoint,
            ak="AK",
            sk="SK",
            project_id="p",
            retries=retries,
            retry_backoff=backoff,
            timeout=timeout,
        )
    except (TypeError, ValueError, OverflowError, hcims.ConfigError):
        pass
