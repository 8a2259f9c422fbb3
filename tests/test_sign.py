"""The AK/SK signer through ``_native._sign``, against vectors computed by huaweicloudsdkcore 3.1.219."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from hcims import _native

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "sign-vectors.json").read_text(encoding="utf-8")
)


def sign_vector(vector: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = _native._sign(
        vector["method"],
        vector["host"],
        vector["path"],
        [tuple(pair) for pair in vector["query"]],
        list(vector["headers"].items()),
        base64.b64decode(vector["body_b64"]),
        vector["ak"],
        vector["sk"],
        vector["x_sdk_date"],
    )
    return result


def test_all_seven_vectors_are_present() -> None:
    assert len(VECTORS) == 7


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector_matches_the_official_sdk(vector: dict[str, Any]) -> None:
    signed = sign_vector(vector)
    assert signed["canonical_request"] == vector["expected_canonical_request"]
    assert signed["string_to_sign"] == vector["expected_string_to_sign"]
    assert signed["authorization"] == vector["expected_authorization"]
    assert signed["signed_headers"] == vector["expected_signed_headers"]
    assert signed["request_uri"] == vector["expected_request_uri"]
    assert signed["added_headers"] == list(vector["expected_added_headers"].items())


def test_date_argument_is_used_only_when_the_header_is_absent() -> None:
    vector = VECTORS[0]
    headers = {k: v for k, v in vector["headers"].items() if k != "X-Sdk-Date"}
    signed = _native._sign(
        "POST", "h", "/p", [], list(headers.items()), b"{}", "AK", "SK", "20991231T235959Z"
    )
    assert ("X-Sdk-Date", "20991231T235959Z") in signed["added_headers"]
    assert signed["string_to_sign"].split("\n")[1] == "20991231T235959Z"
    with_header = _native._sign(
        "POST", "h", "/p", [], list(vector["headers"].items()), b"{}", "AK", "SK", "20991231T235959Z"
    )
    assert with_header["string_to_sign"].split("\n")[1] == vector["x_sdk_date"]
    assert all(name != "X-Sdk-Date" for name, _ in with_header["added_headers"])


@pytest.mark.parametrize(
    ("bad_arguments", "error"),
    [
        (("GET", "h", "/p", [], [], "not bytes", "AK", "SK", "20240501T080000Z"), TypeError),
        (("GET", "h", "/p", [], [("X-Name", 1)], b"", "AK", "SK", "20240501T080000Z"), TypeError),
        ((None, "h", "/p", [], [], b"", "AK", "SK", "20240501T080000Z"), TypeError),
        (("GET", "h", "/p", [("only-key",)], [], b"", "AK", "SK", "20240501T080000Z"), ValueError),
    ],
)
def test_wrong_arguments_raise_instead_of_panicking(
    bad_arguments: tuple[Any, ...], error: type[Exception]
) -> None:
    with pytest.raises(error):
        _native._sign(*bad_arguments)


def test_lone_surrogates_are_rejected_not_signed() -> None:
    with pytest.raises(UnicodeEncodeError):
        _native._sign("GET", "h", "/\udc80", [], [], b"", "AK", "SK", "20240501T080000Z")
