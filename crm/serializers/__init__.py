"""CRM serializers, one module per resource, plus the field types they share."""
