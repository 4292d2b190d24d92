"""Push the catalog to OPA, where the policies read it as data.campus.catalog.

The catalog service calls `push_catalog` on OPA start and after every change, with the
document built by `hub.catalog.service.policy_data()` (shape in docs/internals.md). A failed
push raises PolicyUnavailable, so that the caller can refuse to commit a change the policy
does not know about. The push carries the campus's catalog token: the decision token may
only ask questions (policies/system/authz).
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
