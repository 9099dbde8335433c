"""Channel-neutral conversation: what a message says (text blocks) and offers (actions), drawn per channel."""
