"""Every ```python example of the docs site (docs/**/*.md) runs against the emulator.

Each example runs on its own, with the names the guides take as given (``hcims``, ``client``, ``spec``, ``specs``,
``job_id``, ``ids``, ``ims``, ...) bound to an emulator's objects, and with the environment pointing
``hcims.Client(region=...)`` at the same emulator. The placeholders that stand for the reader's credentials
(``ak="..."``, ``sk="..."``, ``project_id="..."``) get the emulator's.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import hcims
from hcims.testing import MockIms

DOCS = Path(__file__).parent.parent / "docs"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
INSTANCE_ID = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
PLACEHOLDER = re.compile(r'\b(ak|sk|project_id)="\.\.\."')


def examples() -> list[tuple[str, int, str]]:
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        for number, code in enumerate(PYTHON_BLOCK.findall(page.read_text(encoding="utf-8")), start=1):
            found.append((page.relative_to(DOCS).as_posix(), number, code))
    return found


EXAMPLES = examples()


def test_the_guides_have_examples() -> None:
    pages = {page for page, _, _ in EXAMPLES}
    assert {"index.md", "quickstart.md", "waiting.md", "many-images.md", "testing.md"} <= pages, pages


@pytest.fixture
def emulator(clean_env: pytest.MonkeyPatch) -> Iterator[MockIms]:
    with MockIms(job_polls=0) as ims:
        args = ims.client_args()
        clean_env.setenv("HCIMS_ENDPOINT", ims.endpoint)
        clean_env.setenv("HCIMS_REGION", args["region"])
        clean_env.setenv("HUAWEICLOUD_SDK_AK", args["ak"])
        clean_env.setenv("HUAWEICLOUD_SDK_SK", args["sk"])
        clean_env.setenv("HUAWEICLOUD_SDK_PROJECT_ID", args["project_id"])
        yield ims


@pytest.fixture
def hcims_log_level() -> Iterator[None]:
    """An example may set the hcims logger's level; the tests after it get the level back."""
    logger = logging.getLogger("hcims")
    level = logger.level
    yield
    logger.setLevel(level)


def names_the_guides_assume(ims: MockIms) -> dict[str, Any]:
    client = hcims.Client(**ims.client_args())
    spec = hcims.ServerImage(name="docs-web", instance_id=INSTANCE_ID)
    specs = [hcims.ServerImage(name=f"docs-{n}", instance_id=INSTANCE_ID) for n in range(3)]
    ids = [client.create_from_server(s) for s in specs]
    return {
        "hcims": hcims,
        "client": client,
        "ims": ims,
        "spec": spec,
        "specs": specs,
        "job_id": client.create_from_server(spec),
        "ids": ids,
        "id1": ids[0],
        "id2": ids[1],
        "id3": ids[2],
    }


@pytest.mark.timeout(300)  # a few examples wait for several jobs, each first polled after about a second
@pytest.mark.usefixtures("hcims_log_level")
@pytest.mark.parametrize(("page", "number", "code"), EXAMPLES, ids=[f"{p}#{n}" for p, n, _ in EXAMPLES])
def test_the_example_runs(emulator: MockIms, page: str, number: int, code: str) -> None:
    namespace = names_the_guides_assume(emulator)
    credentials = {key: str(value) for key, value in emulator.client_args().items()}
    code = PLACEHOLDER.sub(lambda found: f'{found[1]}="{credentials[found[1]]}"', code)
    compiled = compile(code, f"docs/{page} example {number}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    outcome = eval(compiled, namespace)  # an example with a top-level `await` gives a coroutine
    if inspect.iscoroutine(outcome):
        asyncio.run(outcome)
