"""CRM reads that views and includes share, one module per resource."""
