"""The article's language, read off its script and its commonest words (no model, no download).

The 1.5B model's ``language`` is often the language of the country the article is about ("tr"
for an English report on Türkiye). The text itself is the better evidence: a non-Latin script
names its language (or the usual one), and for Latin-script text the function words of a few
dozen words settle it. :func:`detect_language` returns None when the text does not settle it,
and the model's answer stands.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

__all__ = ["detect_language"]

# The commonest function words of each language, chosen to overlap little between languages.
_WORDS = {
    "en": """the and of to that is was for with said by as at from which this have has were
        are will would its their""",
    "fr": """le la les des et est une dans que pour qui sur pas au du avec ce sont été aux
        mais ont cette""",
    "es": """el los las del y que una por con para es se al como más pero sus fue ha también
        han entre""",
    "de": """der die das und ist nicht mit den von sich auf für ein eine dem zu des im sind
        wurde auch""",
    "it": "il di che della per una non con sono gli delle nel alla è del dei ha anche questo",
    "pt": """o os da do das dos que não uma com para em por é ao foi são mais também pelo
        pela""",
    "tr": "ve bir bu için ile olarak çok daha gibi ancak olan ise değil sonra kadar dedi",
    "nl": "het een van en is dat niet met voor op zijn ook aan werd heeft naar bij maar",
}
_STOPWORDS = {code: frozenset(words.split()) for code, words in _WORDS.items()}

# Scripts that name their language (or its usual one in news text).
_SCRIPTS: tuple[tuple[str, str], ...] = (
    ("ARABIC", "ar"),
    ("HEBREW", "he"),
    ("GREEK", "el"),
    ("DEVANAGARI", "hi"),
    ("THAI", "th"),
    ("HANGUL", "ko"),
    ("HIRAGANA", "ja"),
    ("KATAKANA", "ja"),
    ("CJK", "zh"),
    ("CYRILLIC", "ru"),
)
_UKRAINIAN = frozenset("іїєґ")
_PERSIAN = frozenset("پچژگ")
_URDU = frozenset("ٹڈڑےں")
_WORD = re.compile(r"[^\W\d_]+")
_SAMPLE = 4000  # characters read: enough to settle it, cheap on a long article
_MIN_HITS = 5  # function words needed before a Latin-script guess counts
_MARGIN = 1.5  # the winner needs this many times the runner-up's hits


def _script(text: str) -> str | None:
    counts: Counter[str] = Counter()
    letters = 0
    for char in text:
        if not char.isalpha():
            continue
        letters += 1
        if char.isascii():
            continue
        name = unicodedata.name(char, "")
        for script, code in _SCRIPTS:
            if name.startswith(script):
                counts[code] += 1
                break
    if not counts or letters == 0:
        return None
    code, count = counts.most_common(1)[0]
    if count < letters / 2:
        return None
    if code == "zh" and (counts["ja"] > count / 10):
        return "ja"
    if code == "ru" and any(c in _UKRAINIAN for c in text.casefold()):
        return "uk"
    if code == "ar" and any(c in _URDU for c in text):
        return "ur"
    if code == "ar" and any(c in _PERSIAN for c in text):
        return "fa"
    return code


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or None when the text does not settle it."""
    sample = text[:_SAMPLE]
    script = _script(sample)
    if script is not None:
        return script
    words = Counter(w.casefold() for w in _WORD.findall(sample))
    hits = {code: sum(words[w] for w in stop) for code, stop in _STOPWORDS.items()}
    ranked = sorted(hits.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < _MIN_HITS or top < second * _MARGIN:
        return None
    return best
