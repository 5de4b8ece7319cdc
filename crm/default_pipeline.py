"""The pipeline every workspace starts with (contract §4): one place for its name and stages,
used by the `workspace_created` receiver and by the migration that backfills older workspaces."""

DEFAULT_PIPELINE_NAME = "Sales Pipeline"
DEFAULT_STAGES: tuple[tuple[str, str], ...] = (
    ("Lead", "open"),
    ("Qualified", "open"),
    ("Proposal", "open"),
    ("Negotiation", "open"),
    ("Won", "won"),
    ("Lost", "lost"),
)
