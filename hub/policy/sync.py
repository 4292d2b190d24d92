"""Push the catalog to OPA, where the policies read it as data.campus.catalog.

The catalog service calls `push_catalog` on OPA start and after every change, with the
document built by `hub.catalog.service.policy_data()` (shape in docs/internals.md). A failed
push raises PolicyUnavailable, so that the caller can refuse to commit a change the policy
does not know about. `fetch_catalog` reads back what OPA holds (None after OPA restarted),
for the re-sync (hub.policy.resync). Both carry the campus's catalog token: the decision
token may only ask questions (policies/system/authz).
"""

from __future__ import annotations

import requests
from opa_client.errors import RegoParseError

from hub.errors import PolicyUnavailable
from hub.policy.client import UNAVAILABLE, opa_client, refused_credentials, transport_failure
from hub.policy.tokens import read_token
from hub.settings import get_settings

CATALOG_PATH = "campus/catalog"


def push_catalog(url: str, data: dict, timeout: float = 5.0, *, token: str | None = None) -> None:
    """PUT `data` at /v1/data/campus/catalog on the OPA server at `url`; raise PolicyUnavailable on failure.

    `token`: None (the default) is the campus's catalog token as this process finds it
    (`CAMPUS_OPA_CATALOG_TOKEN`, else the file under $CAMPUS_HOME/secrets/); "" sends none.
    """
    if not isinstance(data, dict) or not {"datasets", "projects", "users"} <= data.keys():
        raise ValueError("the catalog document needs the keys datasets, projects and users")
    if token is None:
        token = read_token(get_settings(), "catalog")
    client = opa_client(url, timeout, token)
    try:
        # update_or_create_data returns True on 204 and raises on any other answer.
        client.update_or_create_data(data, CATALOG_PATH)
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise PolicyUnavailable(f"{UNAVAILABLE}catalog push: {transport_failure(exc, url, timeout)}") from None
    except RegoParseError as exc:  # what the library raises for any refusal (e.g. a path owned by the bundle)
        if exc.expression == "unauthorized":  # OPA's code for a 401 from data.system.authz
            raise PolicyUnavailable(f"{UNAVAILABLE}catalog push to {url}: {refused_credentials(bool(token))}") from None
        raise PolicyUnavailable(f"{UNAVAILABLE}catalog push to {url} refused: {exc.message}") from None
    except (requests.RequestException, ValueError) as exc:  # ValueError: a reply that is not JSON
        raise PolicyUnavailable(f"{UNAVAILABLE}catalog push to {url} failed: {type(exc).__name__}: {exc}") from None
    finally:
        client.close_connection()


def fetch_catalog(url: str, timeout: float = 5.0, *, token: str | None = None) -> object | None:
    """The catalog OPA at `url` holds at /v1/data/campus/catalog; None if it holds none.

    An OPA that restarted answers 200 without a `result`: that is None, not an error.
    Raises PolicyUnavailable when OPA cannot be reached or refuses the token. `token` as
    for `push_catalog`.
    """
    if token is None:
        token = read_token(get_settings(), "catalog")
    # A plain GET: opa-python-client's get_data reports "undefined" and "refused" alike.
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    where = f"{url.rstrip('/')}/v1/data/{CATALOG_PATH}"
    try:
        response = requests.get(where, headers=headers, timeout=timeout)
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise PolicyUnavailable(f"{UNAVAILABLE}catalog read: {transport_failure(exc, url, timeout)}") from None
    except requests.RequestException as exc:
        raise PolicyUnavailable(f"{UNAVAILABLE}catalog read from {url} failed: {type(exc).__name__}: {exc}") from None
    if response.status_code == 401:
        raise PolicyUnavailable(f"{UNAVAILABLE}catalog read from {url}: {refused_credentials(bool(token))}")
    if response.status_code != 200:
        raise PolicyUnavailable(f"{UNAVAILABLE}catalog read from {url} failed with HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise PolicyUnavailable(f"{UNAVAILABLE}catalog read from {url}: the answer is not JSON") from None
    return body.get("result") if isinstance(body, dict) else None
