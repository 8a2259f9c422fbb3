"""The ``hcims`` command (also ``python -m hcims``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Optional


def _demo(_: argparse.Namespace) -> int:
    from .demo import run

    return run()


def _mock(args: argparse.Namespace) -> int:
    from .testing import serve

    serve(port=args.port, ak=args.ak, sk=args.sk, project_id=args.project_id, job_seconds=args.job_seconds)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="hcims", description="Make private images on Huawei Cloud IMS.")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="make images in all four ways against the built-in emulator")
    demo.set_defaults(run=_demo)
    mock = commands.add_parser("mock", help="serve the IMS emulator until interrupted")
    mock.add_argument("--port", type=int, default=8080)
    mock.add_argument("--ak")
    mock.add_argument("--sk")
    mock.add_argument("--project-id", dest="project_id")
    mock.add_argument(
        "--job-seconds", type=float, default=None, help="how long each job runs (default: by polls)"
    )
    mock.set_defaults(run=_mock)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
