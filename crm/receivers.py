"""Signal receivers of the CRM app, connected in `CrmConfig.ready`."""

from crm.services.pipelines import pipeline_create_default


def create_default_pipeline(sender, workspace, **kwargs):
    """Every new workspace starts with the "Sales Pipeline" (inside workspace_create's transaction)."""
    pipeline_create_default(workspace=workspace)
