"""CRM models, one module per resource; import them from `crm.models`."""

from crm.models.activities import Activity, ActivityType
from crm.models.companies import Company
from crm.models.contacts import Contact
from crm.models.deals import Deal
from crm.models.pipelines import Pipeline, Stage, StageType

__all__ = ["Activity", "ActivityType", "Company", "Contact", "Deal", "Pipeline", "Stage", "StageType"]
