# Type stubs of the native module (Rust, PyO3). Public names are re-exported by `hcims`.

from typing import Any, Callable, Literal, Optional, final

from .job import Job

__all__ = [
    "AsyncClient",
    "Client",
    "MockServer",
    "PendingCall",
    "PreparedRequest",
    "__version__",
    "_interpreter_exiting",
    "_sign",
    "is_known_os_version",
    "request_dict",
    "spec_literals",
    "spec_schema",
    "validate",
]

__version__: str

@final
class PreparedRequest:
    @property
    def method(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def headers(self) -> list[tuple[str, str]]: ...
    @property
    def body(self) -> str: ...
    def to_curl(self) -> str: ...

@final
class Client:
    def __new__(
        cls,
        *,
        region: Optional[str] = None,
        endpoint: Optional[str] = None,
        ak: Optional[str] = None,
        sk: Optional[str] = None,
        project_id: Optional[str] = None,
        security_token: Optional[str] = None,
        auth_token: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        retries: Optional[int] = None,
        retry_backoff: Optional[tuple[float, float]] = None,
        ca_bundle: Optional[str] = None,
        verify: bool = True,
        iam_endpoint: Optional[str] = None,
        rules: Optional[Literal["enforce", "warn"]] = None,
    ) -> Client: ...
    # create, prepare and create_many issue hcims.errors.RuleWarning under rules="warn".
    def create(self, mode: Optional[str], spec: Any) -> str: ...
    def prepare(self, mode: Optional[str], spec: Any) -> PreparedRequest: ...
    def get_job(self, job_id: str) -> Job: ...
    def wait_for_job(
        self,
        job_id: str,
        timeout: Optional[float] = None,
        poll_interval: Optional[float] = None,
        on_progress: Optional[Callable[[Job], Any]] = None,
    ) -> Job: ...
    def wait_for_jobs(
        self,
        job_ids: list[str],
        timeout: Optional[float] = None,
        poll_interval: Optional[float] = None,
        raise_on_failure: bool = True,
        on_progress: Optional[Callable[[Job], Any]] = None,
    ) -> list[Any]: ...
    def create_many(
        self,
        requests: list[tuple[Optional[str], Any]],
        concurrency: int = 32,
        on_done: Optional[Callable[[bool], Any]] = None,
        max_running_jobs: Optional[int] = ...,
        max_requests_per_second: Optional[float] = None,
        wait: bool = False,
        poll_interval: Optional[float] = None,
        timeout: Optional[float] = ...,
    ) -> list[Any]: ...
    def os_versions(self, tag: Optional[str] = None) -> list[dict[str, Any]]: ...
    def quota(self) -> tuple[int, int]: ...
    def find_images(self, filters: dict[str, Any]) -> list[dict[str, Any]]: ...
    def get_image(self, image_id: str) -> dict[str, Any]: ...
    def update_image(self, image_id: str, changes: dict[str, Any]) -> dict[str, Any]: ...
    def tag_image(self, image_id: str, add: list[tuple[str, str]], remove: list[str]) -> None: ...
    def delete_image(self, image_id: str, delete_backup: bool = False) -> None: ...
    def delete_images(
        self, image_ids: list[str], delete_backup: bool = False, concurrency: int = 8
    ) -> list[Optional[BaseException]]: ...
    def ensure_image(
        self,
        mode: Optional[str],
        spec: Any,
        key: str,
        wait: bool = True,
        adopt_within: float = 120.0,
        poll_interval: Optional[float] = None,
        timeout: Optional[float] = ...,
    ) -> dict[str, Any]: ...
    def ensure_images(
        self,
        requests: list[tuple[Optional[str], Any]],
        keys: list[str],
        concurrency: int = 32,
        wait: bool = True,
        adopt_within: float = 120.0,
        poll_interval: Optional[float] = None,
        timeout: Optional[float] = ...,
    ) -> list[Any]: ...
    @property
    def known_project_id(self) -> Optional[str]: ...
    @property
    def endpoint(self) -> str: ...
    @property
    def region(self) -> Optional[str]: ...
    @property
    def project_id(self) -> str: ...
    @property
    def auth_kind(self) -> str: ...
    @property
    def access_key(self) -> Optional[str]: ...
    @property
    def timeout(self) -> float: ...
    @property
    def retries(self) -> int: ...
    @property
    def rules(self) -> Literal["enforce", "warn"]: ...
    @property
    def retry_backoff(self) -> tuple[float, float]: ...
    @property
    def verify(self) -> bool: ...

def _sign(
    method: str,
    host: str,
    path: str,
    query: list[tuple[str, str]],
    headers: list[tuple[str, str]],
    body: bytes,
    ak: str,
    sk: str,
    sdk_date: str,
) -> dict[str, Any]: ...
def validate(spec: Any, mode: Optional[str] = None) -> tuple[str, str]: ...
def is_known_os_version(os_version: str) -> bool: ...
def request_dict(spec: Any) -> Any: ...
def spec_literals() -> list[tuple[str, list[str]]]: ...
def spec_schema() -> list[tuple[str, Optional[str], str, list[tuple[str, bool, str, str]]]]: ...

@final
class MockServer:
    EXAMPLE_AK: str
    EXAMPLE_SK: str
    EXAMPLE_PROJECT_ID: str
    DEFAULT_JOB_POLLS: int
    DEFAULT_MAX_RECORDED_REQUESTS: int
    DEFAULT_MAX_JOBS: int
    def __new__(
        cls,
        *,
        ak: Optional[str] = None,
        sk: Optional[str] = None,
        project_id: Optional[str] = None,
        security_token: Optional[str] = None,
        auth_token: Optional[str] = None,
        accounts: list[tuple[str, str, list[str], Optional[str]]] = ...,
        tokens: dict[str, str] = ...,
        init_polls: int = 0,
        job_polls: int = ...,
        job_seconds: Optional[float] = None,
        fail_pattern: Optional[str] = None,
        fail_rate: float = 0.0,
        seed: Optional[int] = None,
        unique_names: bool = False,
        image_quota: Optional[int] = None,
        instances: Optional[list[str]] = None,
        rate_limit_per_second: Optional[float] = None,
        record_requests: bool = True,
        max_recorded_requests: int = ...,
        max_jobs: Optional[int] = ...,
        port: int = 0,
        clock_offset: float = 0.0,
        tls_cert: Optional[str] = None,
        tls_key: Optional[str] = None,
        region: str = ...,
        os_versions: Optional[list[str]] = None,
        response_delay: float = 0.0,
        max_running_jobs: Optional[int] = None,
        listing_delay: float = 0.0,
    ) -> MockServer: ...
    @property
    def peak_running_jobs(self) -> int: ...
    @property
    def endpoint(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def ak(self) -> str: ...
    @property
    def sk(self) -> str: ...
    @property
    def project_id(self) -> str: ...
    @property
    def security_token(self) -> Optional[str]: ...
    @property
    def auth_token(self) -> Optional[str]: ...
    @property
    def project_ids(self) -> list[str]: ...
    def requests(self) -> list[dict[str, Any]]: ...
    def jobs(self, project_id: Optional[str] = None) -> list[dict[str, Any]]: ...
    def images(self, project_id: Optional[str] = None) -> list[dict[str, Any]]: ...
    def fail_job(self, job_id: str) -> None: ...
    def add_fault(
        self,
        path: str,
        *,
        action: str = "answer",
        status: int = 500,
        body: str = ...,
        method: Optional[str] = None,
        headers: Optional[dict[str, str]] = None,
        times: int = 1,
        delay: float = 0.0,
        after_acting: bool = False,
        chance: float = 1.0,
        seed: Optional[int] = None,
    ) -> None: ...
    def clear_faults(self) -> None: ...
    def clear_requests(self) -> None: ...
    def stop(self) -> None: ...

@final
class PendingCall:
    def cancel(self) -> None: ...
    @property
    def done(self) -> bool: ...

@final
class AsyncClient:
    def __new__(cls, client: Client) -> AsyncClient: ...
    def create(self, mode: Optional[str], spec: Any, deliver: Callable[[bool, Any], None]) -> PendingCall: ...
    def get_job(self, job_id: str, deliver: Callable[[bool, Any], None]) -> PendingCall: ...
    def project_id(self, deliver: Callable[[bool, Any], None]) -> PendingCall: ...
    def os_versions(self, deliver: Callable[[bool, Any], None], tag: Optional[str] = None) -> PendingCall: ...
    def quota(self, deliver: Callable[[bool, Any], None]) -> PendingCall: ...
    def find_images(self, filters: dict[str, Any], deliver: Callable[[bool, Any], None]) -> PendingCall: ...
    def get_image(self, image_id: str, deliver: Callable[[bool, Any], None]) -> PendingCall: ...
    def update_image(
        self, image_id: str, changes: dict[str, Any], deliver: Callable[[bool, Any], None]
    ) -> PendingCall: ...
    def tag_image(
        self,
        image_id: str,
        add: list[tuple[str, str]],
        remove: list[str],
        deliver: Callable[[bool, Any], None],
    ) -> PendingCall: ...
    def delete_image(
        self, image_id: str, deliver: Callable[[bool, Any], None], delete_backup: bool = False
    ) -> PendingCall: ...
    def delete_images(
        self,
        image_ids: list[str],
        deliver: Callable[[bool, Any], None],
        delete_backup: bool = False,
        concurrency: int = 8,
    ) -> PendingCall: ...
    def ensure_image(
        self,
        mode: Optional[str],
        spec: Any,
        key: str,
        deliver: Callable[[bool, Any], None],
        wait: bool = True,
        adopt_within: float = 120.0,
        poll_interval: Optional[float] = None,
        timeout: Optional[float] = ...,
    ) -> PendingCall: ...
    def ensure_images(
        self,
        requests: list[tuple[Optional[str], Any]],
        keys: list[str],
        deliver: Callable[[bool, Any], None],
        concurrency: int = 32,
        wait: bool = True,
        adopt_within: float = 120.0,
        poll_interval: Optional[float] = None,
        timeout: Optional[float] = ...,
    ) -> PendingCall: ...
    def wait_for_job(
        self,
        job_id: str,
        deliver: Callable[[bool, Any], None],
        timeout: Optional[float] = None,
        poll_interval: Optional[float] = None,
        on_progress: Optional[Callable[[Job], Any]] = None,
    ) -> PendingCall: ...
    def wait_for_jobs(
        self,
        job_ids: list[str],
        deliver: Callable[[bool, Any], None],
        timeout: Optional[float] = None,
        poll_interval: Optional[float] = None,
        raise_on_failure: bool = True,
        on_progress: Optional[Callable[[Job], Any]] = None,
    ) -> PendingCall: ...
    def create_many(
        self,
        requests: list[tuple[Optional[str], Any]],
        deliver: Callable[[bool, Any], None],
        concurrency: int = 32,
        on_done: Optional[Callable[[bool], Any]] = None,
        max_running_jobs: Optional[int] = ...,
        max_requests_per_second: Optional[float] = None,
        wait: bool = False,
        poll_interval: Optional[float] = None,
        timeout: Optional[float] = ...,
    ) -> PendingCall: ...

def _interpreter_exiting() -> None: ...
