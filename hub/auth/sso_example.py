"""Example: single sign-on for production with GenericOAuthenticator (OpenID Connect).

Not loaded by default. To use it, start the hub with this file as an extra config layer
(`jupyterhub -f hub/jupyterhub_config.py -f hub/auth/sso_example.py`, or copy the lines
into your own config) and set the OIDC_* variables. People still need a row in the campus
users table (stewards create it with an empty password); the identity provider only proves
who they are. Campus roles come from the `campus_roles` claim, mapped to the same RBAC roles
as the embedded default, so the campus service authorises SSO users by the same scopes.
"""

import os

from hub.auth.roles import CUSTOM_SCOPES, role_definitions, roles_of

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads config files

c.JupyterHub.authenticator_class = "generic-oauth"
c.GenericOAuthenticator.client_id = os.environ.get("OIDC_CLIENT_ID", "")
c.GenericOAuthenticator.client_secret = os.environ.get("OIDC_CLIENT_SECRET", "")
c.GenericOAuthenticator.oauth_callback_url = os.environ.get("OIDC_CALLBACK_URL", "https://campus.example/hub/oauth_callback")
issuer = os.environ.get("OIDC_ISSUER", "https://login.example/realms/campus")
c.GenericOAuthenticator.authorize_url = f"{issuer}/protocol/openid-connect/auth"
c.GenericOAuthenticator.token_url = f"{issuer}/protocol/openid-connect/token"
c.GenericOAuthenticator.userdata_url = f"{issuer}/protocol/openid-connect/userinfo"
c.GenericOAuthenticator.scope = ["openid", "profile", "campus_roles"]
c.GenericOAuthenticator.username_claim = "preferred_username"
# Only people the identity provider puts in one of the campus groups may log in.
c.GenericOAuthenticator.claim_groups_key = "campus_roles"
c.GenericOAuthenticator.allowed_groups = {"researcher", "steward", "reviewer"}
c.GenericOAuthenticator.manage_groups = True
# Map the IdP's campus_roles claim to the campus RBAC roles (hub/auth/roles.py) at each login.
c.GenericOAuthenticator.manage_roles = True
c.JupyterHub.custom_scopes = CUSTOM_SCOPES
c.JupyterHub.load_roles = role_definitions()


def _auth_state_roles(authenticator, auth_model):
    auth_model["roles"] = roles_of(auth_model.get("groups", []))
    return auth_model


c.GenericOAuthenticator.post_auth_hook = _auth_state_roles
