"""One benchmark client in a process of its own, hcims or the official SDK, driven over stdin/stdout.

Each library lives in its own process so that the CPU time measured (``time.process_time()``: every
thread of the process) is that library's alone, with nothing of the other one in memory.

    python benchmarks/_worker.py {hcims|official} FAST_ENDPOINT SLOW_ENDPOINT AK SK PROJECT_ID

Then one JSON command per line on stdin (``{"op": "sequential", "n": 1000}``), one JSON answer per
line on stdout.
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from _official import DESCRIPTION, INSTANCE, official_client, official_create, official_prepare


class HcimsClient:
    """hcims the way its README shows it: a Client and the spec dataclass."""

    def __init__(self, fast: str, slow: str, ak: str, sk: str, project_id: str) -> None:
        import hcims

        self._hcims = hcims
        self.fast = hcims.Client("cn-north-4", endpoint=fast, ak=ak, sk=sk, project_id=project_id)
        self.slow = hcims.Client("cn-north-4", endpoint=slow, ak=ak, sk=sk, project_id=project_id)

    def _spec(self, name: str) -> Any:
        return self._hcims.ServerImage(name=name, instance_id=INSTANCE, description=DESCRIPTION)

    def create(self, name: str) -> str:
        return self.fast.create_from_server(self._spec(name))

    def prepare(self, name: str) -> Any:
        return self.fast.prepare(self._spec(name))

    def batch(self, names: list[str], concurrency: int) -> int:
        # Creates alone are measured: no running-jobs limit, so no job is polled.
        outcomes = self.slow.create_many(
            [self._spec(name) for name in names], concurrency=concurrency, max_running_jobs=None
        )
        return sum(isinstance(outcome, str) for outcome in outcomes)


class OfficialClient:
    """huaweicloudsdkims the way its documentation shows it, with one thread per request in flight."""

    def __init__(self, fast: str, slow: str, ak: str, sk: str, project_id: str) -> None:
        self._credentials = (ak, sk, project_id)
        self.fast = official_client(fast, ak, sk, project_id)
        self._slow_endpoint = slow
        self._slow: dict[int, Any] = {}

    def create(self, name: str) -> str:
        return official_create(self.fast, name)

    def prepare(self, name: str) -> Any:
        return official_prepare(self.fast, name)

    def batch(self, names: list[str], concurrency: int) -> int:
        client = self._slow.get(concurrency)
        if client is None:
            client = self._slow[concurrency] = official_client(
                self._slow_endpoint, *self._credentials, pool_size=concurrency
            )

        def create(name: str) -> bool:
            try:
                official_create(client, name)
                return True
            except Exception:
                return False

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            return sum(pool.map(create, names))


def measured(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """``work()``'s result, its wall time and the process's CPU time over it (every thread)."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def handle(client: HcimsClient | OfficialClient, command: dict[str, Any]) -> dict[str, Any]:
    """Runs one measurement and returns its figures."""
    op, n = command["op"], int(command["n"])
    one_by_one = {"sequential": (client.create, "seq"), "prepare": (client.prepare, "prep")}
    if op in one_by_one:
        call, prefix = one_by_one[op]

        def calls() -> None:
            for i in range(n):
                call(f"{prefix}-{i}")

        _, wall, cpu = measured(calls)
        return {"cpu_per_call": cpu / n, "wall_per_call": wall / n, "per_call": wall / n}
    if op == "batch":
        names = [f"batch-{i}" for i in range(n)]
        concurrency = int(command["concurrency"])
        ok, wall, cpu = measured(lambda: client.batch(names, concurrency))
        return {"ok": ok, "wall": wall, "cpu": cpu, "per_second": n / wall}
    return {"error": f"unknown op {op!r}"}


def main() -> None:
    library, fast, slow, ak, sk, project_id = sys.argv[1:7]
    client = (HcimsClient if library == "hcims" else OfficialClient)(fast, slow, ak, sk, project_id)
    client.create("warm-up")  # connections and lazy imports are not what is measured
    print(json.dumps({"ready": library}), flush=True)
    for line in sys.stdin:
        print(json.dumps(handle(client, json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
