from django.apps import AppConfig


class CustomfieldsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "customfields"
