"""The ledger's evidence core in plain Python, so auditors can check it against public specs:
RFC 9162 Merkle tree hashing and proofs (`merkle`, `merkle_log`), RFC 8785 canonical entries
(`canonical`), C2SP signed notes with Ed25519 keys (`note`, `note_keys`), C2SP checkpoints
(`checkpoint`) and the offline audit of an exported ledger (`audit`). No web framework and no
database: the ledger service wires these in."""
