from django.apps import AppConfig


class CrmConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "crm"

    def ready(self):
        from crm import receivers
        from workspaces.signals import workspace_created

        workspace_created.connect(receivers.create_default_pipeline, dispatch_uid="crm.create_default_pipeline")
