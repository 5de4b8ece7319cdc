"""Benchmarks: realistic seed data (`manage.py seed_workspace`), the load run (`make bench`,
`benchmarks/run.py`) and the floor it is measured against (`benchmarks/floor.py`)."""
