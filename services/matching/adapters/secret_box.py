"""Webhook signing secrets must be usable to sign, so unlike API keys they cannot be stored
as hashes: they are encrypted at rest (Fernet) with a key from the configuration."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.fernet import Fernet

from services.common.config import read_or_create_secret


class SecretBox:
    def __init__(self, key: str):
        self._fernet = Fernet(key.encode())

    @classmethod
    def configured(cls, key: str | None, data_dir: Path) -> SecretBox:
        """The configured key (PARKLOOP_SECRET_KEY, Settings.matching), or one generated once into the
        data directory."""
        return cls(
            key or read_or_create_secret(data_dir / "webhook-secrets.key", make=lambda: Fernet.generate_key().decode())
        )

    def seal(self, value) -> str:
        return self._fernet.encrypt(json.dumps(value).encode()).decode()

    def open(self, token: str):
        return json.loads(self._fernet.decrypt(token.encode()))
