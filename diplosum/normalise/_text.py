"""Lookup keys of names: folded case and accents, punctuation and "the" removed.

The shipped gazetteer (``diplosum/data/cities.tsv``) is keyed with :func:`_key`:
``tests/test_gazetteer.py`` fails if it changes under the files.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_NON_WORD = r"[^0-9a-z]+"
_EDGE_PUNCT = ',;:.!?()[]{}"“”«»'


def _fold(text: str) -> str:
    """Case- and accent-fold: "Türkiye" -> "turkiye"."""
    text = text.translate(_APOSTROPHES)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return text.casefold()


def _key(text: str) -> str:
    """Lookup key: "the U.S." -> "us", "Côte d'Ivoire" -> "cote divoire", "&" -> "and"."""
    folded = _fold(text).replace(".", "").replace("'", "").replace("&", " and ")
    words = ("saint" if word == "st" else word for word in re.split(_NON_WORD, folded))
    return " ".join(word for word in words if word and word != "the")


def _strip_possessive(text: str) -> tuple[str, bool]:
    """ "Türkiye's" -> ("Türkiye", True); "Hamas'" -> ("Hamas", True)."""
    text = text.strip().strip(_EDGE_PUNCT).translate(_APOSTROPHES)
    if text.endswith("'s"):
        return text[:-2], True
    if text.endswith("s'"):
        return text[:-1], True
    return text, False
