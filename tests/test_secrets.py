"""Secrets stay secret: every public operation runs with DEBUG logging on, and everything a user could
see (log records, stdout/stderr of this process, reprs, exception messages, formatted tracebacks,
the CLI's output) is searched for the secret key, the security token, the IAM token and every
Authorization value the emulator received."""

from __future__ import annotations

import asyncio
import io
import logging
import traceback
from collections.abc import Iterator
from typing import Any, Callable

import pytest
from mock_http import INSTANCE_ID

import hcims
from hcims.cli import main as cli_main
from hcims.testing import MockIms

SK = "SecretKeyThatMustNeverBeSeen0123456789abcd"
SECURITY_TOKEN = "SecurityTokenThatMustNeverBeSeen-0123456789"
IAM_TOKEN = "IamTokenThatMustNeverBeSeen-MIIZ0123456789"
SPEC = {"name": "web", "instance_id": INSTANCE_ID}


class Seen:
    """Everything shown to the user during the test."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def add(self, value: Any) -> None:
        self.texts.append(value if isinstance(value, str) else repr(value))

    def outcome(self, call: Callable[[], Any]) -> Any:
        """Runs `call`; records the result's repr and str, or the exception's message, repr and traceback."""
        try:
            result = call()
        except Exception as error:
            self.add(str(error))
            self.add(repr(error))
            self.add("".join(traceback.format_exception(type(error), error, error.__traceback__)))
            for name in ("body", "message", "job", "last_job"):
                self.add(getattr(error, name, None))
            return error
        self.add(result)
        self.add(str(result))
        return result


@pytest.fixture
def debug_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    root = logging.getLogger()
    previous = root.level
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="hcims")
    root.setLevel(logging.DEBUG)
    try:
        yield caplog
    finally:
        root.setLevel(previous)


def authorization_values(ims: MockIms) -> set[str]:
    values: set[str] = set()
    for request in ims.requests:
        for name in ("authorization", "x-auth-token", "x-security-token"):
            value = request.header(name)
            if value:
                values.add(value)
                if "Signature=" in value:
                    values.add(value.split("Signature=", 1)[1])
    return values


def exercise(client: hcims.Client, ims: MockIms, seen: Seen) -> None:
    seen.add(client)
    job_id = seen.outcome(lambda: client.create_image(SPEC))
    seen.outcome(lambda: client.create_from_server(hcims.ServerImage(name="typed", instance_id=INSTANCE_ID)))
    seen.outcome(lambda: client.get_job(job_id))
    seen.outcome(lambda: client.wait_for_job(job_id, timeout=30, poll_interval=0.01, on_progress=seen.add))
    seen.outcome(
        lambda: client.wait_for_jobs([job_id], timeout=30, poll_interval=0.01, raise_on_failure=False)
    )
    prepared = seen.outcome(lambda: client.prepare(SPEC))
    seen.add(prepared.headers)
    seen.add(prepared.to_curl())
    # Errors of every kind: validation, API (with the emulator's body), transport, job failure.
    seen.outcome(lambda: client.create_image({"name": "", "instance_id": "nope"}))
    ims.add_fault("/v2/cloudimages/action", status=500, body={"error": {"code": "IMG.0002", "message": "x"}})
    seen.outcome(lambda: client.create_image(SPEC))
    ims.add_fault("/v2/cloudimages/action", action="drop_after_body")
    seen.outcome(lambda: client.create_image(SPEC))
    failing = seen.outcome(lambda: client.create_image(dict(SPEC, name="will-fail")))
    ims.fail_job(failing)
    seen.outcome(lambda: client.wait_for_job(failing, timeout=30, poll_interval=0.01))
    seen.outcome(lambda: client.wait_for_job(job_id, timeout=0.001, poll_interval=0.01))
    seen.outcome(lambda: client.get_job("ff80808280c204e30180d2784c3c0d86"))

    async def run_async() -> None:
        async with hcims.AsyncClient(
            endpoint=client.endpoint,
            region=client.region,
            project_id=client.project_id,
            **credentials_of(ims),
        ) as ac:
            seen.add(ac)
            async_job = await ac.create_image(SPEC)
            seen.add(await ac.wait_for_job(async_job, timeout=30, poll_interval=0.01))
            seen.add(await ac.prepare(SPEC))
            try:
                await ac.get_job("ff80808280c204e30180d2784c3c0d86")
            except hcims.HcimsError as error:
                seen.add(str(error))
                seen.add("".join(traceback.format_exception(type(error), error, error.__traceback__)))

    asyncio.run(run_async())


def credentials_of(ims: MockIms) -> dict[str, Any]:
    if ims.auth_token is not None:
        return {"auth_token": ims.auth_token}
    args: dict[str, Any] = {"ak": ims.ak, "sk": ims.sk}
    if ims.security_token is not None:
        args["security_token"] = ims.security_token
    return args


def assert_nothing_leaked(seen: Seen, captured: str, ims: MockIms, secrets: list[str]) -> None:
    everything = "\n".join([*seen.texts, captured])
    leaked = [s for s in [*secrets, *authorization_values(ims)] if s and s in everything]
    assert leaked == [], f"{len(leaked)} secret value(s) appeared in the output"
    assert len(everything) > 1000  # the operations did produce output to search


@pytest.mark.parametrize("auth", ["temporary-aksk", "token"])
def test_no_operation_shows_a_secret(
    auth: str,
    debug_logging: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    options: dict[str, Any] = (
        {"sk": SK, "security_token": SECURITY_TOKEN}
        if auth == "temporary-aksk"
        else {"auth_token": IAM_TOKEN}
    )
    seen = Seen()
    with MockIms(job_polls=1, **options) as ims:
        seen.add(ims)
        seen.add(ims.requests[:0])
        client = hcims.Client(
            endpoint=ims.endpoint, region=ims.region, project_id=ims.project_id, **credentials_of(ims)
        )
        assert client.auth_kind == auth
        exercise(client, ims, seen)
        seen.add(ims.requests)

        # The module-level functions and the CLI read the credentials from the environment.
        monkeypatch.setenv("HCIMS_ENDPOINT", ims.endpoint)
        monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", ims.project_id)
        if auth == "temporary-aksk":
            monkeypatch.setenv("HUAWEICLOUD_SDK_AK", ims.ak)
            monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SK)
            monkeypatch.setenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", SECURITY_TOKEN)
            seen.outcome(lambda: hcims.create_image(SPEC))
            for extra in ([], ["--curl"], ["--json"]):
                out, err = io.StringIO(), io.StringIO()
                argv = [
                    "create",
                    "server",
                    "--name",
                    "cli",
                    "--instance-id",
                    INSTANCE_ID,
                    "--dry-run",
                    *extra,
                ]
                assert cli_main(argv, out=out, err=err) == 0
                seen.add(out.getvalue() + err.getvalue())
            out, err = io.StringIO(), io.StringIO()
            cli_main(["job", "ff80808280c204e30180d2784c3c0d86"], out=out, err=err)
            seen.add(out.getvalue() + err.getvalue())
        stdout, stderr = capfd.readouterr()
        logs = "\n".join(
            [record.getMessage() for record in debug_logging.records] + [debug_logging.text, stdout, stderr]
        )
        assert_nothing_leaked(seen, logs, ims, [SK, SECURITY_TOKEN, IAM_TOKEN])
