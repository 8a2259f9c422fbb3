"""hcims against Huawei's official Python SDK (huaweicloudsdkims), side by side in one run.

    maturin develop --release   # or pip install .: a debug build measures the wrong thing
    python benchmarks/compare_official_sdk.py [--rounds 5] [--json results.json]

Both talk to the same IMS emulator, which runs in processes of its own (``hcims mock``, one fast and
one that holds every answer 20 ms), and each library runs in a worker process of its own, so the
CPU time measured is the client's alone. Measurements alternate between the two libraries (and which
goes first), round after round; each figure is the median over the rounds, and each ratio is the
median of the rounds' ratios.

1. client CPU per create over 1,000 sequential calls;
2. throughput of 2,000 creates against 20 ms of server latency: the official SDK with 64 threads,
   ``create_many(concurrency=64)`` for hcims, and hcims as a fraction of the latency bound
   (64 requests in flight / 20 ms = 3,200 creates/s);
3. cold import time (``import hcims`` against ``import huaweicloudsdkims.v2``), in fresh processes;
4. time to validate, serialise and sign one create request (nothing sent);
5. peak RSS of a fresh process making 10,000 images with ``create_many``, against the RSS of a fresh
   process that only imported the official SDK.

And, for scale, the ceiling of (2) on this machine: a minimal load generator (``wrk``, else the emulator
crate's own in Rust) with 64 keep-alive connections against the same 20 ms emulator, token-authenticated
so that nobody signs or checks a signature. No client does better; the ratio it gives against the
official SDK is the most any client could show here.

This is a measurement, not a test: nothing here passes or fails a build.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
AK = "MOCKAKEXAMPLE0000000"
SK = "MockSecretKeyExample0000000000000000000000"
PROJECT_ID = "0123456789abcdef0123456789abcdef"
LATENCY_MS = 20.0
SEQUENTIAL_CALLS = 1000
BATCH_CREATES = 2000
BATCH_CONCURRENCY = 64
PREPARE_CALLS = 2000
RSS_SPECS = 10_000
STARTUP_TIMEOUT = 60.0
CEILING_SECONDS = 3.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def cpu_seconds_of(pid: int) -> Optional[float]:
    """User + system CPU time of process ``pid`` so far (Linux), to see how busy the emulator was."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class LineProcess:
    """A child process whose stdout is read line by line on a thread (so a read can time out)."""

    def __init__(self, command: Sequence[str], **popen: Any) -> None:
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, **popen
        )
        self._lines: queue.Queue[Optional[str]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def line(self, timeout: float) -> str:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"{self.process.args!r} printed nothing for {timeout} s") from None
        if line is None:
            raise RuntimeError(f"{self.process.args!r} ended (exit code {self.process.wait()})")
        return line

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@contextmanager
def emulator(latency_ms: float) -> Iterator[tuple[str, int]]:
    """``hcims mock`` in a process of its own: its endpoint and pid."""
    port = free_port()
    command = [sys.executable, "-m", "hcims", "mock", "--port", str(port), "--ak", AK, "--sk", SK,
               "--project-id", PROJECT_ID, "--latency-ms", str(latency_ms)]  # fmt: skip
    server = LineProcess(command, stderr=subprocess.DEVNULL)
    try:
        while "Ctrl-C stops it." not in server.line(STARTUP_TIMEOUT):
            pass
        yield f"http://127.0.0.1:{port}", server.process.pid
    finally:
        server.stop()


class Worker:
    """A `_worker.py` process for one library."""

    def __init__(self, library: str, fast: str, slow: str) -> None:
        self.library = library
        command = [sys.executable, str(HERE / "_worker.py"), library, fast, slow, AK, SK, PROJECT_ID]
        self._process = LineProcess(command, cwd=HERE)
        ready = json.loads(self._process.line(STARTUP_TIMEOUT))
        assert ready == {"ready": library}, ready

    def run(self, op: str, n: int, **extra: Any) -> dict[str, Any]:
        stdin = self._process.process.stdin
        assert stdin is not None
        stdin.write(json.dumps({"op": op, "n": n, **extra}) + "\n")
        stdin.flush()
        answer: dict[str, Any] = json.loads(self._process.line(600.0))
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer

    def stop(self) -> None:
        self._process.stop()


@dataclass
class Rounds:
    """Per-round figures of both libraries for one measurement."""

    hcims: list[float] = field(default_factory=list)
    official: list[float] = field(default_factory=list)
    extra: dict[str, list[float]] = field(default_factory=dict)

    def note(self, name: str, value: Optional[float]) -> None:
        if value is not None:
            self.extra.setdefault(name, []).append(value)

    def median(self, side: str) -> float:
        return statistics.median(getattr(self, side))

    def median_ratio(self, higher_is_better: bool) -> float:
        """The median over the rounds of how many times better hcims did."""
        pairs = zip(self.hcims, self.official)
        return statistics.median(h / o if higher_is_better else o / h for h, o in pairs)


def alternating(rounds: int, measure: Callable[[str], float], into: Rounds) -> Rounds:
    """``measure(library)`` for both libraries, ``rounds`` times, the first to go switching each round."""
    for index in range(rounds):
        order = ("hcims", "official") if index % 2 == 0 else ("official", "hcims")
        for library in order:
            getattr(into, library).append(measure(library))
    return into


IMPORT_SCRIPT = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"

RSS_HCIMS = textwrap.dedent(
    """
    import resource, sys
    import hcims
    client = hcims.Client(endpoint=sys.argv[1], region="cn-north-4", ak=sys.argv[2], sk=sys.argv[3],
                          project_id=sys.argv[4])
    specs = [hcims.ServerImage(name=f"rss-{i}", instance_id="877a2cda-ba63-4e1e-b95f-e67e48b6129a")
             for i in range(int(sys.argv[5]))]
    outcomes = client.create_many(specs, concurrency=32, max_running_jobs=None)  # creates alone
    assert all(isinstance(outcome, str) for outcome in outcomes), [o for o in outcomes if not isinstance(o, str)][:3]
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    """
)
RSS_OFFICIAL = (
    "import resource; import huaweicloudsdkims.v2; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)


def peak_rss_mb(script: str, *args: str) -> float:
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True)
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return int(done.stdout.split()[-1]) / scale


def import_seconds(module: str) -> float:
    script = IMPORT_SCRIPT.format(module=module)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return float(done.stdout.split()[-1])


def ceiling(rounds: int) -> Optional[dict[str, Any]]:
    """Creates/s of a minimal load generator against the emulator at the batch's latency and concurrency
    (median of a few runs), or None when neither wrk nor cargo is at hand."""
    from emulator_throughput import (
        CREATE_BODY,
        TOKEN,
        rust_load_generator,
        rust_requests_per_second,
        wrk_requests_per_second,
    )

    from hcims.testing import MockIms

    if shutil.which("wrk"):
        generator, binary = "wrk", None
    elif shutil.which("cargo"):
        generator, binary = "the emulator crate's load generator", rust_load_generator()
    else:
        return None
    options: dict[str, Any] = {"auth_token": TOKEN, "record_requests": False, "max_jobs": 10_000}
    with MockIms(response_delay=LATENCY_MS / 1000.0, **options) as ims:
        url = f"{ims.endpoint}/v2/cloudimages/action"
        rates = []
        for _ in range(max(3, rounds // 3)):
            if binary is None:
                rate = wrk_requests_per_second(url, "POST", CREATE_BODY, CEILING_SECONDS, BATCH_CONCURRENCY)
            else:
                rate = rust_requests_per_second(
                    binary, url, "POST", CREATE_BODY, CEILING_SECONDS, BATCH_CONCURRENCY
                )
            rates.append(rate)
    return {"generator": generator, "per_second": statistics.median(rates), "rounds": rates}


def ceiling_line(results: dict[str, Any]) -> str:
    found = results.get("ceiling")
    if found is None:
        return "ceiling of the batch measure: not measured (neither wrk nor cargo found)"
    rate = found["per_second"]
    sdk = results["batch"].median("official")
    hcims_rate = results["batch"].median("hcims")
    return (
        f"ceiling of the batch measure: {found['generator']}, {BATCH_CONCURRENCY} keep-alive connections, "
        f"no signing, gets {rate:,.0f} creates/s from the same emulator ({LATENCY_MS:.0f} ms): hcims makes "
        f"{hcims_rate / rate:.0%} of that, and the ceiling is {rate / sdk:.1f}x the official SDK's median; "
        f"5x the SDK fits under it only while the SDK makes fewer than {rate / 5:,.0f} creates/s"
    )


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores {model}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def run(rounds: int) -> dict[str, Any]:
    import huaweicloudsdkims  # type: ignore[import-untyped]

    import hcims

    results: dict[str, Any] = {"machine": machine(), "rounds": rounds, "hcims": hcims.__version__}
    results["official_sdk"] = getattr(huaweicloudsdkims, "__version__", "3.1.219")
    with ExitStack() as stack:
        fast, fast_pid = stack.enter_context(emulator(0.0))
        slow, slow_pid = stack.enter_context(emulator(LATENCY_MS))
        workers = {library: Worker(library, fast, slow) for library in ("hcims", "official")}
        for worker in workers.values():
            stack.callback(worker.stop)

        # 1. Client CPU per sequential create.
        sequential = Rounds()

        def one_sequential(library: str) -> float:
            before = cpu_seconds_of(fast_pid)
            answer = workers[library].run("sequential", SEQUENTIAL_CALLS)
            after = cpu_seconds_of(fast_pid)
            if before is not None and after is not None:
                sequential.note(f"server_cpu_per_call_{library}", (after - before) / SEQUENTIAL_CALLS)
            sequential.note(f"wall_per_call_{library}", answer["wall_per_call"])
            return float(answer["cpu_per_call"])

        alternating(rounds, one_sequential, sequential)
        results["sequential"] = sequential

        # 2. Throughput against 20 ms of latency, 64 in flight.
        for worker in workers.values():  # opens the 64 connections of each
            worker.run("batch", BATCH_CONCURRENCY * 2, concurrency=BATCH_CONCURRENCY)
        batch = Rounds()

        def one_batch(library: str) -> float:
            before = cpu_seconds_of(slow_pid)
            answer = workers[library].run("batch", BATCH_CREATES, concurrency=BATCH_CONCURRENCY)
            after = cpu_seconds_of(slow_pid)
            if answer["ok"] != BATCH_CREATES:
                raise RuntimeError(f"{library}: only {answer['ok']} of {BATCH_CREATES} creates succeeded")
            if before is not None and after is not None:
                batch.note(f"server_busy_{library}", (after - before) / answer["wall"])
            batch.note(f"client_cpu_per_create_{library}", answer["cpu"] / BATCH_CREATES)
            return float(answer["per_second"])

        alternating(rounds, one_batch, batch)
        results["batch"] = batch

        # 4. Validate, serialise and sign one request.
        prepare = alternating(
            rounds,
            lambda library: float(workers[library].run("prepare", PREPARE_CALLS)["per_call"]),
            Rounds(),
        )
        results["prepare"] = prepare

        # 5. Peak RSS: 10,000 creates against the official SDK's import alone.
        rss = alternating(
            max(3, rounds // 2),
            lambda library: (
                peak_rss_mb(RSS_HCIMS, fast, AK, SK, PROJECT_ID, str(RSS_SPECS))
                if library == "hcims"
                else peak_rss_mb(RSS_OFFICIAL)
            ),
            Rounds(),
        )
        results["rss"] = rss

    # The ceiling of (2), with the workers gone.
    results["ceiling"] = ceiling(rounds)

    # 3. Cold imports, in fresh processes, with nothing else running.
    imports = alternating(
        rounds * 3,
        lambda library: import_seconds("hcims" if library == "hcims" else "huaweicloudsdkims.v2"),
        Rounds(),
    )
    results["import"] = imports
    return results


def summary(results: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """Rows of (measure, hcims, official SDK, ratio, target)."""
    seq: Rounds = results["sequential"]
    batch: Rounds = results["batch"]
    imports: Rounds = results["import"]
    prepare: Rounds = results["prepare"]
    rss: Rounds = results["rss"]
    bound = BATCH_CONCURRENCY / (LATENCY_MS / 1000.0)
    hcims_rate = batch.median("hcims")
    return [
        (
            f"client CPU per create ({SEQUENTIAL_CALLS:,} sequential calls)",
            f"{seq.median('hcims') * 1e6:.0f} µs",
            f"{seq.median('official') * 1e6:.0f} µs",
            f"{seq.median_ratio(higher_is_better=False):.1f}x less",
            "20x less",
        ),
        (
            f"creates/s, {BATCH_CREATES:,} creates, {LATENCY_MS:.0f} ms latency, {BATCH_CONCURRENCY} in flight",
            f"{hcims_rate:,.0f}/s ({hcims_rate / bound:.0%} of the {bound:,.0f}/s bound)",
            f"{batch.median('official'):,.0f}/s",
            f"{batch.median_ratio(higher_is_better=True):.1f}x more",
            "5x more, 90% of bound",
        ),
        (
            "cold import",
            f"{imports.median('hcims') * 1e3:.1f} ms",
            f"{imports.median('official') * 1e3:.0f} ms",
            f"{imports.median_ratio(higher_is_better=False):.1f}x faster",
            "10x faster",
        ),
        (
            "validate + serialise + sign one create",
            f"{prepare.median('hcims') * 1e6:.1f} µs",
            f"{prepare.median('official') * 1e6:.0f} µs",
            f"{prepare.median_ratio(higher_is_better=False):.1f}x faster",
            "10x faster",
        ),
        (
            f"peak RSS: {RSS_SPECS:,}-spec create_many vs importing the SDK",
            f"{rss.median('hcims'):.1f} MB",
            f"{rss.median('official'):.1f} MB",
            f"{1 / rss.median_ratio(higher_is_better=False):.0%} of it",
            "below the SDK's import",
        ),
    ]


def details(results: dict[str, Any]) -> list[str]:
    seq: Rounds = results["sequential"]
    batch: Rounds = results["batch"]
    lines = []
    for name, values in {**seq.extra, **batch.extra}.items():
        if name.startswith("server_busy"):
            lines.append(f"  {name}: {statistics.median(values):.0%} of one core")
        else:
            lines.append(f"  {name}: {statistics.median(values) * 1e6:.0f} µs")
    return lines


def markdown(rows: list[tuple[str, str, str, str, str]]) -> str:
    header = "| measure | hcims | official SDK | hcims vs SDK | target |\n|---|---|---|---|---|\n"
    return header + "\n".join("| " + " | ".join(row) + " |" for row in rows)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per measure (default 5)")
    parser.add_argument("--json", type=Path, help="also write every round's figures to this file")
    args = parser.parse_args(argv)
    started = time.monotonic()
    results = run(args.rounds)
    rows = summary(results)
    print(f"{results['machine']}; hcims {results['hcims']}, huaweicloudsdkims {results['official_sdk']}")
    print(f"medians of {args.rounds} alternating rounds ({time.monotonic() - started:.0f} s)\n")
    print(markdown(rows))
    print("\n" + ceiling_line(results))
    print("\nemulator and client details (medians):")
    print("\n".join(details(results)))
    if args.json is not None:
        plain = {k: (v.__dict__ if isinstance(v, Rounds) else v) for k, v in results.items()}
        args.json.write_text(json.dumps(plain, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
