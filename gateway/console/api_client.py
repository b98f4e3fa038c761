"""The console calls the /api/v1 endpoints on the signed-in user's behalf, as that user's key.

So the API's roles and tenant rules are the console's only rules: it can never show what the
user's key could not read. Calls go straight to the owning service with the signed principal,
exactly as the gateway forwards them.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from gateway.api.proxy import TIMEOUT_S
from gateway.routing import service_for
from services.common.identity import Principal, sign_principal

PARALLEL_PAGES = 4
# Told of every answered call (method, path, response), so the audit trail records the console's writes.
CallObserver = Callable[[str, str, requests.Response], None]
upstream_session = requests.Session()
# As the gateway's forwarding does: a refused connection (a service restarting) is tried again for
# idempotent calls only, and a read error never, so a slow service is not sent the same work twice.
upstream_session.mount(
    "http://",
    HTTPAdapter(
        max_retries=Retry(total=2, connect=2, read=0, status=0, other=0, allowed_methods=Retry.DEFAULT_ALLOWED_METHODS)
    ),
)


@dataclass
class ApiProblem(Exception):
    """A 4xx/5xx answer, kept whole so a form can show each field's messages beside the field."""

    status: int
    detail: str
    errors: dict[str, list[str]] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status}: {self.detail}"

    def for_field(self, name: str) -> list[str]:
        return self.errors.get(name, [])


class ConsoleApi:
    def __init__(
        self,
        principal: Principal,
        service_urls: dict[str, str],
        internal_secret: str,
        observe: CallObserver | None = None,
    ):
        self.principal = principal
        self.service_urls = service_urls
        self.internal_secret = internal_secret
        self.observe = observe

    def raw(self, method: str, path: str, params=None, json=None) -> requests.Response:
        """The upstream answer as it is (for passing through to the browser)."""
        full_path = "/api/v1/" + path.lstrip("/")
        service = service_for(full_path)
        if service is None:
            raise ApiProblem(404, f"no endpoint {full_path}")
        headers = sign_principal(self.principal, self.internal_secret)
        try:
            response = upstream_session.request(
                method,
                self.service_urls[service] + full_path,
                params=params,
                json=json,
                headers=headers,
                timeout=TIMEOUT_S,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            raise ApiProblem(503, f"the {service} service is not reachable; try again shortly") from error
        if self.observe:
            self.observe(method, full_path, response)
        return response

    def call(self, method: str, path: str, params=None, json=None):
        response = self.raw(method, path, params=params, json=json)
        if response.status_code >= 400:
            raise _problem(response)
        if response.status_code == 204 or not response.content:
            return None
        if response.headers.get("Content-Type", "").startswith("application/json"):
            return response.json()
        return response.text

    def get(self, path: str, **params):
        return self.call("GET", path, params={k: v for k, v in params.items() if v not in (None, "")})

    def post(self, path: str, json=None):
        return self.call("POST", path, json=json if json is not None else {})

    def patch(self, path: str, json):
        return self.call("PATCH", path, json=json)

    def put(self, path: str, json):
        return self.call("PUT", path, json=json)

    def delete(self, path: str):
        return self.call("DELETE", path)

    def all_pages(self, path: str, page_size: int = 200, **params) -> list[dict]:
        """Every item of a paged list (the API caps page_size at 200). After the first page tells the
        total, the rest are fetched a few at a time: a large park's ledger is dozens of pages."""
        first = self.get(path, page=1, page_size=page_size, **params)
        pages = -(-first["total"] // page_size)
        if pages <= 1:
            return first["items"]
        with ThreadPoolExecutor(PARALLEL_PAGES) as pool:
            rest = pool.map(
                lambda n: self.get(path, page=n, page_size=page_size, **params)["items"], range(2, pages + 1)
            )
            return first["items"] + [item for items in rest for item in items]


def json_or_none(response: requests.Response):
    try:
        return response.json()
    except ValueError:
        return None


def _problem(response: requests.Response) -> ApiProblem:
    body = json_or_none(response)
    if not isinstance(body, dict):
        body = {}
    return ApiProblem(
        response.status_code, body.get("detail") or body.get("title") or response.reason, body.get("errors") or {}
    )
