"""Trust: assumptions the office confirms, delegation and extensions (their chat and CLI words live here)."""
