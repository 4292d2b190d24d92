"""Imports every module that defines tables, so Base.metadata knows the whole schema."""

from hub.audit import models as audit_models  # noqa: F401
from hub.catalog import models as catalog_models  # noqa: F401
from hub.egress import models as egress_models  # noqa: F401
