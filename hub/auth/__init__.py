"""Who may log in to the hub and with which JupyterHub roles.

campus.py: the embedded default, an Authenticator over the campus `users` table (bcrypt).
roles.py: the JupyterHub RBAC roles and custom scopes of the three kinds of campus user.
sso_example.py: a GenericOAuthenticator configuration for production single sign-on.
"""
