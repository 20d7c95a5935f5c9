"""Helpers that keep personal data out of storage, logs and URLs.

Supporters can be targets of transnational repression: an IP address is never stored; a keyed
HMAC of it is kept instead, enough to rate-limit and review abuse but not to recover the address.
"""

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address as the web server saw it.

    Behind a proxy, deploy/nginx.conf sets X-Real-IP; REMOTE_ADDR is only trusted otherwise.
    """
    real = request.META.get("HTTP_X_REAL_IP", "") if settings.HARBOUR_TRUST_X_REAL_IP else ""
    return real.strip() or request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of `value` under the deployment's key, separated by purpose."""
    key = f"{settings.HARBOUR_IP_HASH_KEY}:{purpose}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def client_network(request: HttpRequest) -> str:
    """The client's address, or for IPv6 its /64: one household or phone is given a whole
    /64 and can pick a new address in it for every request, so limits count networks."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is 192.0.2.1
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def ip_hash(request: HttpRequest) -> str:
    """What rate limits and abuse review see of a client: a keyed hash of its network."""
    return keyed_hash(client_network(request), purpose="ip")
