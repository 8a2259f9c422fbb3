"""The ``hcims`` command line: create images, query and wait for jobs, run the demo and the emulator.

Exit codes tell outcomes apart for scripts: 0 success, 2 invalid input (a broken rule or bad usage), 3 an API or
transport error, 4 the job failed, 5 waiting timed out, 6 configuration (credentials, region, endpoint) missing
or wrong. Credentials are read as the library reads them: arguments, ``HUAWEICLOUD_SDK_*`` variables, profile file.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import typing
from collections.abc import Sequence
from typing import Any, Callable, Optional, TextIO

from . import cli_ensure, cli_image_changes, specs
from .client import Client
from .errors import (
    ApiError,
    ConfigError,
    DuplicateImagesError,
    HcimsError,
    ImagesNotReadyError,
    JobFailedError,
    JobTimeoutError,
    TransportError,
    UnusableImagesError,
    ValidationError,
)
from .job import Job

__all__ = ["EXIT_API", "EXIT_CONFIG", "EXIT_JOB_FAILED", "EXIT_TIMEOUT", "EXIT_VALIDATION", "main"]

EXIT_VALIDATION = 2
EXIT_API = 3
EXIT_JOB_FAILED = 4
EXIT_TIMEOUT = 5
EXIT_CONFIG = 6

# The command name of each way, its spec class and the client method that sends it.
WAYS: dict[str, tuple[type, str]] = {
    "server": (specs.ServerImage, "create_from_server"),
    "data-images": (specs.ServerDataImages, "create_data_images_from_server"),
    "obs": (specs.ObsImage, "create_from_obs"),
    "volume": (specs.VolumeImage, "create_from_volume"),
    "whole-server": (specs.WholeServerImage, "create_whole_image_from_server"),
    "whole-backup": (specs.WholeBackupImage, "create_whole_image_from_backup"),
    "quick-import": (specs.QuickImportImage, "quick_import"),
    "obs-data-image": (specs.ObsDataImageFile, "create_data_image_from_obs"),
}
NESTED = {"data-images": specs.DataImage, "obs": specs.ObsDataImage}


# The fields given by a flag repeated once per item: the flag, its metavar and what one item is.
REPEATED_FLAGS = {
    "tags": ("--tag", "KEY.VALUE", "a tag"),
    "image_tags": ("--image-tag", "KEY=VALUE", "an image tag"),
    "data_images": ("--data-image", "KEY=VALUE,...", "a data image"),
    "extra": ("--extra", "KEY=JSON", "a field the flags lack"),
}


class UsageError(Exception):
    """A flag's value cannot be read; reported like argparse's own errors (exit 2)."""


def _field_kind(hint: Any) -> tuple[str, Optional[tuple[str, ...]]]:
    """What kind of flag a dataclass field needs: text, integer, boolean or a list, with choices for Literals."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    inner = args[0] if typing.get_origin(hint) is typing.Union and len(args) == 1 else hint
    if typing.get_origin(inner) is typing.Literal:
        return "text", tuple(typing.get_args(inner))
    if inner is bool:
        return "bool", None
    if inner is int:
        return "int", None
    if typing.get_origin(inner) in (Sequence, list, typing.Sequence):
        return "list", None
    return "text", None


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _add_spec_flags(parser: argparse.ArgumentParser, spec_class: type, nested: Optional[type]) -> None:
    hints = typing.get_type_hints(spec_class)
    for field in dataclasses.fields(spec_class):
        kind, choices = _field_kind(hints[field.name])
        dest = f"field_{field.name}"
        repeated = REPEATED_FLAGS.get(field.name)
        if repeated is not None:
            flag, metavar, what = repeated
            if field.name == "data_images":
                what += f" ({','.join(f.name for f in dataclasses.fields(nested)) if nested else ''})"
            parser.add_argument(flag, dest=dest, action="append", metavar=metavar, help=f"{what}; repeatable")
        elif kind == "bool":
            parser.add_argument(
                _flag(field.name), dest=dest, action=argparse.BooleanOptionalAction, default=None
            )
        elif kind == "int":
            parser.add_argument(_flag(field.name), dest=dest, type=int, metavar="N")
        else:
            # The words are the core's value rule, not argparse's choices: --rules warn may send another.
            words = f"one of {', '.join(choices)}" if choices else None
            parser.add_argument(_flag(field.name), dest=dest, metavar=field.name.upper(), help=words)


def _key_values(text: str, separator: str) -> tuple[str, str]:
    key, found, value = text.partition(separator)
    if not found:
        raise UsageError(f"expected KEY{separator}VALUE, got {text!r}")
    return key, value


def _nested_item(text: str, nested: type) -> dict[str, Any]:
    hints = typing.get_type_hints(nested)
    item: dict[str, Any] = {}
    for part in filter(None, text.split(",")):
        key, value = _key_values(part, "=")
        hint = hints.get(key)
        kind = _field_kind(hint)[0] if hint is not None else "text"
        if kind == "int":
            try:
                item[key] = int(value)
            except ValueError:
                raise UsageError(f"{key} in --data-image must be a whole number, got {value!r}") from None
        elif kind == "bool":
            if value.lower() not in ("true", "false"):
                raise UsageError(f"{key} in --data-image must be true or false, got {value!r}")
            item[key] = value.lower() == "true"
        elif kind == "list":
            item[key] = value.split(";")
        else:
            item[key] = value
    return item


def _spec_from_args(args: argparse.Namespace, way: str) -> dict[str, Any]:
    """The request dict: the JSON file first (if any), then every flag given on top of it."""
    spec: dict[str, Any] = {}
    if args.from_json:
        spec = _read_json(args.from_json)
    spec_class, _ = WAYS[way]
    for field in dataclasses.fields(spec_class):
        value = getattr(args, f"field_{field.name}", None)
        if value is None:
            continue
        if field.name == "image_tags":
            spec["image_tags"] = [dict(zip(("key", "value"), _key_values(t, "="))) for t in value]
        elif field.name == "data_images":
            spec["data_images"] = [_nested_item(t, NESTED[way]) for t in value]
        elif field.name == "extra":
            for item in value:
                key, text = _key_values(item, "=")
                try:
                    spec[key] = json.loads(text)
                except json.JSONDecodeError:
                    spec[key] = text
        else:
            spec[field.name] = value
    return spec


def _read_json(source: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if source == "-" else open(source, encoding="utf-8").read()
    except OSError as e:
        raise UsageError(f"cannot read {source}: {e.strerror}") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise UsageError(f"{source} is not JSON: {e}") from None
    if not isinstance(value, dict):
        raise UsageError(f"{source} must hold a JSON object, got {type(value).__name__}")
    return value


def _client(args: argparse.Namespace) -> Client:
    return Client(region=args.region, endpoint=args.endpoint, timeout=args.request_timeout, rules=args.rules)


def _job_dict(job: Job) -> dict[str, Any]:
    fields = dataclasses.asdict(job)
    fields.pop("raw")
    return fields


def _print_job(job: Job, args: argparse.Namespace, out: TextIO) -> None:
    if args.json:
        print(json.dumps({"job": _job_dict(job)}, ensure_ascii=False), file=out)
        return
    line = f"{job.status} job {job.id}"
    if job.job_type:
        line += f" ({job.job_type})"
    if job.progress is not None and not job.done:
        line += f" {job.progress:.0%}"
    if job.image_ids:
        line += " images " + ", ".join(job.image_ids)
    if job.error_code or job.fail_reason:
        line += f" error {job.error_code or ''} {job.fail_reason or ''}".rstrip()
    print(line, file=out)


def _run_create(args: argparse.Namespace, out: TextIO) -> int:
    spec = _spec_from_args(args, args.way)
    client = _client(args)
    _, method = WAYS[args.way]
    mode = args.way.replace("-", "_")
    if args.dry_run:
        prepared = client._native.prepare(mode, spec)
        if args.curl:
            print(prepared.to_curl(), file=out)
        elif args.json:
            body = json.loads(prepared.body)
            document = {"method": prepared.method, "url": prepared.url, "headers": dict(prepared.headers)}
            print(json.dumps({**document, "body": body}, ensure_ascii=False), file=out)
        else:
            print(str(prepared), file=out)
        return 0
    job_id = getattr(client, method)(spec)
    if not args.wait:
        print(json.dumps({"job_id": job_id}) if args.json else job_id, file=out)
        return 0
    if not args.json:
        print(f"submitted job {job_id}; waiting", file=out, flush=True)
    _print_job(client.wait_for_job(job_id, timeout=args.timeout, poll_interval=args.poll_interval), args, out)
    return 0


def _run_job(args: argparse.Namespace, out: TextIO) -> int:
    _print_job(_client(args).get_job(args.job_id), args, out)
    return 0


def _run_image(args: argparse.Namespace, out: TextIO) -> int:
    image = _client(args).get_image(args.image_id)
    if args.json:
        print(json.dumps({"image": image.raw}, ensure_ascii=False), file=out)
        return 0
    details = [
        f"{image.min_disk} GB" if image.min_disk is not None else "",
        image.os_version or "",
        image.visibility or "",
    ]
    line = f"{image.status} image {image.id} {image.name!r} ({', '.join(d for d in details if d)})"
    if image.tags:
        line += " tags " + ", ".join(image.tags)
    print(line, file=out)
    return 0


def _run_wait(args: argparse.Namespace, out: TextIO) -> int:
    job = _client(args).wait_for_job(args.job_id, timeout=args.timeout, poll_interval=args.poll_interval)
    _print_job(job, args, out)
    return 0


def _run_demo(_: argparse.Namespace, out: TextIO) -> int:
    from .demo import run

    return run(out)


def _run_mock(args: argparse.Namespace, out: TextIO) -> int:
    from .testing import serve

    serve(
        port=args.port,
        ak=args.ak,
        sk=args.sk,
        project_id=args.project_id,
        job_seconds=args.job_seconds,
        out=out,
        response_delay=args.latency_ms / 1000.0,
        listing_delay=args.listing_delay,
    )
    return 0


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def _not_negative(text: str) -> float:
    value = float(text)
    if not (value >= 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a number of at least 0, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hcims",
        description="Make private images on Huawei Cloud IMS.",
        epilog="Exit codes: 0 ok, 2 invalid input, 3 API or transport error, 4 job failed, 5 timeout, 6 config.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--region", help="e.g. cn-north-4 (default: HCIMS_REGION or HUAWEICLOUD_SDK_REGION)")
    common.add_argument(
        "--endpoint", help="override the endpoint (default: HCIMS_ENDPOINT, else from the region)"
    )
    common.add_argument("--json", action="store_true", help="print one JSON document, for scripts")
    common.add_argument("--request-timeout", type=_positive, default=None, metavar="SECONDS")
    # On every command that makes a client, so that each one that sends follows the same switch.
    common.add_argument(
        "--rules",
        choices=("enforce", "warn"),
        default=None,
        help="warn: send a spec that breaks a value rule as given, with a warning per rule "
        "(default: HCIMS_RULES, else enforce)",
    )
    waiting = argparse.ArgumentParser(add_help=False)
    waiting.add_argument("--timeout", type=_positive, default=3600.0, metavar="SECONDS", help="default 3600")
    waiting.add_argument("--poll-interval", type=_positive, default=None, metavar="SECONDS")

    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    create = commands.add_parser("create", help="make an image in one of the four ways")
    ways = create.add_subparsers(dest="way", required=True, metavar="WAY")
    helps = {
        "server": "a system image from an ECS",
        "data-images": "data-disk images from an ECS's volumes",
        "obs": "an image from an external file in OBS",
        "volume": "a system image from a data volume",
        "whole-server": "a whole image (every disk) of an ECS, backed up first",
        "whole-backup": "a whole image from a CSBS or CBR backup of an ECS",
        "quick-import": "a system or data image from a big RAW/ZVHD2 file in OBS, imported as it is",
        "obs-data-image": "a data-disk image from an external file in OBS",
    }
    for way, (spec_class, _) in WAYS.items():
        sub = ways.add_parser(way, help=helps[way], parents=[common, waiting])
        _add_spec_flags(sub, spec_class, NESTED.get(way))
        sub.add_argument(
            "--from-json", metavar="FILE", help="read the request from a JSON file ('-' for stdin)"
        )
        sub.add_argument("--wait", action="store_true", help="wait for the job and print its images")
        sub.add_argument("--dry-run", action="store_true", help="print the signed request (secrets masked)")
        sub.add_argument("--curl", action="store_true", help="with --dry-run: print it as a curl command")
        sub.set_defaults(run=_run_create)

    cli_ensure.add_commands(
        commands,
        common,
        waiting,
        helps,
        lambda sub, way: _add_spec_flags(sub, WAYS[way][0], NESTED.get(way)),
        _spec_from_args,
        _client,
    )
    job = commands.add_parser("job", help="show a job", parents=[common])
    job.add_argument("job_id")
    job.set_defaults(run=_run_job)
    image = commands.add_parser("image", help="show an image", parents=[common])
    image.add_argument("image_id")
    image.set_defaults(run=_run_image)
    cli_image_changes.add_commands(commands, common, _client)
    wait = commands.add_parser("wait", help="wait for a job to finish", parents=[common, waiting])
    wait.add_argument("job_id")
    wait.set_defaults(run=_run_wait)
    demo = commands.add_parser("demo", help="make images in all four ways against the built-in emulator")
    demo.set_defaults(run=_run_demo)
    mock = commands.add_parser("mock", help="serve the IMS emulator until interrupted")
    mock.add_argument("--port", type=int, default=8080)
    mock.add_argument("--ak")
    mock.add_argument("--sk")
    mock.add_argument("--project-id", dest="project_id")
    mock.add_argument(
        "--job-seconds", type=_positive, default=None, help="how long each job runs (default: by polls)"
    )
    mock.add_argument(
        "--listing-delay",
        type=_not_negative,
        default=0.0,
        help="seconds before a new image shows in the image list (default: 0)",
    )
    mock.add_argument(
        "--latency-ms",
        type=_not_negative,
        default=0.0,
        help="hold every answer this many milliseconds after its request arrived (default: 0)",
    )
    mock.set_defaults(run=_run_mock)
    return parser


def _report(error: BaseException, args: argparse.Namespace, err: TextIO) -> None:
    if getattr(args, "json", False):
        document: dict[str, Any] = {"error": type(error).__name__, "message": str(error)}
        if isinstance(error, ValidationError):
            document["errors"] = [{"path": p, "message": m} for p, m in error.errors]
        if isinstance(error, ApiError):
            document.update(status=error.status, code=error.code, request_id=error.request_id)
        if isinstance(error, (ApiError, TransportError)):
            document["maybe_sent"] = error.maybe_sent
        if isinstance(error, JobFailedError):
            document["job"] = _job_dict(error.job)
        print(json.dumps(document, ensure_ascii=False), file=err)
    else:
        print(f"hcims: {type(error).__name__}: {error}", file=err)


EXIT_CODES: list[tuple[type[BaseException], int]] = [
    (ValidationError, EXIT_VALIDATION),
    (UsageError, EXIT_VALIDATION),
    (ConfigError, EXIT_CONFIG),
    (JobFailedError, EXIT_JOB_FAILED),
    (JobTimeoutError, EXIT_TIMEOUT),
    (ImagesNotReadyError, EXIT_TIMEOUT),
    (DuplicateImagesError, EXIT_API),
    (UnusableImagesError, EXIT_API),
    (ApiError, EXIT_API),
    (TransportError, EXIT_API),
]


def main(argv: Optional[Sequence[str]] = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Runs the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace, TextIO], int] = args.run
    try:
        return run(args, out)
    except (HcimsError, UsageError) as error:
        _report(error, args, err)
        for cls, code in EXIT_CODES:
            if isinstance(error, cls):
                return code
        return 1
    except KeyboardInterrupt:
        print("hcims: interrupted", file=err)
        return 130
