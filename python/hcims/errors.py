"""The exceptions hcims raises. Every one subclasses :class:`HcimsError`."""

from __future__ import annotations

from typing import Any, Optional

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigError",
    "DuplicateImagesError",
    "HcimsError",
    "ImagesNotReadyError",
    "InsecureTlsWarning",
    "JobFailedError",
    "JobTimeoutError",
    "NotFoundError",
    "OsVersionWarning",
    "PermissionDeniedError",
    "RuleWarning",
    "ServerError",
    "ThrottledError",
    "TransportError",
    "UnusableImagesError",
    "ValidationError",
]

#: Added to the message of an error after which IMS may have acted on the request.
_MAYBE_SENT_NOTE = (
    "; IMS may still have acted on this request, so the image may still be made: "
    "check (wait_for_job, the image list) before creating it again"
)


class HcimsError(Exception):
    """Base class of every error hcims raises."""


class ValidationError(HcimsError, ValueError):
    """A spec breaks one or more rules of the IMS API; nothing was sent.

    ``errors`` lists every violation as ``(field_path, message)``, e.g.
    ``("data_images[2].min_disk", "must be between 1 and 2048 (GB), got 4096")``.
    """

    def __init__(self, errors: list[tuple[str, str]], hint: str = "") -> None:
        self.errors: list[tuple[str, str]] = [(str(p), str(m)) for p, m in errors]
        #: How to send the spec anyway, when only value rules refused it (else "").
        self.hint = hint
        lines = "\n".join(f"  {path}: {message}" for path, message in self.errors)
        count = len(self.errors)
        message = f"{count} validation error{'s' if count != 1 else ''}; nothing was sent\n{lines}"
        super().__init__(f"{message}\n{hint}" if hint else message)

    def __reduce__(self) -> Any:
        return (type(self), (self.errors, self.hint))


class ConfigError(HcimsError):
    """Credentials, region or endpoint are missing or wrong."""


class ApiError(HcimsError):
    """IMS or its API gateway answered with an HTTP status of 400 or more."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: Optional[str] = None,
        request_id: Optional[str] = None,
        body: Optional[str] = None,
        maybe_sent: bool = False,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.body = body
        #: True when IMS may have acted on the request (a create after a 5xx): the image may still be made.
        self.maybe_sent = maybe_sent
        parts = [f"HTTP {status}"]
        if code:
            parts.append(code)
        text = f"{' '.join(parts)}: {message}"
        if request_id:
            text += f" (request id {request_id})"
        if maybe_sent:
            text += _MAYBE_SENT_NOTE
        super().__init__(text)

    def __reduce__(self) -> Any:
        kwargs = {
            "status": self.status,
            "code": self.code,
            "request_id": self.request_id,
            "body": self.body,
            "maybe_sent": self.maybe_sent,
        }
        return (_rebuild_api_error, (type(self), self.message, kwargs))


def _rebuild_api_error(cls: type[ApiError], message: str, kwargs: dict[str, Any]) -> ApiError:
    return cls(message, **kwargs)


class BadRequestError(ApiError):
    """HTTP 400: IMS refused the request (an ``IMG.xxxx`` code says why)."""


class AuthenticationError(ApiError):
    """HTTP 401: the signature, the access key or the token was not accepted."""


class PermissionDeniedError(ApiError):
    """HTTP 403: the credentials are valid but not allowed to do this."""


class NotFoundError(ApiError):
    """HTTP 404: no such job, resource or API path."""


class ThrottledError(ApiError):
    """HTTP 429: the API gateway's rate limit was reached."""


class ServerError(ApiError):
    """HTTP 500 or more: IMS or the gateway failed."""


class TransportError(HcimsError):
    """The request did not complete: connect failure, TLS error, timeout or a broken response."""

    def __init__(self, message: str, *, retryable: bool = False, maybe_sent: bool = False) -> None:
        self.message = message
        #: True when trying again cannot make a duplicate (nothing reached IMS).
        self.retryable = retryable
        #: True when the request may have reached IMS and been acted on.
        self.maybe_sent = maybe_sent
        text = message
        if maybe_sent:
            text += _MAYBE_SENT_NOTE
        super().__init__(text)

    def __reduce__(self) -> Any:
        return (_rebuild_transport_error, (type(self), self.message, self.retryable, self.maybe_sent))


def _rebuild_transport_error(
    cls: type[TransportError], message: str, retryable: bool, maybe_sent: bool
) -> TransportError:
    return cls(message, retryable=retryable, maybe_sent=maybe_sent)


class JobFailedError(HcimsError):
    """The job ended in FAIL; ``job`` is the final :class:`hcims.Job`."""

    def __init__(self, job: Any) -> None:
        self.job = job
        reason = job.fail_reason or "no reason given"
        code = f" {job.error_code}" if job.error_code else ""
        super().__init__(f"job {job.id} failed{code}: {reason}")

    def __reduce__(self) -> Any:
        return (type(self), (self.job,))


class JobTimeoutError(HcimsError, TimeoutError):
    """``wait_for_job`` ran out of time; the job may still finish later."""

    def __init__(self, job_id: str, timeout: float, last_job: Any = None) -> None:
        self.job_id = job_id
        self.timeout = timeout
        self.last_job = last_job
        status = f" (last status {last_job.status})" if last_job is not None else ""
        super().__init__(f"job {job_id} did not finish within {timeout:g} s{status}")

    def __reduce__(self) -> Any:
        return (type(self), (self.job_id, self.timeout, self.last_job))


class _KeyConflictError(HcimsError):
    """``ensure_image`` found images carrying its ``key`` that it may not adopt: ``image_ids``,
    oldest first. Nothing was created."""

    def __init__(self, message: str, key: str, image_ids: list[str]) -> None:
        self.key = key
        self.image_ids = list(image_ids)
        super().__init__(message)

    def __reduce__(self) -> Any:
        return (type(self), (str(self), self.key, self.image_ids))


class DuplicateImagesError(_KeyConflictError):
    """More images carry an ``ensure_image`` key than the spec makes; ``image_ids`` lists them all,
    oldest first. hcims never picks one silently: delete the extra ones."""


class UnusableImagesError(_KeyConflictError):
    """Images carrying an ``ensure_image`` key failed or were deleted (killed, deleted, error);
    ``image_ids`` names them. hcims does not make another silently: delete them first."""


class ImagesNotReadyError(_KeyConflictError, TimeoutError):
    """Adopted images were still being made when ``ensure_image``'s wait ran out."""


class OsVersionWarning(UserWarning):
    """``os_version`` is not in the known list; it is sent anyway since the live list changes."""


class RuleWarning(UserWarning):
    """A spec breaks a value rule of its API page and was sent as given because the client's rules are
    ``"warn"``; the message names the field path, the rule and its page."""


class InsecureTlsWarning(UserWarning):
    """A client was made with ``verify=False``: it accepts any certificate, so anyone on the path can
    read and change its requests. Only for test set-ups."""
