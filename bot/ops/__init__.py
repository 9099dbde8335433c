"""Operations: version, status, database checks, backup and restore, health and metrics, fault weather."""
