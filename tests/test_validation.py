"""Request rules through the native binding: ``_native.validate(dict, mode)`` -> ``(mode, body)``.

Every rule is broken once with the path it must be reported at; values Python has but JSON lacks
must become a ``ValidationError`` (or ``TypeError``), never a panic.
"""

from __future__ import annotations

import json
import math
import warnings
from typing import Any, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcims import _native
from hcims.errors import OsVersionWarning, ValidationError

UUID = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
UUID2 = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"

VALID: dict[str, dict[str, Any]] = {
    "server": {"name": "web", "instance_id": UUID},
    "data_images": {"data_images": [{"name": "d1", "volume_id": UUID2}]},
    "obs": {"name": "c7", "image_url": "bucket:centos7.qcow2", "min_disk": 40},
    "volume": {"name": "v", "volume_id": UUID, "os_version": "CentOS 7.0 64bit"},
}

DECIDING_KEYS = {
    "server": "instance_id",
    "data_images": "data_images",
    "obs": "image_url",
    "volume": "volume_id",
}

# The API page's request examples, as printed there.
EXAMPLES: list[tuple[str, dict[str, Any]]] = [
    (
        "server",
        {
            "name": "ims_test",
            "description": "云服务器制作系统盘镜像",
            "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
            "tags": ["aaa.111", "bbb.333", "ccc.444"],
        },
    ),
    (
        "data_images",
        {
            "data_images": [
                {
                    "name": "ims_data_image_test",
                    "description": "云服务器数据卷制作数据盘镜像",
                    "volume_id": "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30",
                    "tags": ["aaa.111", "bbb.333", "ccc.444"],
                }
            ]
        },
    ),
    (
        "obs",
        {
            "name": "ims_test_file",
            "description": "OBS文件制作镜像",
            "image_url": "ims-image:centos70.qcow2",
            "os_version": "CentOS 7.0 64bit",
            "is_config_init": True,
            "min_disk": 40,
            "is_config": True,
            "tags": ["aaa.111", "bbb.333", "ccc.444"],
        },
    ),
    (
        "server",
        {
            "name": "ims_test",
            "description": "云服务器制作系统盘镜像",
            "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
            "image_tags": [{"key": "key2", "value": "value2"}, {"key": "key1", "value": "value1"}],
        },
    ),
    (
        "data_images",
        {
            "data_images": [
                {
                    "name": "ims_data_image_test",
                    "description": "云服务器数据卷制作数据盘镜像",
                    "volume_id": "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30",
                    "image_tags": [{"key": "key2", "value": "value2"}, {"key": "key1", "value": "value1"}],
                }
            ]
        },
    ),
    (
        "obs",
        {
            "name": "ims_test_file",
            "description": "OBS文件制作镜像",
            "image_url": "ims-image:centos70.qcow2",
            "os_version": "CentOS 7.0 64bit",
            "is_config_init": True,
            "min_disk": 40,
            "image_tags": [{"key": "key2", "value": "value2"}, {"key": "key1", "value": "value1"}],
        },
    ),
    (
        "volume",
        {
            "name": "ims_test",
            "description": "数据卷制作系统盘镜像",
            "volume_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
            "type": "ECS",
            "os_version": "CentOS 7.0 64bit",
            "tags": ["aaa.111", "bbb.333", "ccc.444"],
        },
    ),
    (
        "volume",
        {
            "name": "ims_test",
            "description": "数据卷制作系统盘镜像",
            "volume_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
            "type": "ECS",
            "os_version": "CentOS 7.0 64bit",
            "image_tags": [{"key": "key2", "value": "value2"}, {"key": "key1", "value": "value1"}],
        },
    ),
]


def validate(spec: Any, mode: Optional[str] = None) -> tuple[str, Any]:
    """``_native.validate`` with the body parsed back, failing the test on any warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found_mode, body = _native.validate(spec, mode)
    return found_mode, json.loads(body)


def errors_of(spec: Any, mode: Optional[str] = None) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        _native.validate(spec, mode)
    assert caught.value.errors, "a ValidationError must list its errors"
    return caught.value.errors


def paths_of(spec: Any, mode: Optional[str] = None) -> list[str]:
    return [path for path, _ in errors_of(spec, mode)]


def changed(mode: str, **changes: Any) -> dict[str, Any]:
    spec = json.loads(json.dumps(VALID[mode]))
    for key, value in changes.items():
        if value is _DROP:
            spec.pop(key, None)
        else:
            spec[key] = value
    return spec


_DROP = object()


@pytest.mark.parametrize(("mode", "example"), EXAMPLES)
def test_the_api_page_examples_pass_and_are_sent_unchanged(mode: str, example: dict[str, Any]) -> None:
    assert validate(example) == (mode, example)
    assert validate(example, mode) == (mode, example)


@pytest.mark.parametrize("mode", sorted(VALID))
def test_the_mode_is_read_from_the_keys(mode: str) -> None:
    assert validate(VALID[mode]) == (mode, VALID[mode])


def test_keys_that_decide_nothing_or_too_much_are_refused() -> None:
    errors = errors_of({"name": "web"})
    assert [path for path, _ in errors] == [""]
    assert "instance_id" in errors[0][1] and "volume_id" in errors[0][1]
    errors = errors_of({"name": "x", "instance_id": UUID, "volume_id": UUID})
    assert errors[0][1].startswith("instance_id and volume_id cannot be combined")


def test_a_misspelt_key_gets_a_suggestion() -> None:
    errors = errors_of({"name": "web", "instance-id": UUID}, "server")
    assert errors[0] == ("instance-id", "unknown field \"instance-id\"; did you mean 'instance_id'?")
    assert errors[1] == ("instance_id", "is required")
    # Without a mode the misspelt key is the reason the mode is unknown, and is named too.
    assert ("instance-id", "unknown field \"instance-id\"; did you mean 'instance_id'?") in errors_of(
        {"name": "web", "instance-id": UUID}
    )


def test_unknown_keys_without_a_close_match_list_the_known_ones() -> None:
    (error,) = errors_of(changed("volume", flavor="s3.large"))
    assert error[0] == "flavor"
    assert "name, volume_id, os_version" in error[1]


def test_extra_fields_are_merged_into_the_body() -> None:
    spec = changed("obs", extra={"__os_feature_list": "x"})
    spec["data_images"] = [{"image_url": "b:d.qcow2", "min_disk": 10, "extra": {"__flag": True}}]
    _, body = validate(spec)
    assert body["__os_feature_list"] == "x"
    assert "extra" not in body
    assert body["data_images"] == [{"image_url": "b:d.qcow2", "min_disk": 10, "__flag": True}]
    assert paths_of(changed("server", extra={"name": "shadow"})) == ["extra.name"]
    assert paths_of(changed("server", extra=["x"])) == ["extra"]


def test_null_optional_fields_are_left_out() -> None:
    assert validate(changed("server", description=None, tags=None)) == ("server", VALID["server"])


BROKEN = [
    # (mode, changes, path the error is at)
    ("server", {"name": _DROP}, "name"),
    ("server", {"name": ""}, "name"),
    ("server", {"name": "n" * 129}, "name"),
    ("server", {"name": "web#1"}, "name"),
    ("server", {"name": " web"}, "name"),
    ("server", {"name": 5}, "name"),
    ("server", {"instance_id": _DROP}, "instance_id"),
    ("server", {"instance_id": "i-123"}, "instance_id"),
    ("server", {"description": "d" * 1025}, "description"),
    ("server", {"description": "a\nb"}, "description"),
    ("server", {"description": "<script>"}, "description"),
    ("server", {"tags": ["a.1"], "image_tags": [{"key": "b", "value": "2"}]}, "image_tags"),
    ("server", {"tags": [f"k{i}.v" for i in range(11)]}, "tags"),
    ("server", {"tags": ["ok.1", "bad key.1"]}, "tags[1]"),
    ("server", {"tags": ["a.1", "a.2"]}, "tags[1]"),
    ("server", {"tags": ["k" * 37]}, "tags[0]"),
    ("server", {"tags": ["k." + "v" * 44]}, "tags[0]"),
    ("server", {"tags": "a.1"}, "tags"),
    ("server", {"tags": [1]}, "tags[0]"),
    ("server", {"image_tags": [{"key": "", "value": "v"}]}, "image_tags[0].key"),
    ("server", {"image_tags": [{"key": "k", "value": "a=b"}]}, "image_tags[0].value"),
    ("server", {"image_tags": [{"key": "k ", "value": "v"}]}, "image_tags[0].key"),
    ("server", {"image_tags": [{"key": "k", "value": "v"}, {"key": "k", "value": "w"}]}, "image_tags[1].key"),
    ("server", {"image_tags": [{"value": "v"}]}, "image_tags[0].key"),
    ("server", {"image_tags": [{"key": "k", "valeu": "v"}]}, "image_tags[0].valeu"),
    ("server", {"enterprise_project_id": "default"}, "enterprise_project_id"),
    ("server", {"min_ram": -1}, "min_ram"),
    ("server", {"min_ram": 2048, "max_ram": 1024}, "min_ram"),
    ("server", {"max_ram": 1024.0}, "max_ram"),
    ("server", {"max_ram": True}, "max_ram"),
    ("server", {"max_ram": "1024"}, "max_ram"),
    ("server", {"max_ram": 2**63}, "max_ram"),
    ("server", {"data_images": [{"name": "d", "volume_id": UUID2}]}, "data_images"),
    ("data_images", {"data_images": []}, "data_images"),
    ("data_images", {"data_images": [{"volume_id": UUID2}]}, "data_images[0].name"),
    ("data_images", {"data_images": [{"name": "d", "volume_id": "vol"}]}, "data_images[0].volume_id"),
    ("data_images", {"data_images": ["d"]}, "data_images[0]"),
    ("data_images", {"name": "a/b"}, "name"),
    ("obs", {"min_disk": 39}, "min_disk"),
    ("obs", {"min_disk": 1025}, "min_disk"),
    ("obs", {"min_disk": _DROP}, "min_disk"),
    ("obs", {"min_disk": 40.0}, "min_disk"),
    ("obs", {"image_url": "no-colon"}, "image_url"),
    ("obs", {"image_url": "bucket:"}, "image_url"),
    ("obs", {"image_url": "b:my file.qcow2"}, "image_url"),
    ("obs", {"image_url": "b:win.ISO"}, "os_version"),
    ("obs", {"type": "IsoImage"}, "os_version"),
    ("obs", {"is_quick_import": True}, "os_version"),
    ("obs", {"os_version": ""}, "os_version"),
    ("obs", {"type": "VM"}, "type"),
    ("obs", {"os_type": "linux"}, "os_type"),
    ("obs", {"architecture": "amd64"}, "architecture"),
    ("obs", {"hw_firmware_type": "efi"}, "hw_firmware_type"),
    ("obs", {"is_config": "true"}, "is_config"),
    ("obs", {"is_config_init": 1}, "is_config_init"),
    ("obs", {"data_images": [{"image_url": f"b:{i}", "min_disk": 1} for i in range(4)]}, "data_images"),
    ("obs", {"data_images": [{"image_url": "b:1", "min_disk": 0}]}, "data_images[0].min_disk"),
    ("obs", {"data_images": [{"image_url": "b:1", "min_disk": 2049}]}, "data_images[0].min_disk"),
    ("obs", {"data_images": [{"min_disk": 10}]}, "data_images[0].image_url"),
    (
        "obs",
        {"data_images": [{"image_url": "bucket:centos7.qcow2", "min_disk": 10}]},
        "data_images[0].image_url",
    ),
    (
        "obs",
        {"data_images": [{"image_url": "b:1", "min_disk": 1, "tags": ["a.1", "a.1"]}]},
        "data_images[0].tags[1]",
    ),
    ("obs", {"instance_id": UUID}, ""),
    ("volume", {"os_version": _DROP}, "os_version"),
    ("volume", {"volume_id": "vol-1"}, "volume_id"),
    ("volume", {"type": "IsoImage"}, "type"),
    ("volume", {"hw_firmware_type": "BIOS"}, "hw_firmware_type"),
    ("volume", {"os_type": "Linux"}, "os_type"),
]


@pytest.mark.parametrize(("mode", "changes", "path"), BROKEN)
def test_each_broken_rule_is_reported_at_its_field(mode: str, changes: dict[str, Any], path: str) -> None:
    # Without its deciding key a body has no mode of its own: name it.
    explicit = mode if changes.get(DECIDING_KEYS[mode]) is _DROP else None
    errors = errors_of(changed(mode, **changes), explicit)
    assert [p for p, _ in errors] == [path], errors
    assert all(message for _, message in errors)


@pytest.mark.parametrize(
    ("mode", "changes"),
    [
        ("server", {"name": "n" * 128, "description": "d" * 1024, "min_ram": 0, "max_ram": 0}),
        ("server", {"tags": [f"k{i}.v" for i in range(10)], "enterprise_project_id": "0"}),
        ("server", {"image_tags": [{"key": "k" * 36, "value": "v" * 43}, {"key": "环境", "value": ""}]}),
        ("obs", {"min_disk": 1024, "os_type": "Other", "architecture": "arm", "hw_firmware_type": "uefi"}),
        ("obs", {"image_url": "b:win.iso", "type": "IsoImage", "os_version": "Windows 10 64bit"}),
        (
            "obs",
            {"data_images": [{"image_url": f"b:{i}", "min_disk": d} for i, d in enumerate((1, 2048, 9))]},
        ),
        ("volume", {"type": "Ironic", "hw_firmware_type": "bios", "enterprise_project_id": UUID}),
    ],
)
def test_values_at_the_limits_pass(mode: str, changes: dict[str, Any]) -> None:
    spec = changed(mode, **changes)
    assert validate(spec) == (mode, spec)


def test_every_violation_is_reported_at_once() -> None:
    spec = {
        "name": "bad#",
        "image_url": "my bucket:f.qcow2",
        "min_disk": 4096,
        "os_type": "Solaris",
        "data_images": [{"image_url": "b:d", "min_disk": 0}],
        "nmae": "typo",
    }
    paths = paths_of(spec)
    assert sorted(paths) == sorted(
        ["os_type", "nmae", "name", "image_url", "min_disk", "data_images[0].min_disk"]
    )


def test_messages_name_the_offending_value_and_shorten_long_ones() -> None:
    ((_, message),) = errors_of(changed("obs", min_disk=4096))
    assert message == "must be between 40 and 1024 (GB), got 4096"
    ((_, message),) = errors_of(changed("server", instance_id="x" * 5000))
    assert "(5000 characters)" in message and len(message) < 200


def test_an_explicit_mode_reads_the_keys_of_that_mode() -> None:
    assert validate(VALID["server"], "server") == ("server", VALID["server"])
    assert paths_of(VALID["server"], "volume") == ["instance_id", "volume_id", "os_version"]
    with pytest.raises(ValueError, match='unknown image mode "ecs"'):
        _native.validate(VALID["server"], "ecs")


@pytest.mark.parametrize("not_a_dict", [[VALID["server"]], "name=web", None, 5, ("name", "web")])
def test_a_spec_that_is_not_a_dict_is_a_type_error(not_a_dict: Any) -> None:
    with pytest.raises(TypeError, match="must be a dict"):
        _native.validate(not_a_dict)


class _Opaque:
    pass


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ({"a.1"}, "has no order"),
        (frozenset({"a.1"}), "has no order"),
        (b"a.1", "bytes"),
        (bytearray(b"x"), "bytearray"),
        (2**80, "too large"),
        (-(2**70), "too large"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        (_Opaque(), "_Opaque"),
        ("\ud800", "Unicode"),
    ],
)
def test_values_json_cannot_hold_name_their_field(value: Any, fragment: str) -> None:
    spec = changed("obs", data_images=[{"image_url": "b:d", "min_disk": 10, "tags": [value]}])
    ((path, message),) = errors_of(spec)
    assert path == "data_images[0].tags[0]"
    assert fragment in message


def test_every_unconvertible_value_is_reported() -> None:
    spec = {"name": {1, 2}, "min_disk": float("nan"), 3: "x", "image_url": b"x"}
    errors = errors_of(spec)
    assert sorted(path for path, _ in errors) == ["", "image_url", "min_disk", "name"]
    assert any("not a string: int 3" in message for _, message in errors)


def test_a_list_that_contains_itself_is_refused() -> None:
    loop: list[Any] = []
    loop.append(loop)
    ((path, message),) = errors_of({"name": "x", "instance_id": UUID, "tags": loop})
    assert path.startswith("tags[0][0]")
    assert "nested more than" in message


def test_subclasses_of_json_types_are_accepted() -> None:
    import enum

    class Disk(enum.IntEnum):
        SMALL = 40

    class Name(str):
        pass

    spec = {"name": Name("c7"), "image_url": "b:c7.qcow2", "min_disk": Disk.SMALL, "tags": ("a.1",)}
    assert validate(spec) == (
        "obs",
        {"name": "c7", "image_url": "b:c7.qcow2", "min_disk": 40, "tags": ["a.1"]},
    )


def test_an_unknown_os_version_warns_at_the_caller_and_is_sent() -> None:
    spec = changed("volume", os_version="Ubuntu 22.04 server 64bit")
    with pytest.warns(OsVersionWarning, match="Ubuntu 22.04 server 64bit") as record:
        mode, body = _native.validate(spec)
    assert (mode, json.loads(body)) == ("volume", spec)
    assert record[0].filename == __file__


def test_the_warning_skips_frames_of_the_hcims_package() -> None:
    # A function that runs as if it were in hcims.client: the warning must name the line calling it.
    namespace: dict[str, Any] = {"__name__": "hcims._pretend_client", "_native": _native}
    exec("def create(spec):\n    return _native.validate(spec)\n", namespace)
    spec = changed("obs", os_version="Rocky 9.3 64bit")
    with pytest.warns(OsVersionWarning) as record:
        namespace["create"](spec)
    assert record[0].filename == __file__


def test_a_warning_turned_into_an_error_propagates() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", OsVersionWarning)
        with pytest.raises(OsVersionWarning, match="did you mean"):
            _native.validate(changed("volume", os_version="centos 7.0 64bit"))


def test_known_os_versions() -> None:
    assert _native.is_known_os_version("CentOS 7.0 64bit")
    assert not _native.is_known_os_version("centos 7.0 64bit")


_JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.binary(max_size=4)
    | st.sampled_from([40, 2048, UUID, "b:o.qcow2", "b:o.iso", "IsoImage", "a.1", "CentOS 7.0 64bit"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.frozensets(st.integers(), max_size=3)
        | st.dictionaries(
            st.sampled_from(["name", "key", "value", "image_url", "min_disk", "tags", "x"])
            | st.text(max_size=5),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)

_KEYS = st.sampled_from(
    [
        "name",
        "instance_id",
        "data_images",
        "image_url",
        "volume_id",
        "min_disk",
        "os_version",
        "tags",
        "image_tags",
        "type",
        "is_quick_import",
        "min_ram",
        "max_ram",
        "extra",
        "description",
        "enterprise_project_id",
        "instance-id",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    spec=st.dictionaries(_KEYS | st.integers(), _JSONISH, max_size=8), mode=st.sampled_from([None, *VALID])
)
def test_random_specs_only_ever_raise_validation_or_type_errors(
    spec: dict[Any, Any], mode: Optional[str]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OsVersionWarning)
        try:
            found_mode, body = _native.validate(spec, mode)
        except ValidationError as error:
            assert error.errors
            assert all(isinstance(p, str) and isinstance(m, str) and m for p, m in error.errors)
            return
    assert found_mode in VALID
    sent = json.loads(body)
    assert isinstance(sent, dict)
    assert not any(isinstance(v, float) and math.isnan(v) for v in sent.values())
