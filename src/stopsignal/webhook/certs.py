"""A CA and a serving certificate for the webhook's Service, for clusters without cert-manager.

The API server verifies the webhook's certificate against the ``caBundle`` of the
webhook configuration and the Service's DNS names (``NAME.NAMESPACE.svc``), so the
serving certificate carries those names as subjectAltNames. ECDSA P-256 keys: small
and fast to handshake; every API server version supports them.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True)
class CertificateSet:
    ca_cert: bytes  # PEM
    ca_key: bytes
    cert: bytes
    key: bytes

    @property
    def ca_bundle(self) -> str:
        """The value of ``webhooks[].clientConfig.caBundle``: base64 of the CA's PEM."""
        return base64.b64encode(self.ca_cert).decode()


def service_names(service: str, namespace: str) -> list[str]:
    return [service, f"{service}.{namespace}", f"{service}.{namespace}.svc",
            f"{service}.{namespace}.svc.cluster.local"]


def generate(service: str, namespace: str, *, days: int = 365, ca_days: int = 3650,
             extra_dns: tuple[str, ...] = (), extra_ips: tuple[str, ...] = (),
             now: dt.datetime | None = None) -> CertificateSet:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    start = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(minutes=5)  # clock skew
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cn = f"stopsignal-webhook-ca {namespace}"
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_cn)])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + dt.timedelta(days=ca_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [*service_names(service, namespace), *extra_dns]
    alt_names: list[x509.GeneralName] = [x509.DNSName(name) for name in dict.fromkeys(names)]
    alt_names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in extra_ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[2])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    def pem_key(private: ec.EllipticCurvePrivateKey) -> bytes:
        return private.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())

    return CertificateSet(
        ca_cert=ca_cert.public_bytes(serialization.Encoding.PEM),
        ca_key=pem_key(ca_key),
        cert=cert.public_bytes(serialization.Encoding.PEM),
        key=pem_key(key),
    )
