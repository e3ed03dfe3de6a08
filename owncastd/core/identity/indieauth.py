"""IndieAuth pieces without I/O (develop §2.2, §2.3): PKCE, random strings, `me` URLs, finding
the authorization endpoint in a page or its Link headers, and the redirect URL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import string
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

ENDPOINT_REL = "authorization_endpoint"
_ALPHABET = string.ascii_letters + string.digits


def random_text(length: int) -> str:
    """`length` characters of [A-Za-z0-9] from the system's CSPRNG."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def s256(verifier: str) -> str:
    """The PKCE S256 challenge: base64url without padding of SHA-256(verifier)."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def challenge_matches(verifier: str, challenge: str) -> bool:
    """Whether `verifier` hashes to `challenge` (constant time)."""
    return hmac.compare_digest(s256(verifier).encode(), challenge.encode())


def canonical_me(url: str) -> str:
    """A profile URL as IndieAuth compares them: scheme and host lower-case, no fragment, and
    no trailing `/` (Owncast compares after trimming trailing slashes)."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def is_http_url(url: str) -> bool:
    """An absolute http(s) URL with a host."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


class _LinkFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("link", "a"):
            return
        values = dict(attrs)
        rels = (values.get("rel") or "").lower().split()
        href = values.get("href")
        if ENDPOINT_REL in rels and href:
            self.hrefs.append(href)


_LINK_PART = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")


def _from_link_headers(headers: list[str]) -> list[str]:
    found = []
    for header in headers:
        for target, params in _LINK_PART.findall(header):
            match = re.search(r'rel\s*=\s*"?([^";]*)"?', params, re.IGNORECASE)
            if match and ENDPOINT_REL in match.group(1).lower().split():
                found.append(target.strip())
    return found


def find_endpoint(page_url: str, html: str, link_headers: list[str]) -> str | None:
    """The authorization endpoint: from the HTTP Link header first (IndieAuth's order), else the
    last `<link rel="authorization_endpoint">` of the page (as Owncast); relative hrefs are
    resolved against `page_url`."""
    candidates = _from_link_headers(link_headers)
    if not candidates:
        finder = _LinkFinder()
        finder.feed(html)
        candidates = finder.hrefs[-1:]
    if not candidates:
        return None
    endpoint = urljoin(page_url, candidates[0])
    return endpoint if is_http_url(endpoint) else None


def redirect_url(endpoint: str, auth_host: str, params: dict[str, str]) -> str:
    """The endpoint with its own query replaced by the authHost's query plus `params`."""
    parts = urlsplit(endpoint)
    host_query = urlsplit(auth_host).query
    query = "&".join(q for q in (host_query, urlencode(params)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
