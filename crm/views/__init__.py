"""CRM viewsets, one module per resource."""
