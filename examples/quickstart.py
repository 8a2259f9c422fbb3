"""Make an image of each kind and wait for them: against your account, or the built-in emulator.

    python examples/quickstart.py --emulator          # no account needed
    python examples/quickstart.py --instance-id ID    # a real ECS: credentials from HUAWEICLOUD_SDK_* or the profile

Type-checked with ``mypy --strict`` and ``pyright`` by the test suite, so it shows the typed API as it is.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack

import hcims
from hcims.testing import MockIms


def make_images(client: hcims.Client, instance_id: str) -> list[hcims.Job]:
    specs: list[hcims.ImageSpecLike] = [
        hcims.ServerImage(name="quickstart-system", instance_id=instance_id, tags=["made-by.hcims"]),
        hcims.ServerDataImages(
            data_images=[
                hcims.DataImage(name="quickstart-data", volume_id="c5dfbd0c-bf0a-4798-a453-61dc6b54aa30")
            ]
        ),
        {
            "name": "quickstart-obs",
            "image_url": "ims-image:centos70.qcow2",
            "min_disk": 40,
            "os_version": "CentOS 7.0 64bit",
        },
        hcims.VolumeImage(
            name="quickstart-volume",
            volume_id="877a2cda-ba63-4e1e-b95f-e67e48b6129a",
            os_version="CentOS 7.0 64bit",
        ),
    ]
    job_ids = [client.create_image(spec) for spec in specs]
    outcomes = client.wait_for_jobs(job_ids, raise_on_failure=False, progress=True)
    jobs: list[hcims.Job] = []
    for job_id, outcome in zip(job_ids, outcomes):
        if isinstance(outcome, hcims.Job):
            jobs.append(outcome)
        else:
            print(f"job {job_id}: {outcome}", file=sys.stderr)
    return jobs


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--emulator", action="store_true", help="run against the built-in IMS emulator")
    parser.add_argument("--instance-id", default="877a2cda-ba63-4e1e-b95f-e67e48b6129a")
    parser.add_argument("--region", default=None)
    args = parser.parse_args()
    with ExitStack() as stack:
        if args.emulator:
            ims = stack.enter_context(MockIms(job_polls=2))
            client = hcims.Client(**ims.client_args())
        else:
            client = hcims.Client(region=args.region)
        try:
            jobs = make_images(client, args.instance_id)
        except hcims.ValidationError as e:
            for path, message in e.errors:
                print(f"{path}: {message}", file=sys.stderr)
            return 2
        except hcims.HcimsError as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
    for job in jobs:
        print(f"{job.status:<8} {job.job_type or '':<32} {', '.join(job.image_ids)}")
    return 0 if all(job.ok for job in jobs) else 1


if __name__ == "__main__":
    sys.exit(main())
