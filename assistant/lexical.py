"""Word tokenizer shared by the BM25 index, query analysis and quote scoring."""
from __future__ import annotations

import re

STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most
my myself no nor not now of off on once only or other our ours ourselves out over own same she should
so some such than that the their theirs them themselves then there these they this those through to
too under until up very was we were what when where which while who whom why will with would you your
yours yourself yourselves tell me please say said says write wrote written did does shall may might
must also us mr com comrade
""".split())
# Bumped whenever `words` changes: the index records it, so a BM25 index of other words is stale.
TOKENIZER_VERSION = 1
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def stem(word: str) -> str:
    """A light English stemmer: possessives, plurals, -ed, -ing and a final -e.

    "proposed", "propose" and "proposes" meet at "propos"; it is applied the same way to
    documents and questions, so a name it clips ("Nanjing" → "nanj") still matches itself.
    """
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    """Lower-cased, stemmed content words of ``text`` (stopwords removed)."""
    text = text.replace("\u2019", "'").lower()
    return [stem(w) for w in _WORD.findall(text) if w not in STOPWORDS]
