"""Webhook signing secrets must be usable to sign, so unlike API keys they cannot be stored
as hashes: they are encrypted at rest (Fernet) with a key from the configuration."""
from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.fernet import Fernet

from services.common.config import read_or_create_secret


class SecretBox:
    def __init__(self, key: str):
        self._fernet = Fernet(key.encode())

    @classmethod
    def from_env(cls, data_dir: Path) -> "SecretBox":
        """PARKLOOP_SECRET_KEY, or a key generated once into the data directory."""
        key = os.environ.get("PARKLOOP_SECRET_KEY") or read_or_create_secret(
            data_dir / "webhook-secrets.key", make=lambda: Fernet.generate_key().decode())
        return cls(key)

    def seal(self, value) -> str:
        return self._fernet.encrypt(json.dumps(value).encode()).decode()

    def open(self, token: str):
        return json.loads(self._fernet.decrypt(token.encode()))
