"""Reading plan files: YAML with positions, validation, messages that name file, line and field."""
