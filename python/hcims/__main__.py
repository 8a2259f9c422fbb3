"""The ``hcims`` command (also ``python -m hcims``)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Optional


def _demo(_: argparse.Namespace) -> int:
    from .demo import run

    return run()


def _mock(args: argparse.Namespace) -> int:
    from .testing import MockIms

    options = {"port": args.port, "job_seconds": args.job_seconds}
    for name in ("ak", "sk", "project_id"):
        if getattr(args, name):
            options[name] = getattr(args, name)
    with MockIms(**options) as ims:
        args_text = ", ".join(f"{k}={v!r}" for k, v in ims.client_args().items())
        print(f"IMS emulator serving at {ims.endpoint}", flush=True)
        print(
            f"  export HCIMS_ENDPOINT={ims.endpoint} HUAWEICLOUD_SDK_AK={ims.ak} "
            f"HUAWEICLOUD_SDK_SK={ims.sk} HUAWEICLOUD_SDK_PROJECT_ID={ims.project_id}",
            flush=True,
        )
        print(f"  hcims.Client({args_text})", flush=True)
        print("Ctrl-C stops it.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("stopped", flush=True)
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
