"""The server actor's RSA key pair: made once (2048 bits, in a worker thread), kept in the
datastore, and loaded at start. Its public half goes into the actor document (PKIX PEM); the
private half signs every outbound request."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import trio
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

log = logging.getLogger(__name__)

PRIVATE_KEY = "federation_private_key"
PUBLIC_KEY = "federation_public_key"


class KeyValues(Protocol):
    """Text values by key (:class:`owncastd.store.datastore.Datastore`)."""

    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, value: str) -> None: ...


@dataclass(frozen=True)
class ServerKey:
    """The key pair, parsed, with its public PEM as the actor document shows it."""

    private: rsa.RSAPrivateKey
    public_pem: str

    @classmethod
    def generate(cls) -> ServerKey:
        """A new 2048-bit key pair (CPU-heavy: call it in a worker thread)."""
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(private, _public_pem(private))

    @classmethod
    def from_private_pem(cls, pem: str) -> ServerKey:
        """The pair from a stored private key (PKCS#8 or PKCS#1 PEM)."""
        private = serialization.load_pem_private_key(pem.encode(), password=None)
        if not isinstance(private, rsa.RSAPrivateKey):
            raise ValueError("the stored federation key is not an RSA key")
        return cls(private, _public_pem(private))

    def private_pem(self) -> str:
        """The private key as PKCS#8 PEM (what is stored)."""
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()


async def load_or_create(values: KeyValues) -> ServerKey:
    """The stored key pair, or a new one made and stored on first use."""
    stored = await values.get(PRIVATE_KEY)
    if stored:
        return await trio.to_thread.run_sync(ServerKey.from_private_pem, stored)
    key = await trio.to_thread.run_sync(ServerKey.generate)
    await values.put(PRIVATE_KEY, key.private_pem())
    await values.put(PUBLIC_KEY, key.public_pem)
    log.info("federation key pair made (kept in the database)")
    return key


def load_public_key(pem: str) -> rsa.RSAPublicKey:
    """An RSA public key from PEM (a remote actor's ``publicKeyPem``); ValueError otherwise."""
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def _public_pem(private: rsa.RSAPrivateKey) -> str:
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
