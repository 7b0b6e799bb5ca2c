"""Outbound HTTP for webhooks: the address guard (SSRF) and one POST with hard time limits.

The guard runs twice: when a store registers a URL and again when a delivery is sent, on the
addresses DNS returns at that moment. The connection then goes to exactly the address that was
checked (the host name still serves TLS SNI and certificate checks), so a name that re-resolves
to an internal address between check and connect (DNS rebinding) gets nowhere."""

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings

ADDRESS_NOT_ALLOWED = "webhook_address_not_allowed"
URL_INVALID = "webhook_url_invalid"
HOST_UNRESOLVED = "webhook_host_unresolved"

# Names that lead to cloud metadata services whatever they resolve to.
METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
RESPONSE_BODY_KEPT = 2048
Resolver = Callable[[str, int], list[str]]


class AddressRefused(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# IPv6 prefixes that carry an IPv4 address in their last 32 bits: NAT64 (RFC 6052), which an
# IPv6-only host's gateway translates to that IPv4 address, and the old IPv4-compatible form.
IPV4_CARRYING = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("::/96"))


def _ipv4_carried(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in network for network in IPV4_CARRYING):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_is_public(address: str) -> bool:
    """Only globally routable unicast addresses: no loopback, private, link-local (which holds
    169.254.169.254, the metadata service), CGNAT, multicast, reserved or unspecified ones. An
    IPv6 address carrying an IPv4 one (mapped, NAT64, 6to4) is judged by both."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and (carried := _ipv4_carried(ip)) is not None:
        if not (carried.is_global and not carried.is_multicast):
            return False
        if ip.ipv4_mapped is not None:
            return True
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def url_parts(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path+query) of an http(s) URL without credentials or fragment."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressRefused(URL_INVALID, f"url: {exc}") from exc
    allowed = ("https", "http") if settings.ORDERDESK_WEBHOOKS_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise AddressRefused(URL_INVALID, f"url: the scheme must be {' or '.join(allowed)}")
    if not parts.hostname:
        raise AddressRefused(URL_INVALID, "url: a host is required")
    if parts.username or parts.password:
        raise AddressRefused(URL_INVALID, "url: credentials in the URL are not accepted")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def target_check(url: str, *, resolver: Resolver | None = None) -> Target:
    """The URL's parts and addresses, or AddressRefused when any address is not public."""
    scheme, host, port, path = url_parts(url)
    allow_private = settings.ORDERDESK_WEBHOOKS_ALLOW_PRIVATE
    if not allow_private and host.rstrip(".").lower() in METADATA_HOSTS:
        raise AddressRefused(ADDRESS_NOT_ALLOWED, f"url: {host} is a metadata service")
    try:
        addresses = [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        try:
            addresses = (resolver or resolve)(host, port)
        except (OSError, UnicodeError) as exc:
            raise AddressRefused(HOST_UNRESOLVED, f"url: {host} does not resolve") from exc
    if not addresses:
        raise AddressRefused(HOST_UNRESOLVED, f"url: {host} does not resolve")
    refused = [a for a in addresses if not address_is_public(a)]
    if refused and not allow_private:
        raise AddressRefused(
            ADDRESS_NOT_ALLOWED,
            f"url: {host} leads to a loopback, private, link-local or reserved address",
        )
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=tuple(addresses))


@dataclass
class SendResult:
    status: int | None = None
    body: str = ""
    error: str = ""
    duration_ms: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _Deadline:
    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("the receiver took longer than the total time limit")
        return left


def _connect(target: Target, deadline: _Deadline, connect_timeout: float) -> socket.socket:
    """The first of the checked addresses that accepts a connection (IPv6 may be unreachable)."""
    error: OSError | None = None
    for address in target.addresses:
        try:
            sock = socket.create_connection(
                (address, target.port), timeout=min(connect_timeout, deadline.left())
            )
            break
        except OSError as exc:
            error = exc
    else:
        raise error or OSError("no address to connect to")
    if target.scheme == "https":
        context = ssl.create_default_context()
        sock = context.wrap_socket(sock, server_hostname=target.host)
    return sock


def post(
    target: Target,
    *,
    body: bytes,
    headers: dict[str, str],
    connect_timeout: float | None = None,
    total_timeout: float | None = None,
) -> SendResult:
    """POST to the checked address; never raises for the receiver's faults (they are results)."""
    connect_timeout = connect_timeout or settings.ORDERDESK_WEBHOOKS_CONNECT_TIMEOUT
    total_timeout = total_timeout or settings.ORDERDESK_WEBHOOKS_TOTAL_TIMEOUT
    started = time.monotonic()
    deadline = _Deadline(total_timeout)
    result = SendResult()
    try:
        sock = _connect(target, deadline, connect_timeout)
        conn = http.client.HTTPConnection(target.host, target.port)
        conn.sock = sock
        try:
            sock.settimeout(deadline.left())
            conn.request("POST", target.path, body=body, headers=headers)
            sock.settimeout(deadline.left())
            response = conn.getresponse()
            result.status = response.status
            result.body = _read_limited(response, sock, deadline)
        finally:
            conn.close()
    except (OSError, http.client.HTTPException, TimeoutError, ssl.SSLError) as exc:
        result.status = None
        result.error = _error_text(exc)
    result.duration_ms = int((time.monotonic() - started) * 1000)
    return result


def _read_limited(response: http.client.HTTPResponse, sock: socket.socket, deadline) -> str:
    kept = b""
    while len(kept) < RESPONSE_BODY_KEPT:
        sock.settimeout(deadline.left())
        chunk = response.read1(RESPONSE_BODY_KEPT - len(kept))
        if not chunk:
            break
        kept += chunk
    return kept.decode("utf-8", errors="replace")


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"timeout: {exc}"[:300]
    return f"{type(exc).__name__}: {exc}"[:300]
