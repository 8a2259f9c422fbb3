"""``hcims ensure server|data-images|obs|volume --key KEY ...``: make sure exactly one image carries the key
(:meth:`hcims.Client.ensure_image`), with the flags of ``hcims create``. Kept apart from cli.py, which
hands in how a way's flags are added and read, so that neither module imports the other."""

from __future__ import annotations

import argparse
import json
from typing import Any, Callable, TextIO

from .client import Client
from .ensure import Ensured

#: Adds a way's spec flags to its subcommand; reads the spec back from the parsed arguments.
AddWayFlags = Callable[[argparse.ArgumentParser, str], None]
SpecOf = Callable[[argparse.Namespace, str], dict[str, Any]]
ClientOf = Callable[[argparse.Namespace], Client]


def add_commands(
    commands: Any,
    common: argparse.ArgumentParser,
    waiting: argparse.ArgumentParser,
    ways: dict[str, str],
    add_way_flags: AddWayFlags,
    spec_of: SpecOf,
    client_of: ClientOf,
) -> None:
    """Adds ``ensure`` with one subcommand per way (``ways``: name -> help)."""
    ensure = commands.add_parser("ensure", help="make sure exactly one image carries --key (adopt or create)")
    subs = ensure.add_subparsers(dest="way", required=True, metavar="WAY")
    for way, help_text in ways.items():
        sub = subs.add_parser(way, help=help_text, parents=[common, waiting])
        add_way_flags(sub, way)
        sub.add_argument("--key", required=True, help="the key the image carries (tag hcims-key)")
        sub.add_argument(
            "--from-json", metavar="FILE", help="read the request from a JSON file ('-' for stdin)"
        )
        sub.add_argument("--no-wait", action="store_true", help="return once created or found")
        sub.add_argument(
            "--adopt-within",
            type=float,
            default=120.0,
            metavar="SECONDS",
            help="after an uncertain create, look for the image this long before creating again (default 120)",
        )
        sub.set_defaults(run=_run_ensure, spec_of=spec_of, client_of=client_of)


def _run_ensure(args: argparse.Namespace, out: TextIO) -> int:
    spec = args.spec_of(args, args.way)
    client = args.client_of(args)
    mode = args.way.replace("-", "_")
    native = client._native.ensure_image(
        mode,
        spec,
        args.key,
        wait=not args.no_wait,
        adopt_within=args.adopt_within,
        poll_interval=args.poll_interval,
        timeout=args.timeout,
    )
    ensured = Ensured._from_native(native)
    if args.json:
        document = {
            "key": ensured.key,
            "adopted": ensured.adopted,
            "image_ids": list(ensured.image_ids),
            "job_id": ensured.job_id,
        }
        print(json.dumps(document, ensure_ascii=False), file=out)
    else:
        what = "adopted" if ensured.adopted else "created"
        images = ", ".join(ensured.image_ids) or f"job {ensured.job_id}"
        print(f"{what} {images} for key {ensured.key}", file=out)
    return 0
