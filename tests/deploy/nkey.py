"""NATS nkeys without the nkeys package: an Ed25519 key pair in NATS' encoding (base32 of a
prefix, the key and a CRC-16/XMODEM), enough to make user keys for the tests and the dev overlay.

    python tests/deploy/nkey.py   # prints a user's seed and public key
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PREFIX_SEED = 18 << 3  # "S"
PREFIX_USER = 20 << 3  # "U"


def crc16(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def encode(prefix: bytes, key: bytes) -> str:
    raw = prefix + key
    return base64.b32encode(raw + crc16(raw).to_bytes(2, "little")).decode().rstrip("=")


def user_keys(seed: bytes | None = None) -> tuple[str, str]:
    """(seed "SU...", public key "U...") of a NATS user."""
    seed = seed or os.urandom(32)
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)
    seed_prefix = bytes([PREFIX_SEED | (PREFIX_USER >> 5), (PREFIX_USER & 31) << 3])
    return encode(seed_prefix, seed), encode(bytes([PREFIX_USER]), public)


def public_key_of(seed: str) -> str:
    """The public key of a user's seed (checking its encoding)."""
    raw = base64.b32decode(seed + "=" * (-len(seed) % 8))
    body, checksum = raw[:-2], int.from_bytes(raw[-2:], "little")
    if crc16(body) != checksum or seed[:2] != "SU":
        raise ValueError("not a NATS user seed")
    return user_keys(body[2:])[1]


if __name__ == "__main__":
    print(*user_keys(), sep="\n")
