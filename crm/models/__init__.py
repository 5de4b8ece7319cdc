"""CRM models, one module per resource; import them from `crm.models`."""

from crm.models.companies import Company
from crm.models.contacts import Contact

__all__ = ["Company", "Contact"]
