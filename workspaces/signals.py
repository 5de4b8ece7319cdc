"""`workspace_created` is sent inside the transaction that creates a workspace, so apps can
add what every workspace starts with (the CRM app adds the default pipeline)."""

from django.dispatch import Signal

workspace_created = Signal()  # kwargs: workspace
