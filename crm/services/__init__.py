"""CRM writes, one module per resource. Each function takes the workspace (or an object of
it) explicitly, runs in a transaction and returns the saved object."""
