"""CRM list filters (contract §5, §8), one module per resource."""
