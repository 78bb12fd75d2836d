"""Storage: tables, migrations, database sessions and the project folders on disk."""
