"""How many small keep-alive requests per second the IMS emulator answers.

The emulator runs in this process (``hcims.testing.MockIms``, on its own Rust threads); the load comes
from a separate process: ``wrk`` when it is installed, else the load generator example of the
emulator's crate, built with cargo (nothing else to install). Measure an optimised build of hcims
(``pip install .`` or ``maturin develop --release``): a debug build is several times slower.

    python benchmarks/emulator_throughput.py [--seconds 5] [--connections 32] [--generator auto|wrk|rust]

Two loads: job queries (``GET /v1/cloudimages/job/{id}``) and creates (``POST /v2/cloudimages/action``),
both with an IAM token so the figure is the emulator's, not the cost of signing.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Optional

from hcims.testing import MockIms

TOKEN = "benchmark-token"
CREATE_BODY = '{"name": "bench", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}'
REPOSITORY = Path(__file__).resolve().parent.parent


def wrk_requests_per_second(url: str, method: str, body: str, seconds: float, connections: int) -> float:
    """Runs wrk (2 threads) and reads its "Requests/sec" line; non-2xx answers make it fail."""
    script = f"""
wrk.method = "{method}"
wrk.body = '{body}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Auth-Token"] = "{TOKEN}"
done = function(summary, latency, requests)
  io.write(string.format("NON2XX %d\\n", summary.errors.status))
end
"""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "-s", handle.name, url]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    finally:
        Path(handle.name).unlink()
    non_2xx = re.search(r"NON2XX (\d+)", output)
    if non_2xx is None or int(non_2xx.group(1)) != 0:
        raise RuntimeError(f"wrk saw answers other than 2xx:\n{output}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None:
        raise RuntimeError(f"no Requests/sec in wrk's output:\n{output}")
    return float(rate.group(1))


def rust_load_generator() -> Path:
    """Builds (if needed) and locates the emulator crate's load generator."""
    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "-p", "hcims-mock", "--example", "load_generator"],
        cwd=REPOSITORY,
        check=True,
    )
    return REPOSITORY / "target" / "release" / "examples" / "load_generator"


def rust_requests_per_second(
    binary: Path, url: str, method: str, body: str, seconds: float, connections: int
) -> float:
    command = [str(binary), url, "--method", method, "--body", body, "--header", f"X-Auth-Token: {TOKEN}",
               "--connections", str(connections), "--seconds", str(seconds)]  # fmt: skip
    result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    if result["non_2xx"] or result["errors"]:
        raise RuntimeError(f"the load generator saw failures: {result}")
    rate: float = result["requests_per_second"]
    return rate


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--generator", choices=["auto", "wrk", "rust"], default="auto")
    args = parser.parse_args(argv)
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "rust"
    binary = rust_load_generator() if generator == "rust" else None

    # Nothing recorded and few jobs kept: a long run must not grow the emulator's memory.
    with MockIms(auth_token=TOKEN, record_requests=False, max_jobs=10_000, job_polls=1_000_000_000) as ims:
        job_id = _first_job(ims)
        loads = {
            "job queries": ("GET", f"{ims.endpoint}/v1/cloudimages/job/{job_id}", ""),
            "creates": ("POST", f"{ims.endpoint}/v2/cloudimages/action", CREATE_BODY),
        }
        print(
            f"load generator: {generator}, {args.connections} keep-alive connections, {args.seconds:g} s each"
        )
        for label, (method, url, body) in loads.items():
            if binary is None:
                rate = wrk_requests_per_second(url, method, body, args.seconds, args.connections)
            else:
                rate = rust_requests_per_second(binary, url, method, body, args.seconds, args.connections)
            print(f"  {label:<12} {rate:>10,.0f} requests/s")
    return 0


def _first_job(ims: MockIms) -> str:
    request = urllib.request.Request(
        f"{ims.endpoint}/v2/cloudimages/action",
        data=CREATE_BODY.encode(),
        headers={"Content-Type": "application/json", "X-Auth-Token": TOKEN},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        job_id: str = json.load(response)["job_id"]
    return job_id


if __name__ == "__main__":
    sys.exit(main())
