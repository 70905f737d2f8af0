"""Turns a question (and the conversation so far) into a Query: dates, aliases, senders, follow-ups."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .cite import format_date
from .dates import DateRange, find_dates, shift
from .glossary import AliasTable
from .lexical import SPEECH_VERBS, words
from .records import Document, Query, Turn

# Verbs that make the person before them the author of what is asked about.
_SPEECH = rf"(?:{'|'.join(SPEECH_VERBS)})"
_ADVERB = r"(?:\w+ly|also|first|then|later|ever|never|not|just|once|still|already|at first|in the end)"
_WHO_SUBJECT = re.compile(rf"\W*who\s+(?:first\s+|else\s+)?{_SPEECH}\b", re.I)
# "Why wasn't Mao sure …", "Was Stalin worried …": a state of mind makes its holder the author too.
_STATE = (r"(?:sure|certain|worried|afraid|concerned|hesitant|confident|happy|glad|unhappy|"
          r"against|opposed|in favou?r|keen|willing|unwilling|ready|convinced|satisfied|angry|"
          r"pleased|eager|reluctant|anxious|cautious|wary|suspicious|determined|uneasy|doubtful|"
          r"optimistic|pessimistic|sceptical|skeptical|in no hurry|in a hurry)")
# "How did Stalin respond?", and the ways a reply takes a proposal: "Did Stalin agree?"
_REPLY_CUE = re.compile(r"\b(respond|responded|response|reply|replied|answer(?:ed)?|react(?:ed|ion)?|"
                        r"agreed?|accept(?:ed)?|reject(?:ed)?|approved?|endorsed?|refused?|"
                        r"consent(?:ed)?)\b", re.I)
_NEXT_DAY = re.compile(r"\b(?:the\s+)?(?:next|following)\s+day\b|\bthe\s+day\s+after\b", re.I)
_NEXT_CUE = re.compile(r"\bnext\b|\bafterwards\b|\bthen\b|\blater\b|\bafter\s+that\b", re.I)
_COMPARE = re.compile(r"\b(differ\w*|compar\w*|disagree\w*|agree\w*|versus|vs\.?|both|each\s+side|"
                      r"positions?\s+of|between)\b", re.I)
_BEFORE_CUE = re.compile(r"\bthe\s+day\s+before\b|\bthe\s+previous\s+day\b|\bearlier\b|"
                         r"\bbefore\s+(?:that|this|it|then)\b|\bprior\s+to\s+(?:that|this|it)\b|"
                         r"\bbeforehand\b", re.I)
_HE_SHE = re.compile(r"\b(he|she|him|his|her)\b", re.I)
_PRONOUN = re.compile(r"\b(he|him|his|she|her|they|them|their|it|that|this|those|these)\b", re.I)
_LAST_CUE = re.compile(r"\b(last|final|latest)\s+(telegram|message|cable|letter|document)\b", re.I)
_FIRST_CUE = re.compile(r"\b(first|earliest)\s+(telegram|message|cable|letter|document)\b", re.I)


@dataclass
class ArchiveContext:
    """What query understanding knows of the archive: documents, aliases and its calendar."""

    documents: dict[str, Document]
    aliases: AliasTable
    year: int = 1949
    month: int | None = None
    mentioned: dict[str, list[DateRange]] = field(default_factory=dict)
    """doc_id → the dates its text mentions (days, months, years)."""
    correspondents: dict[str, str] = field(default_factory=dict)
    """Glossary name → the sender/recipient name the manifest uses ("Soviet Union" → "Soviet
    Government"), for people and organisations that wrote or received documents, and for bodies
    that write through one of them (the glossary's ``voice``)."""

    @classmethod
    def build(cls, documents: dict[str, Document], aliases: AliasTable) -> ArchiveContext:
        """Derive the archive's year and month from its dated documents (never from today)."""
        dated = [d.date for d in documents.values() if d.date]
        years = Counter(d[:4] for d in dated)
        months = Counter(d[:7] for d in dated)
        year = int(years.most_common(1)[0][0]) if years else 1949
        month = int(months.most_common(1)[0][0][5:7]) if months else None
        # A date written without its year ("in December", "13 November") is only taken to be in
        # the archive's year when it falls in the archive's own month: otherwise its year is unknown.
        mentioned = {doc.id: [r for r in find_dates(doc.text, year, None)
                              if re.search(r"\d{4}", r.phrase) or int(r.first[5:7]) == month]
                     for doc in documents.values()}
        parties = {n for d in documents.values() for n in (d.sender, d.recipient) if n}
        correspondents = {}
        for entry in aliases.entries:
            match = next((n for n in entry.names if n in parties), None)
            if match:
                correspondents[entry.name] = match
        # A body with no documents of its own speaks through the person who writes for it
        # ("What did the Communist Party publish?" asks about Mao's telegrams).
        for entry in aliases.entries:
            if entry.voice in correspondents and entry.name not in correspondents:
                correspondents[entry.name] = correspondents[entry.voice]
        return cls(documents, aliases, year, month, mentioned, correspondents)

    def handles(self) -> list[tuple[re.Pattern, str]]:
        """(pattern, doc_id) for the ways a question can name one document: "No. 3", its aliases."""
        found = []
        for doc in self.documents.values():
            number = re.match(r"No\.\s*(\d+)\b", doc.title)
            if number:
                found.append((re.compile(rf"\b(?:No\.?|number|#|document|telegram|doc\.?)\s*"
                                         rf"{number.group(1)}\b", re.I), doc.id))
            for alias in doc.aliases:
                found.append((re.compile(rf"(?<!\w){re.escape(alias)}(?!\w)", re.I), doc.id))
        return found

    def dated(self) -> list[Document]:
        """Dated documents in date order."""
        return sorted((d for d in self.documents.values() if d.date), key=lambda d: (d.date, d.id))


def understand(question: str, history: list[Turn], archive: ArchiveContext) -> Query:
    """Read dates, people and conversational references out of ``question``.

    Args:
        question: The user's question, already checked for length.
        history: Earlier turns of this conversation, oldest first.
        archive: The archive's documents, aliases and calendar.

    Returns:
        The Query to retrieve with; ``prefer`` weights documents named by date, author or context.
    """
    prefer: Counter[str] = Counter()
    notes: list[str] = []
    search = question
    sender, recipient, consumed = _author(question, archive)
    ranges = [_offset(question, r) for r in find_dates(question, archive.year, archive.month)] \
        or _anchored(question, archive)
    previous = _previous(history)
    resolved_from = reply_context = None

    restrict: list[str] = []
    read_on: tuple[tuple[str, int], ...] = ()
    carried_topic = False
    if previous is not None and _is_follow_up(question, ranges, archive):
        prev_doc = archive.documents.get(previous.doc_ids[0]) if previous.doc_ids else None
        resolved_from = previous.question
        if prev_doc is not None:
            follow = _follow(question, prev_doc, sender, archive, previous)
            if follow.sender and not sender:
                sender = follow.sender
                # "What did he offer?" is searched as "What did Stalin offer?"
                search = _HE_SHE.sub(lambda m: _named(m.group(0), sender), search, count=1)
                consumed.append(sender)
            for doc_id, weight in follow.docs:
                prefer[doc_id] += weight
            if follow.range is not None and not ranges:
                ranges = [follow.range]
            reply_context = follow.context
            carried = _topic(previous.query.search_text, archive)
            if len(_own_words(question, archive)) <= 1:  # an elliptic question: carry the subject
                search = f"{question} {carried}"
                carried_topic = bool(_own_words(carried, archive) - _DOCUMENT_WORDS_LIKE)
            read_on = follow.read_on
            if read_on:  # "What did he say next?": read on in order, whatever the subject was
                carried_topic = False
            if follow.docs:
                # The follow-up names definite messages: answer from them, on the earlier subject;
                # the carried words steer the search but are not the new question's topic.
                restrict = [doc_id for doc_id, _ in follow.docs]
                consumed.append(carried)
            elif not ranges:
                # No explicit link: keep talking about the same documents and subject, the
                # document the last answer cited first ("When was it published?") most of all;
                # a date of its own ("And on the 15th?") points to other documents.
                for doc_id, weight in zip(dict.fromkeys(previous.doc_ids), (2.0, 1.0), strict=False):
                    prefer[doc_id] += weight
    if _LAST_CUE.search(question) or _FIRST_CUE.search(question):
        dated = [d for d in archive.dated() if d.kind in ("telegram", "cable")
                 and (not sender or d.sender == sender)]
        if dated:
            pick = dated[-1] if _LAST_CUE.search(question) else dated[0]
            prefer[pick.id] += 3.0

    date_range = ranges[0] if ranges else None
    uncovered = False
    mentioned: tuple[tuple[str, int], ...] = ()
    if date_range is not None:
        consumed.append(date_range.phrase)
        # "the telegram dated 13 January", "Mao's 10 January cable": the words naming the
        # dated message are metadata too, not the question's subject.
        vehicle = re.search(rf"\b(?:{_VEHICLES})\s+(?:dated|of|from|sent\s+on|written\s+on)\s+"
                            rf"(?:the\s+)?{re.escape(date_range.phrase)}|\b(?:dated|of)\s+"
                            rf"(?:the\s+)?{re.escape(date_range.phrase)}|{re.escape(date_range.phrase)}"
                            rf"(?:['’]s)?\s+(?:{_VEHICLES})\b", question, re.I)
        if vehicle:
            consumed.append(vehicle.group(0))
        matches = _dated_matches(date_range, archive)
        if len(matches) >= len(archive.dated()):
            matches_prefer = {}  # the archive's own year or month says nothing about which document
        else:
            matches_prefer = matches
        for doc_id, weight in matches_prefer.items():
            prefer[doc_id] += weight
        # A text covers the date if it mentions a date inside it at least as precisely
        # ("1949" alone does not cover "March 1949").
        rank = {"day": 0, "month": 1, "year": 2}
        mentions = [(doc_id, m.start) for doc_id, found in archive.mentioned.items()
                    for m in found if m.first <= date_range.last and date_range.first <= m.last
                    and rank[m.precision] <= rank[date_range.precision]]
        if not matches:
            uncovered = not mentions
            # "What did Mao tell Stalin in 1950?" is answered from what the texts say of 1950,
            # or not at all: never from a message of another year.
            mentioned = tuple(mentions)
            notes.append(f"No document is dated {date_range.label()}"
                         + (f"; the nearest dated documents are {_nearest(date_range, archive)}."
                            if archive.dated() else "."))
    if sender:
        for doc in archive.documents.values():
            if doc.sender == sender and (not recipient or doc.recipient == recipient):
                prefer[doc.id] += 1.0
    for pattern, doc_id in archive.handles():
        match = pattern.search(question)
        if match:
            prefer[doc_id] += 2.5
            consumed.append(match.group(0))
    return Query(
        question=question, search_text=archive.aliases.expand(search),
        dates=(date_range.first, date_range.last) if date_range else (),
        date_label=date_range.label() if date_range else None, sender=sender, recipient=recipient,
        prefer=tuple(sorted(prefer.items(), key=lambda kv: (-kv[1], kv[0]))),
        date_uncovered=uncovered, resolved_from=resolved_from, reply_context=reply_context,
        notes=tuple(notes), consumed=tuple(consumed), restrict=tuple(restrict), read_on=read_on,
        carried_topic=carried_topic, mentions=mentioned,
        sides=_sides(question, archive))


_ANCHOR = re.compile(r"\b(?:on\s+)?the\s+day\s+(after|before)\s+(.+?)'s?\s+(reply|answer|telegram|"
                     r"cable|message|letter|proposal)\b", re.I)


# "Mao's last message", "Stalin's first telegram", "Mao's long cable"
_ORDER = (r"(?:last|first|final|latest|earliest|second|third|next|previous|own|long|short|"
          r"secret|official|\d{1,2}(?:st|nd|rd|th)?\s+\w+\.?)")
_COUNTS = {"the": 1, "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7}
_OFFSET = re.compile(r"\b(the|a|one|two|three|four|five|six|seven|\d)\s+days?\s+(after|before|later than|"
                     r"earlier than)\s+(?:[\w'’.,-]+\s+){0,6}?$", re.I)


def _offset(question: str, found: DateRange) -> DateRange:
    """A day shifted as the words before it say: "the day after Mao's telegram of 13 January" is
    14 January, "two days before 15 January" is 13 January."""
    match = _OFFSET.search(question[:found.start])
    if not match or found.precision != "day":
        return found
    count = _COUNTS.get(match.group(1).lower()) or int(match.group(1))
    days = count if match.group(2).lower().startswith(("after", "later")) else -count
    day = shift(found.first, days)
    return DateRange(day, day, question[match.start():found.end], match.start(), found.end, "day")


def _anchored(question: str, archive: ArchiveContext) -> list[DateRange]:
    """"the day after Mao's reply": a date found through a message named by its author.

    The message is the author's first one of that kind in the archive (a reply is a message that
    replies to another); the date is the day after (or before) it.
    """
    match = _ANCHOR.search(question)
    if not match:
        return []
    people = archive.aliases.canonical(match.group(2), kind="person")
    if not people:
        return []
    wanted_reply = match.group(3).lower() in ("reply", "answer")
    messages = [d for d in archive.dated() if d.sender == people[0] and d.kind != "statement"
                and (d.replies_to or not wanted_reply)]
    if not messages:
        return []
    day = shift(messages[0].date, 1 if match.group(1).lower() == "after" else -1)
    return [DateRange(day, day, match.group(0), match.start(), match.end(), "day")]


def _sides(question: str, archive: ArchiveContext) -> tuple[str, ...]:
    """Two or more senders a question compares ("How did Stalin and Mao differ on …?")."""
    if not _COMPARE.search(question):
        return ()
    senders = {d.sender for d in archive.documents.values()}
    names = [archive.correspondents[name] for _, _, name in archive.aliases.people_positions(question)
             if archive.correspondents.get(name) in senders]
    unique = tuple(dict.fromkeys(names))
    return unique if len(unique) >= 2 else ()


def _previous(history: list[Turn]) -> Turn | None:
    for turn in reversed(history):
        if turn.doc_ids and not turn.abstained:
            return turn
    return None


# Words that name messages rather than a subject ("telegram", "write" is a stopword already).
_VEHICLES = r"telegrams?|cables?|messages?|letters?|notes?|statements?|repl(?:y|ies)|answers?"
_DOCUMENT_WORDS_LIKE = frozenset(words("telegram telegrams message cable letter document tell about "
                                       "send sent"))
_CUE_WORDS = frozenset(words("respond responded response reply replied answer answered react reacted "
                             "reaction next day after before following previous then later "
                             "afterwards add added else more why happen happened"))


def _is_follow_up(question: str, ranges: list[DateRange], archive: ArchiveContext) -> bool:
    """True when the question leans on the conversation rather than standing alone.

    It does when it starts like a continuation ("And …", "Why …"), when it speaks of a person
    ("he", "her") it does not name, or when, once names, cue words ("respond", "the next day")
    and pronouns are set aside, at most two words of its own remain and it has a cue or a
    pronoun, or is very short. A question with its own date stands alone.
    """
    lowered = question.lower().strip()
    if lowered.startswith(("and ", "but ", "so ", "why", "what else", "anything else", "then ")):
        return True
    if ranges:
        return False
    own = _own_words(question, archive)
    cue = bool(_REPLY_CUE.search(question) or _NEXT_CUE.search(question)
               or _BEFORE_CUE.search(question))
    short = len(re.findall(r"\w+", question)) <= 4
    if _HE_SHE.search(question) and not archive.aliases.people_positions(
            question, ("person", "organisation")):
        return True  # "What did he offer instead?": a person only the conversation names
    return len(own) <= 2 and (cue or short or bool(_PRONOUN.search(question)))


def _own_words(question: str, archive: ArchiveContext) -> set[str]:
    """The question's words less people's names and follow-up cue words."""
    names = " ".join(question[start:end]
                     for start, end, _ in archive.aliases.people_positions(question))
    return set(words(question)) - set(words(names)) - _CUE_WORDS


@dataclass
class _Follow:
    docs: list[tuple[str, float]]
    sender: str | None = None
    range: DateRange | None = None
    context: str | None = None
    read_on: tuple[tuple[str, int], ...] = ()


def _follow(question: str, prev: Document, sender: str | None, archive: ArchiveContext,
            previous: Turn) -> _Follow:
    """Which documents a follow-up points to, through reply links and the calendar.

    "How did Stalin respond?" follows reply links (``replies_to``) from the previous answer's
    document, or else takes the sender's next message; "the next day" / "the day before" move
    along the calendar; a bare "next" / "then" is the same document read on, or the author's next
    message.
    """
    author = sender or (prev.sender if re.search(r"\b(he|him|his|she|her)\b", question, re.I)
                        else None)
    # Nobody replies to his own message: "Did Stalin agree?" after Stalin's telegram is no reply cue.
    if _REPLY_CUE.search(question) and not (sender and sender == prev.sender):
        replies = [d for d in archive.dated() if prev.id in d.replies_to
                   and (not sender or d.sender == sender)]
        if not replies and sender:  # no explicit link: the sender's next message after it
            replies = [d for d in archive.dated() if d.sender == sender and prev.date
                       and d.date >= prev.date and d.id != prev.id][:1]
        if replies:
            reply = replies[0]
            context = (f"{_possessive(reply.sender)} reply of {format_date(reply.date)} to "
                       f"{_possessive(prev.sender)} {prev.kind} of {format_date(prev.date)}")
            return _Follow([(d.id, 3.0) for d in replies], reply.sender, None, context)
        return _Follow([])
    calendar_step = (1 if _NEXT_DAY.search(question) else -1 if _BEFORE_CUE.search(question)
                     else 0)
    if calendar_step and prev.date:
        day = shift(prev.date, calendar_step)
        candidates = [d for d in archive.dated() if (d.date == day or d.continues == prev.id)
                      and (not author or d.sender == author)]
        if not candidates:  # nothing that very day: the author's next (or previous) message
            later = calendar_step > 0
            ordered = archive.dated() if later else list(reversed(archive.dated()))
            candidates = [d for d in ordered if (d.date > prev.date if later else d.date < prev.date)
                          and (not author or d.sender == author)][:1]
        label = "the day after" if calendar_step > 0 else "the day before"
        rng = DateRange(day, day, label, 0, 0, "day")
        return _Follow([(d.id, 3.0) for d in candidates], author, rng if candidates else None)
    if _NEXT_CUE.search(question) and prev.date:
        following = [d for d in archive.dated() if d.date >= prev.date and d.id != prev.id
                     and (not author or d.sender == author)][:1]
        shown = [end for doc_id, _, end in previous.spans if doc_id == prev.id]
        # Read on after the passage that answered (the first quoted from it), not after the
        # last of the further passages also shown.
        read_on = ((prev.id, shown[0]),) if shown else ()
        return _Follow([(prev.id, 3.0)] + [(d.id, 2.0) for d in following], author,
                       read_on=read_on)
    return _Follow([], author)


def _topic(search_text: str, archive: ArchiveContext) -> str:
    """The content of an earlier question, without its date words, to carry into a follow-up."""
    for rng in reversed(find_dates(search_text, archive.year, archive.month)):
        search_text = search_text[:rng.start] + search_text[rng.end:]
    return re.sub(r"\b(what|who|when|why|how|did|does|do|on|in|the)\b", " ", search_text,
                  flags=re.I).strip()


def _named(pronoun: str, name: str) -> str:
    return _possessive(name) if pronoun.lower() in ("his", "her") else name


def _possessive(name: str | None) -> str:
    return f"{name}'s" if name else "the"


def _author(question: str, archive: ArchiveContext) -> tuple[str | None, str | None, list[str]]:
    """(sender, recipient, the words naming them) when the question asks what someone said…

    Only people and organisations that wrote or received documents can be senders, under the
    manifest's name for them ("the Soviet government" → "Soviet Government"). A question asking
    who said something ("Who wrote that he and Stalin agreed …?") has no sender to prefer: the
    sender is what it asks for.
    """
    if _WHO_SUBJECT.match(question):
        return None, None, []
    people = [(start, end, archive.correspondents[name]) for start, end, name
              in archive.aliases.people_positions(question, ("person", "organisation"))
              if name in archive.correspondents]
    sender = recipient = None
    consumed = []
    for offset, end, name in people:
        before = question[max(0, offset - 20):offset].lower()
        after = question[end:end + 60]
        if re.match(rf"(?:['’]s?\s+(?:{_ORDER}\s+)?(?:plan|proposal|advice|telegram|reply|answer|view|"
                    rf"suggestion|offer|position|opinion|words|message|cable|letter)|"
                    rf"\s+(?:{_ADVERB}\s+)?{_SPEECH}\b|\s+(?:\w+\s+)?(?:{_ADVERB}\s+)?{_STATE}\b)",
                    after, re.I) or "according to" in before:
            sender = name
            consumed.append(question[offset:end])
            break
    if sender:
        for offset, end, name in people:
            if name != sender and re.search(rf"{_SPEECH}\s+(?:to\s+)?$",
                                            question[max(0, offset - 25):offset], re.I):
                recipient = name
                consumed.append(question[offset:end])
                break
    return sender, recipient, consumed


def _dated_matches(rng: DateRange, archive: ArchiveContext) -> dict[str, float]:
    """Documents carrying a date in the range: 2.0 for its main, heading or signed date, else 1.0."""
    matches: dict[str, float] = {}
    for doc in archive.documents.values():
        if doc.date and rng.contains(doc.date):
            matches[doc.id] = 2.0
            continue
        for dated in doc.dates:
            if rng.contains(dated.date):
                weight = 2.0 if dated.what in ("heading", "signed") else 1.0
                matches[doc.id] = max(matches.get(doc.id, 0.0), weight)
    return matches


def _nearest(rng: DateRange, archive: ArchiveContext) -> str:
    dated = archive.dated()
    before = [d for d in dated if d.date < rng.first][-1:]
    after = [d for d in dated if d.date > rng.last][:1]
    return " and ".join(f"{d.title.split(':')[0]} of {format_date(d.date)}" for d in before + after)
