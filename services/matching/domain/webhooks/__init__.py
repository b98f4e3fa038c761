"""Outbound webhooks: enterprises are told, by an HTTP POST they can verify, that one of their
listings gained a good match.

The core is plain Python so it can be tested without a network:

- `signing`: Standard Webhooks (https://www.standardwebhooks.com/) secrets, signatures and headers,
  so receivers can verify us with any Standard Webhooks library.
- `message`: the one JSON body (`type`, `timestamp`, `data`) that is signed and sent.
- `targets`: the SSRF guard; a subscriber-supplied URL must not reach our own network.
- `retry`: when to try again, when to give up, and what a response means.

The HTTP side lives in `services.matching.adapters.webhook_sender`.
"""
