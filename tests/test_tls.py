"""TLS: certificates are checked by default, a private CA is trusted through ca_bundle=, verify=False
works only with a warning, and plain http goes to loopback hosts only."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from mock_http import INSTANCE_ID

import hcims
from hcims.testing import MockIms

SPEC = {"name": "web", "instance_id": INSTANCE_ID}


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_ims(ca: trustme.CA) -> Iterator[MockIms]:
    server_cert = ca.issue_cert("127.0.0.1", "localhost")
    chain = b"".join(blob.bytes() for blob in server_cert.cert_chain_pems).decode()
    key = server_cert.private_key_pem.bytes().decode()
    with MockIms(tls_cert=chain, tls_key=key) as ims:
        yield ims


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "private-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def test_the_emulator_serves_https(https_ims: MockIms) -> None:
    assert https_ims.endpoint.startswith("https://127.0.0.1:")


def test_a_private_ca_is_trusted_through_ca_bundle(https_ims: MockIms, ca_file: Path) -> None:
    client = hcims.Client(**https_ims.client_args(), ca_bundle=ca_file)
    job_id = client.create_image(SPEC)
    assert client.wait_for_job(job_id, timeout=30, poll_interval=0.01).status == "SUCCESS"
    assert hcims.Client(**https_ims.client_args(), ca_bundle=str(ca_file)).get_job(job_id).id == job_id


def test_an_unknown_ca_is_refused_without_sending_or_retrying(https_ims: MockIms) -> None:
    client = hcims.Client(**https_ims.client_args(), retry_backoff=(1.0, 5.0))
    with pytest.raises(hcims.TransportError) as raised:
        client.create_image(SPEC)
    assert "certificate" in str(raised.value)
    assert "ca_bundle" in str(raised.value)
    assert raised.value.retryable is False
    assert raised.value.maybe_sent is False
    assert https_ims.requests == []


def test_a_certificate_for_another_host_is_refused(ca: trustme.CA, ca_file: Path) -> None:
    other = ca.issue_cert("ims.example.com")
    chain = b"".join(blob.bytes() for blob in other.cert_chain_pems).decode()
    with MockIms(tls_cert=chain, tls_key=other.private_key_pem.bytes().decode()) as ims:
        with pytest.raises(hcims.TransportError, match="certificate"):
            hcims.Client(**ims.client_args(), ca_bundle=ca_file).create_image(SPEC)
        assert ims.requests == []


def test_verify_false_works_only_with_a_warning_and_a_log_line(
    https_ims: MockIms, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="hcims"):
        with pytest.warns(hcims.InsecureTlsWarning, match="verification is off"):
            client = hcims.Client(**https_ims.client_args(), verify=False)
    assert any("verification is off" in record.getMessage() for record in caplog.records)
    assert len(client.create_image(SPEC)) == 32
    with pytest.warns(hcims.InsecureTlsWarning):
        hcims.AsyncClient(**https_ims.client_args(), verify=False)


def test_verified_clients_do_not_warn(https_ims: MockIms, ca_file: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hcims.Client(**https_ims.client_args(), ca_bundle=ca_file)


def test_a_bad_ca_bundle_is_a_config_error(tmp_path: Path, https_ims: MockIms) -> None:
    missing = tmp_path / "missing.pem"
    with pytest.raises(hcims.ConfigError, match=r"missing\.pem"):
        hcims.Client(**https_ims.client_args(), ca_bundle=missing)
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("this is not a certificate")
    with pytest.raises(hcims.ConfigError, match=r"no PEM certificate|not a PEM"):
        hcims.Client(**https_ims.client_args(), ca_bundle=not_pem)


@pytest.mark.parametrize(
    "endpoint",
    ["http://10.0.0.1:8080", "http://ims.cn-north-4.myhuaweicloud.com", "http://192.168.1.10"],
)
def test_plain_http_to_a_non_loopback_host_is_refused(endpoint: str) -> None:
    with pytest.raises(hcims.ConfigError, match="loopback"):
        hcims.Client(endpoint=endpoint, ak="AK", sk="SK", project_id="p")


def test_the_emulator_refuses_half_a_tls_configuration(ca: trustme.CA) -> None:
    with pytest.raises(ValueError, match="together"):
        MockIms(tls_cert=ca.cert_pem.bytes().decode()).start()
    with pytest.raises(ValueError, match="tls"):
        MockIms(tls_cert="not pem", tls_key="not pem").start()
