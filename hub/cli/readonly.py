"""A policy port for read-only catalog sessions: any attempt to change something is refused."""

from hub.errors import PermissionDenied


class ReadOnlyPolicy:
    def require_admin(self, action: str, actor: str, **context) -> None:
        raise PermissionDenied(f"{action} refused: this session is read-only")

    def push_catalog(self, data: dict) -> None:
        raise PermissionDenied("read-only session cannot change the catalog")
