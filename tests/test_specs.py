"""The spec dataclasses, ``to_request_dict`` and ``mode_of``, and their trip through the core."""

from __future__ import annotations

import dataclasses
import inspect
import json
import types
import typing
import warnings
from typing import Any, Optional

import pytest

from hcims import _native
from hcims.errors import ValidationError
from hcims.specs import (
    DataImage,
    ObsDataImage,
    ObsImage,
    ServerDataImages,
    ServerImage,
    Tag,
    VolumeImage,
    mode_of,
    to_request_dict,
)

UUID = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
UUID2 = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"


def sent(spec: Any) -> tuple[str, Any]:
    """What the core would send for ``spec``: its mode and parsed JSON body (no warning allowed)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mode, body = _native.validate(to_request_dict(spec), mode_of(spec))
    return mode, json.loads(body)


def test_required_fields_come_first_and_the_rest_default_to_none() -> None:
    spec = ServerImage("web", UUID)
    assert spec.name == "web" and spec.instance_id == UUID
    assert spec.tags is None and spec.image_tags is None and spec.extra is None
    assert ObsImage("c7", "b:c7.qcow2", 40).min_disk == 40
    assert VolumeImage("v", UUID, "CentOS 7.0 64bit").type is None
    assert ObsDataImage("b:d.qcow2", 10).name is None
    assert Tag("env").value == ""


def test_specs_are_frozen() -> None:
    spec = ServerImage("web", UUID)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.name = "other"  # type: ignore[misc]
    assert Tag("k", "v") == Tag("k", "v")
    assert hash(Tag("k", "v")) == hash(Tag("k", "v"))


SPEC_CLASSES = [Tag, DataImage, ServerImage, ServerDataImages, ObsDataImage, ObsImage, VolumeImage]


def reference_dataclass(cls: type) -> type:
    """``cls`` as ``dataclasses`` alone makes it, with the ``__init__`` it writes."""
    fields = [(f.name, f.type, dataclasses.field(default=f.default)) for f in dataclasses.fields(cls)]
    return dataclasses.make_dataclass(cls.__name__, fields, frozen=True)


@pytest.mark.parametrize("cls", SPEC_CLASSES, ids=lambda cls: cls.__name__)
def test_the_direct_init_takes_the_arguments_the_dataclass_init_takes(cls: type) -> None:
    reference = reference_dataclass(cls)
    assert cls.__init__ is not reference.__init__  # the direct one is in place
    assert inspect.signature(cls) == inspect.signature(reference)
    assert cls.__init__.__qualname__ == f"{cls.__name__}.__init__"
    assert cls.__init__.__module__ == "hcims.specs"
    # Annotations resolve against the module, as those of the dataclass-made __init__ do.
    assert typing.get_type_hints(cls.__init__) == {**typing.get_type_hints(cls), "return": type(None)}
    names = [f.name for f in dataclasses.fields(cls)]
    required = [f.name for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING]
    values = {name: f"v-{index}" for index, name in enumerate(names)}
    for arguments in ({name: values[name] for name in required}, values):
        made, expected = cls(**arguments), reference(**arguments)
        assert dataclasses.astuple(made) == dataclasses.astuple(expected)
        assert vars(made) == vars(expected)
        positional = cls(*arguments.values())
        assert positional == made and hash(positional) == hash(made)
        assert dataclasses.replace(made, **{names[0]: "other"}) == cls(**{**arguments, names[0]: "other"})
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        cls(**values, bogus=1)
    if required:
        with pytest.raises(TypeError, match=f"missing 1 required positional argument: '{required[-1]}'"):
            cls(*[values[name] for name in required[:-1]])
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(cls(**values), names[0], "changed")


def test_dataclasses_drop_none_and_turn_tags_into_dicts() -> None:
    spec = ServerImage(
        name="web",
        instance_id=UUID,
        image_tags=[Tag("env", "prod"), {"key": "team", "value": "core"}, Tag("bare")],
        min_ram=0,
    )
    assert to_request_dict(spec) == {
        "name": "web",
        "instance_id": UUID,
        "image_tags": [
            {"key": "env", "value": "prod"},
            {"key": "team", "value": "core"},
            {"key": "bare", "value": ""},
        ],
        "min_ram": 0,
    }


def test_nested_dataclasses_become_dicts_and_tuples_lists() -> None:
    spec = ServerDataImages(
        data_images=(
            DataImage("d1", UUID2, tags=("a.1",)),
            DataImage("d2", UUID, description="second", extra={"__flag": True}),
        ),
        description="top",
    )
    assert to_request_dict(spec) == {
        "data_images": [
            {"name": "d1", "volume_id": UUID2, "tags": ["a.1"]},
            {"name": "d2", "volume_id": UUID, "description": "second", "extra": {"__flag": True}},
        ],
        "description": "top",
    }


def test_each_dataclass_reaches_the_body_with_the_api_names() -> None:
    assert sent(ServerImage("web", UUID, tags=["env.prod"])) == (
        "server",
        {"name": "web", "instance_id": UUID, "tags": ["env.prod"]},
    )
    assert sent(ServerDataImages([DataImage("d1", UUID2, image_tags=[Tag("k", "v")])])) == (
        "data_images",
        {"data_images": [{"name": "d1", "volume_id": UUID2, "image_tags": [{"key": "k", "value": "v"}]}]},
    )
    obs = ObsImage(
        name="c7",
        image_url="ims-image:centos70.qcow2",
        min_disk=40,
        os_version="CentOS 7.0 64bit",
        type="ECS",
        os_type="Linux",
        architecture="x86",
        hw_firmware_type="bios",
        is_config=True,
        is_config_init=True,
        is_quick_import=False,
        cmk_id="kms-key-id",
        data_images=[ObsDataImage("ims-image:data.qcow2", 100, name="data", is_quick_import=False)],
        extra={"__os_feature_list": "x"},
    )
    assert sent(obs) == (
        "obs",
        {
            "name": "c7",
            "image_url": "ims-image:centos70.qcow2",
            "min_disk": 40,
            "os_version": "CentOS 7.0 64bit",
            "type": "ECS",
            "os_type": "Linux",
            "architecture": "x86",
            "hw_firmware_type": "bios",
            "is_config": True,
            "is_config_init": True,
            "is_quick_import": False,
            "cmk_id": "kms-key-id",
            "data_images": [
                {
                    "image_url": "ims-image:data.qcow2",
                    "min_disk": 100,
                    "name": "data",
                    "is_quick_import": False,
                }
            ],
            "__os_feature_list": "x",
        },
    )
    assert sent(VolumeImage("v", UUID, "CentOS 7.0 64bit", type="BMS", min_ram=1024, max_ram=2048)) == (
        "volume",
        {
            "name": "v",
            "volume_id": UUID,
            "os_version": "CentOS 7.0 64bit",
            "type": "BMS",
            "min_ram": 1024,
            "max_ram": 2048,
        },
    )


def test_broken_dataclasses_report_the_nested_path() -> None:
    spec = ObsImage(
        "c7",
        "b:c7.qcow2",
        40,
        data_images=[ObsDataImage("b:d1.qcow2", 10), ObsDataImage("b:d2.qcow2", 4096)],
    )
    with pytest.raises(ValidationError) as caught:
        sent(spec)
    assert caught.value.errors == [("data_images[1].min_disk", "must be between 1 and 2048 (GB), got 4096")]


def test_a_set_in_a_dataclass_is_refused_at_its_field() -> None:
    spec = ServerImage("web", UUID, tags={"a.1"})  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as caught:
        sent(spec)
    assert [path for path, _ in caught.value.errors] == ["tags"]


def test_mappings_are_copied() -> None:
    original = {"name": "web", "instance_id": UUID, "tags": ["a.1"], "extra": {"k": [1]}}
    copy = to_request_dict(original)
    assert copy == original
    copy["tags"].append("b.2")
    copy["extra"]["k"].append(2)
    assert original == {"name": "web", "instance_id": UUID, "tags": ["a.1"], "extra": {"k": [1]}}
    proxy = types.MappingProxyType({"name": "web", "instance_id": UUID})
    assert to_request_dict(proxy) == {"name": "web", "instance_id": UUID}
    assert type(to_request_dict(proxy)) is dict


def test_dataclasses_inside_dicts_are_converted() -> None:
    spec = {"data_images": [DataImage("d1", UUID2, image_tags=[Tag("k")])]}
    assert to_request_dict(spec) == {
        "data_images": [{"name": "d1", "volume_id": UUID2, "image_tags": [{"key": "k", "value": ""}]}]
    }


class _ModelWithExcludeNone:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def model_dump(self, *, exclude_none: bool = False) -> dict[str, Any]:
        self.calls.append({"exclude_none": exclude_none})
        data: dict[str, Any] = {"name": "web", "instance_id": UUID, "description": None}
        return {k: v for k, v in data.items() if v is not None} if exclude_none else data


class _ModelWithoutArguments:
    def model_dump(self) -> dict[str, Any]:
        return {"name": "web", "instance_id": UUID, "image_tags": (Tag("k", "v"),)}


class _ModelWithKeywords:
    def model_dump(self, **options: Any) -> dict[str, Any]:
        return {"name": "web", "instance_id": UUID, "options": sorted(options)}


class _ModelReturningList:
    def model_dump(self) -> list[str]:
        return ["name"]


def test_model_dump_objects_are_asked_to_leave_out_none() -> None:
    model = _ModelWithExcludeNone()
    assert to_request_dict(model) == {"name": "web", "instance_id": UUID}
    assert model.calls == [{"exclude_none": True}]
    assert to_request_dict(_ModelWithKeywords())["options"] == ["exclude_none"]


def test_model_dump_without_options_is_called_plainly() -> None:
    assert to_request_dict(_ModelWithoutArguments()) == {
        "name": "web",
        "instance_id": UUID,
        "image_tags": [{"key": "k", "value": "v"}],
    }
    assert sent(_ModelWithoutArguments())[0] == "server"


def test_model_dump_must_return_a_mapping() -> None:
    with pytest.raises(TypeError, match="returned list"):
        to_request_dict(_ModelReturningList())


def test_pydantic_models_work_as_specs() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Server(pydantic.BaseModel):  # type: ignore[misc, name-defined]
        name: str
        instance_id: str
        description: Optional[str] = None
        tags: list[str] = pydantic.Field(default_factory=list)

    model = Server(name="web", instance_id=UUID, tags=["env.prod"])
    assert to_request_dict(model) == {"name": "web", "instance_id": UUID, "tags": ["env.prod"]}
    assert mode_of(model) is None
    assert sent(model) == ("server", {"name": "web", "instance_id": UUID, "tags": ["env.prod"]})


@pytest.mark.parametrize("value", [["name", "web"], "name=web", 42, None, ServerImage, object()])
def test_anything_else_is_a_type_error_naming_what_is_accepted(value: Any) -> None:
    with pytest.raises(TypeError) as caught:
        to_request_dict(value)
    message = str(caught.value)
    for accepted in ("ServerImage", "ObsImage", "dict", "model_dump"):
        assert accepted in message


@pytest.mark.parametrize(
    ("spec", "mode"),
    [
        (ServerImage("web", UUID), "server"),
        (ServerDataImages([DataImage("d", UUID2)]), "data_images"),
        (ObsImage("c7", "b:c7.qcow2", 40), "obs"),
        (VolumeImage("v", UUID, "CentOS 7.0 64bit"), "volume"),
        ({"name": "web", "instance_id": UUID}, None),
        (_ModelWithExcludeNone(), None),
        (DataImage("d", UUID2), None),
        (Tag("k"), None),
    ],
)
def test_mode_of(spec: Any, mode: Optional[str]) -> None:
    assert mode_of(spec) == mode


def test_the_dataclass_mode_wins_over_the_keys() -> None:
    # A volume spec read as a server one: the instance_id it lacks is what the core reports.
    spec = VolumeImage("v", UUID, "CentOS 7.0 64bit")
    with pytest.raises(ValidationError) as caught:
        _native.validate(to_request_dict(spec), "server")
    assert "instance_id" in [path for path, _ in caught.value.errors]


def test_every_field_of_each_dataclass_is_a_field_the_core_knows() -> None:
    full = {
        ServerImage: ServerImage("web", UUID, "d", None, [Tag("k")], "0", 2048, 1024, {"__x": 1}),
        ServerDataImages: ServerDataImages(
            [DataImage("d", UUID2, "d", ["a.1"], None, {"__y": 1})],
            "top",
            "d",
            ["b.2"],
            None,
            "0",
            0,
            0,
            {"__z": 1},
        ),
        ObsImage: ObsImage(
            "c7",
            "b:c7.iso",
            40,
            "d",
            "Linux",
            "CentOS 7.0 64bit",
            True,
            "key",
            None,
            [Tag("k")],
            "IsoImage",
            "0",
            0,
            0,
            [ObsDataImage("b:d", 10, "d", "d", True, None, [Tag("k")], {"__w": 1})],
            True,
            "arm",
            "uefi",
            True,
            {"__v": 1},
        ),
        VolumeImage: VolumeImage(
            "v", UUID, "CentOS 7.0 64bit", "ECS", "d", 0, 0, ["a.1"], None, "0", "bios", {"__u": 1}
        ),
    }
    for cls, spec in full.items():
        unset = [f.name for f in dataclasses.fields(cls) if getattr(spec, f.name) is None]
        assert unset in (["tags"], ["image_tags"]), (cls, unset)
        mode, body = sent(spec)
        assert mode == mode_of(spec)
        assert "extra" not in body


def test_a_dataclass_the_direct_init_does_not_fit_keeps_its_own() -> None:
    from hcims._direct_init import use_direct_init

    @dataclasses.dataclass(frozen=True)
    class WithFactory:
        items: list[str] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True)
    class NamedLikeTheCode:
        instance_dict: str

    for cls in (WithFactory, NamedLikeTheCode):
        generated = cls.__init__
        use_direct_init(cls)
        assert cls.__init__ is generated
    assert WithFactory().items == [] and NamedLikeTheCode("x").instance_dict == "x"


def test_to_request_dict_converts_dataclasses_as_the_core_reads_them() -> None:
    spec = ServerImage("web", UUID, tags={"a.1"})  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as caught:
        to_request_dict(spec)
    assert [path for path, _ in caught.value.errors] == ["tags"]
    image = ObsDataImage("b:d.qcow2", 10, image_tags=[Tag("k")])
    assert to_request_dict({"data_images": (image,)}) == {
        "data_images": [{"image_url": "b:d.qcow2", "min_disk": 10, "image_tags": [{"key": "k", "value": ""}]}]
    }
