"""Text as users type it: one Unicode form for Vietnamese.

Unikey's "combining Unicode" setting (NFD) writes a Vietnamese letter as a base letter plus combining
marks; it looks the same but compares unequal to the precomposed (NFC) form the program and the plan keywords use. Every
text that comes in (plan files, config, chat input) goes through `nfc` before it is compared or stored.
"""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """`text` in Unicode normalisation form C (precomposed letters)."""
    return unicodedata.normalize("NFC", text)
