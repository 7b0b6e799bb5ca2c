"""API credentials: random, shown once, stored as a SHA-256 digest (they carry 256 bits of entropy,
so a slow password hash would add cost without adding safety)."""

import hashlib
import secrets


def token_generate(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
