"""Property test: ``_native._sign`` and huaweicloudsdkcore's own ``Signer`` agree on random requests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

pytest.importorskip("huaweicloudsdkcore")

from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from hcims import _native

AK = "HPUAEXAMPLEAK0000001"
SK = "ExampleSecretKeyForTestVectors0000000000"
FIXED_DATE = "20240501T080000Z"
# Passed to _sign for the case the headers lack X-Sdk-Date; never used below, so a different value
# makes any accidental use show up as a mismatch.
UNUSED_DATE = "20991231T235959Z"


@dataclass
class Credentials:
    ak: str
    sk: str


class RecordingSigner(Signer):
    """The official signer, recording the canonical request and string to sign it computes."""

    canonical_request = ""
    string_to_sign = ""

    def _process_string_to_sign(self, canonical_request: str, time: datetime) -> str:
        self.canonical_request = canonical_request
        self.string_to_sign = super()._process_string_to_sign(canonical_request, time)
        return self.string_to_sign


@dataclass
class Request:
    method: str
    host: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes


def sign_officially(request: Request) -> tuple[RecordingSigner, SdkRequest]:
    sdk_request = SdkRequest(
        method=request.method,
        host=request.host,
        resource_path=request.path,
        query_params=list(request.query),
        header_params=dict(request.headers),
        body=request.body,
    )
    signer = RecordingSigner(Credentials(AK, SK))
    try:
        signer.sign(sdk_request)
    except (ValueError, IndexError):
        # The SDK's own limits are not ours to match: strptime raises ValueError on a date it cannot
        # parse, and an empty path raises IndexError.
        reject()
    return signer, sdk_request


def sign_natively(request: Request) -> dict[str, Any]:
    result: dict[str, Any] = _native._sign(
        request.method,
        request.host,
        request.path,
        request.query,
        list(request.headers.items()),
        request.body,
        AK,
        SK,
        UNUSED_DATE,
    )
    return result


def assert_same_signature(request: Request) -> None:
    native = sign_natively(request)
    official, sdk_request = sign_officially(request)
    assert native["canonical_request"] == official.canonical_request
    assert native["string_to_sign"] == official.string_to_sign
    assert native["authorization"] == sdk_request.header_params["Authorization"]
    assert native["request_uri"] == sdk_request.uri
    assert native["signed_headers"] == native["authorization"].split("SignedHeaders=")[1].split(",")[0]
    # Every header the SDK added (Authorization aside) is reported, in the SDK's order; a reported
    # header that already existed is one the SDK overwrote with the same value.
    official_added = [
        (name, value)
        for name, value in sdk_request.header_params.items()
        if name not in request.headers and name != "Authorization"
    ]
    assert [pair for pair in native["added_headers"] if pair[0] not in request.headers] == official_added
    for name, value in native["added_headers"]:
        assert sdk_request.header_params[name] == value


# Characters that stress encoding: reserved and unreserved ASCII, '%', '~', space, Latin-1, CJK,
# an astral-plane emoji and U+FFFD itself.
TRICKY = " ~%+&=?#/;:@!$'()*,[]\"<>\\^`{|}\t\x00\x7fé\xa0中文\U0001f600\ufffd"
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=6)
tricky_text = st.text(st.sampled_from(list(TRICKY) + list("aZ09-._")), max_size=6)
escape = st.one_of(
    st.from_regex(r"%[0-9A-Fa-f]{2}", fullmatch=True),
    st.sampled_from(["%", "%4", "%zz", "%E4%B8%AD", "%e4%b8", "%2F", "%20", "%7E", "%FF", "%C3%A9"]),
)
path_segment = st.lists(st.one_of(any_text, tricky_text, escape), max_size=4).map("".join)
paths = st.builds(
    lambda segments, trailing: "/" + "/".join(segments) + ("/" if trailing else ""),
    st.lists(path_segment, min_size=1, max_size=4),
    st.booleans(),
)
query_key = st.one_of(st.sampled_from(["name", "limit", "__imagetype", "k", "中"]), any_text, tricky_text)
queries = st.lists(st.tuples(query_key, st.one_of(any_text, tricky_text, escape)), max_size=6)

header_name = st.one_of(
    st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,11}", fullmatch=True),
    st.sampled_from(
        ["Host", "host", "HOST", "X_Custom_Underscore", "x-sdk-content-sha256", "X-Sdk-Content-Sha256"]
    ),
).filter(lambda name: name.lower() not in ("x-sdk-date", "authorization", "content-type"))
padding = st.text(st.sampled_from([" ", "\t", "\x1c", "\xa0", "\u3000", "\u2028"]), max_size=3)
header_value = st.builds(lambda before, core, after: before + core + after, padding, any_text, padding)
content_types = st.sampled_from(
    [
        None,
        "",
        "application/json",
        "application/json;charset=utf-8",
        "application/bson",
        "application/octet-stream",
        "text/plain; charset=utf-8",
        "multipart/form-data",
    ]
)
bodies = st.one_of(
    st.just(b""),
    st.binary(max_size=48),
    st.builds(lambda text: json.dumps({"name": text}, ensure_ascii=False).encode(), any_text),
)


@st.composite
def requests(draw: st.DrawFn) -> Request:
    headers: dict[str, str] = {}
    content_type = draw(content_types)
    if content_type is not None:
        headers[draw(st.sampled_from(["Content-Type", "content-type"]))] = content_type
    headers["X-Sdk-Date"] = FIXED_DATE
    for name, value in draw(st.lists(st.tuples(header_name, header_value), max_size=5)):
        headers[name] = value
    return Request(
        method=draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "post"])),
        host=draw(st.sampled_from(["ims.cn-north-4.myhuaweicloud.com", "127.0.0.1:18080", "[::1]:8443"])),
        path=draw(paths),
        query=draw(queries),
        headers=headers,
        body=draw(bodies),
    )


@pytest.mark.smoke
@settings(max_examples=400, deadline=None)
@given(requests())
def test_random_requests_sign_like_the_official_sdk(request: Request) -> None:
    assert_same_signature(request)


# Date-like strings around the strict format: CPython's strptime accepts one-digit fields and
# lower-case t/z, and the SDK then signs the normalised date while sending the raw one.
date_like = st.one_of(
    st.from_regex(r"[0-9]{4}[01]?[0-9][ 0-3]?[0-9][Tt][0-2]?[0-9][0-5]?[0-9][0-6]?[0-9][Zz]", fullmatch=True),
    st.text(st.sampled_from(list("0123456789TtZz ")), min_size=10, max_size=18),
)


# Most strings near the format are dates strptime refuses (and the SDK with it): rejecting many is the point.
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(date_like, st.sampled_from(["X-Sdk-Date", "x-sdk-date"]))
def test_supplied_dates_are_read_like_the_official_sdk(date: str, header: str) -> None:
    assert_same_signature(
        Request(method="GET", host="h", path="/p", query=[], headers={header: date}, body=b"")
    )
