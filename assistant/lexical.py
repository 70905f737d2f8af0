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
must also us mr com comrade though although even however really actually ever
""".split())
# Bumped whenever `words` changes: the index records it, so a BM25 index of other words is stale.
TOKENIZER_VERSION = 2
# Verbs of saying and thinking: the person before one is the author of what is asked about
# ("What did Stalin advise …"); in quote scoring they match only themselves, never their nouns
# ("propose" is not "proposal": an archive about a peace proposal names it everywhere).
SPEECH_VERBS = """
    say said says write wrote written propose proposed suggest suggested advise advised ask
    asked tell told offer offered reply replied respond responded answer answered want wanted
    think thought insist insisted demand demanded request requested send sent plan planned
    argue argued warn warned report reported state stated claim claimed consider considered add
    added mean meant believe believed fear feared hope hoped describe described explain
    explained promise promised recommend recommended expect expected agree agreed refuse
    refused reject rejected accept accepted decide decided intend intended worry worried doubt
    doubted favour favor favoured favored oppose opposed support supported urge urged prefer
    preferred predict predicted reckon reckoned assume assumed know knew feel felt object
    objected accuse accused complain complained admit admitted announce announced declare
    declared inform informed mention mentioned stress stressed emphasise emphasize emphasised
    emphasized lay laid raise raised note noted see saw view viewed react reacted need needed
    hesitate hesitated concede conceded publish published issue issued decline declined deny
    denied compare compared liken likened call called characterise characterize characterised
    characterized criticise criticize criticised criticized blame blamed praise praised assure
    assured remind reminded recall recalled repeat repeated conclude concluded estimate
    estimated threaten threatened welcome welcomed approve approved instruct instructed
    acknowledge acknowledged regard regarded anticipate anticipated confirm confirmed
""".split()
PREFIX = 5  # words sharing their first five letters are near matches ("mediators" ~ "mediation")
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)$")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def stem(word: str) -> str:
    """A light English stemmer: possessives, plurals, -ed, -ing and a final -e.

    "proposed", "propose" and "proposes" meet at "propos"; it is applied the same way to
    documents and questions, so a name it clips ("Nanjing" → "nanj") still matches itself.
    """
    if word[0].isdigit():
        return _ORDINAL.sub("", word)  # "9th" is the same day as "9"
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
    """Lower-cased, stemmed content words of ``text`` (stopwords and negated auxiliaries such as
    "wasn't" removed, before and after stemming: "saying" goes the way of "say")."""
    text = text.replace("\u2019", "'").lower()
    stems = (stem(w) for w in _WORD.findall(text) if w not in STOPWORDS and not w.endswith("n't"))
    return [w for w in stems if w not in STOPWORDS]


def prefixes(stems) -> set[str]:
    """The first PREFIX letters of each stem long enough to have them."""
    return {w[:PREFIX] for w in stems if len(w) >= PREFIX}


def near_match(word: str, stems: set[str], stem_prefixes: set[str]) -> bool:
    """True if ``stems`` hold ``word`` or a word of the same first PREFIX letters (truncation
    stemming: "militarily" is near "military"); ``stem_prefixes`` is ``prefixes(stems)``."""
    return word in stems or (len(word) >= PREFIX and word[:PREFIX] in stem_prefixes)


class Vocabulary:
    """A set of stemmed words that also holds a word when it holds a near one (:func:`near_match`)."""

    def __init__(self, stems) -> None:
        self.words = set(stems)
        self.prefixes = prefixes(self.words)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and near_match(word, self.words, self.prefixes)


SPEECH_STEMS = frozenset(words(" ".join(SPEECH_VERBS)))
