"""Storage: SQLAlchemy 2 models, migrations, repositories (SQLite by default, PostgreSQL too)."""
