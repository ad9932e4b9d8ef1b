"""`stopsignal webhook certs`: a CA, a serving certificate for the Service, and its caBundle."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from cli_runner import invoke


def run(*args: str) -> tuple[int, str, str]:
    result = invoke(["webhook", *args])
    return result.exit_code, result.stdout, result.stderr


def test_certs_makes_a_ca_and_a_serving_certificate_for_the_service(tmp_path: Path) -> None:
    out = tmp_path / "tls"
    code, stdout, stderr = run("certs", "--service", "hook", "--namespace", "ops",
                               "--out", str(out), "--ip", "127.0.0.1")
    assert code == 0, stderr
    ca_pem = (out / "ca.crt").read_bytes()
    assert base64.b64decode(stdout.strip()) == ca_pem  # stdout is exactly the caBundle
    ca = x509.load_pem_x509_certificate(ca_pem)
    cert = x509.load_pem_x509_certificate((out / "tls.crt").read_bytes())
    cert.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(names.get_values_for_type(x509.DNSName)) == {
        "hook", "hook.ops", "hook.ops.svc", "hook.ops.svc.cluster.local"}
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.SERVER_AUTH]
    for key in ("ca.key", "tls.key"):
        assert stat.S_IMODE((out / key).stat().st_mode) == 0o600


def test_certs_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    args = ["certs", "--service", "s", "--namespace", "n", "--out", str(tmp_path)]
    assert run(*args)[0] == 0
    first = (tmp_path / "ca.crt").read_bytes()
    code, _, stderr = run(*args)
    assert code == 2
    assert "already exists" in stderr
    assert (tmp_path / "ca.crt").read_bytes() == first
    assert run(*args, "--force")[0] == 0
    assert (tmp_path / "ca.crt").read_bytes() != first


def test_certs_rejects_a_bad_ip(tmp_path: Path) -> None:
    code, _, stderr = run("certs", "--service", "s", "--namespace", "n", "--out",
                          str(tmp_path), "--ip", "not-an-ip")
    assert code == 2
    assert "not an IP address" in stderr


@pytest.mark.parametrize(("option", "value"), [
    ("--service", ""), ("--service", "Web_Hook"), ("--namespace", "a.b"), ("--namespace", "x" * 64),
])
def test_certs_rejects_a_name_that_is_no_dns_label(tmp_path: Path, option: str,
                                                   value: str) -> None:
    names = {"--service": "s", "--namespace": "n", option: value}
    code, out, stderr = run("certs", *[w for pair in names.items() for w in pair],
                            "--out", str(tmp_path))
    assert code == 2 and out == "" and list(tmp_path.iterdir()) == []
    assert stderr.startswith(f"stopsignal: error: argument {option}: {value!r} is not a DNS "
                             "label") and len(stderr.splitlines()) == 1
