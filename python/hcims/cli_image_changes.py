"""The subcommands that change or remove images: ``hcims update``, ``hcims tag``, ``hcims delete``. Added to the parser by
:func:`add_commands`; ``hcims.cli`` reports their errors and gives the exit codes as for every command."""

from __future__ import annotations

import argparse
import json
from typing import Any, Callable, TextIO

from .client import Client
from .errors import ValidationError

ClientOf = Callable[[argparse.Namespace], Client]


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _run_delete(args: argparse.Namespace, out: TextIO) -> int:
    client: Client = args.client_of(args)
    if args.dry_run:
        # Nothing is deleted: each image is looked up, so a wrong id fails here as the delete would.
        images = [client.get_image(image_id) for image_id in args.image_ids]
        if args.json:
            print(json.dumps({"would_delete": [image.raw for image in images]}, ensure_ascii=False), file=out)
        for image in [] if args.json else images:
            print(f"would delete {image.status} image {image.id} {image.name!r}", file=out)
        return 0
    outcomes = client.delete_images(
        args.image_ids, delete_backup=args.delete_backup, concurrency=args.concurrency
    )
    if args.json:
        document = [
            {"image_id": o.image_id, "deleted": o.ok, "error": None if o.ok else str(o.error)}
            for o in outcomes
        ]
        print(json.dumps({"deleted": document}, ensure_ascii=False), file=out)
    else:
        for outcome in outcomes:
            what = (
                "deleted" if outcome.ok else f"not deleted: {type(outcome.error).__name__}: {outcome.error}"
            )
            print(f"image {outcome.image_id} {what}", file=out)
    failed = [outcome.error for outcome in outcomes if outcome.error is not None]
    if failed:
        # The first failure decides the exit code, as a single failed call would.
        raise failed[0]
    return 0


def _changes(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of ``update_image`` the options give, in the order the page lists them."""
    changes: dict[str, Any] = {}
    for option in ("name", "description", "min_ram", "hw_firmware_type"):
        if getattr(args, option) is not None:
            changes[option] = getattr(args, option)
    for pair in args.set:
        key, separator, value = pair.partition("=")
        if not separator:
            raise ValidationError([("--set", f"takes KEY=VALUE, got {pair!r}")])
        changes[key] = value
    for key in args.remove:
        changes[key] = None
    if not changes:
        raise ValidationError(
            [("", "nothing to change: give --name, --description, --min-ram, --set or --remove")]
        )
    return changes


def _run_update(args: argparse.Namespace, out: TextIO) -> int:
    client: Client = args.client_of(args)
    changes = _changes(args)
    if args.dry_run:
        image = client.get_image(args.image_id)
        if args.json:
            print(json.dumps({"image": image.raw, "would_change": changes}, ensure_ascii=False), file=out)
        else:
            shown = ", ".join(
                f"{key}={value!r}" if value is not None else f"remove {key}" for key, value in changes.items()
            )
            print(f"would change image {image.id} {image.name!r}: {shown}", file=out)
        return 0
    image = client.update_image(args.image_id, **changes)
    if args.json:
        print(json.dumps({"image": image.raw}, ensure_ascii=False), file=out)
    else:
        print(f"updated image {image.id} {image.name!r}", file=out)
    return 0


def _run_tag(args: argparse.Namespace, out: TextIO) -> int:
    client: Client = args.client_of(args)
    add: dict[str, Any] = {}
    for pair in args.add:
        key, _, value = pair.partition("=")
        add[key] = value
    if args.dry_run:
        image = client.get_image(args.image_id)
        if args.json:
            print(json.dumps({"image": image.raw, "would_add": add, "would_remove": args.remove}), file=out)
        else:
            print(f"would tag image {image.id} {image.name!r}: add {add} remove {args.remove}", file=out)
        return 0
    client.tag_image(args.image_id, add=add, remove=args.remove)
    if args.json:
        print(json.dumps({"image_id": args.image_id, "added": add, "removed": args.remove}), file=out)
    else:
        print(f"tagged image {args.image_id}", file=out)
    return 0


def add_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    client_of: ClientOf,
) -> None:
    """Adds ``update``, ``tag`` and ``delete`` to ``commands``; ``client_of(args)`` builds the client from the common
    options."""
    update = commands.add_parser(
        "update", help="change an image's attributes (PATCH /v2/cloudimages/{id})", parents=[common]
    )
    update.add_argument("image_id")
    update.add_argument("--name")
    update.add_argument("--description")
    update.add_argument("--min-ram", type=int, metavar="MB")
    update.add_argument("--hw-firmware-type", choices=["bios", "uefi"])
    update.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="any other attribute")
    update.add_argument("--remove", action="append", default=[], metavar="KEY", help="remove an attribute")
    update.add_argument(
        "--dry-run", action="store_true", help="show the image and the changes; change nothing"
    )
    update.set_defaults(run=_run_update, client_of=client_of)
    tag = commands.add_parser("tag", help="add or remove an image's tags", parents=[common])
    tag.add_argument("image_id")
    tag.add_argument("--add", action="append", default=[], metavar="KEY=VALUE", help="add or update a tag")
    tag.add_argument("--remove", action="append", default=[], metavar="KEY", help="remove a tag")
    tag.add_argument("--dry-run", action="store_true", help="show the image and the changes; change nothing")
    tag.set_defaults(run=_run_tag, client_of=client_of)
    delete = commands.add_parser("delete", help="delete images (DELETE /v2/images/{id})", parents=[common])
    delete.add_argument("image_ids", nargs="+", metavar="IMAGE_ID")
    delete.add_argument(
        "--delete-backup", action="store_true", help="also delete the server backup of a whole-server image"
    )
    delete.add_argument("--concurrency", type=_at_least_one, default=8, help="deletes at once (default 8)")
    delete.add_argument("--dry-run", action="store_true", help="show the images that would be deleted")
    delete.set_defaults(run=_run_delete, client_of=client_of)
