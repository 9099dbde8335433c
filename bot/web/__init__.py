"""The member's personal web page: what a text channel can't carry (documents, metadata, metric values)."""
