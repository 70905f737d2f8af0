"""Tests for assistant/quotes.py: focused, verbatim, non-overlapping quotes."""
from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.lexical import stem
from assistant.quotes import (
    QuoteSelector,
    Scored,
    document_request,
    is_dateline,
    is_prose,
    matches,
    topic_words,
)
from assistant.records import Hit, Query
from assistant.retrieve import Retriever


@pytest.mark.parametrize("text, prose", [
    ("Comrade Mao Zedong,", False),
    ("Telegram of J.V. Stalin to Mao Zedong dated 10 January 1949", False),
    ("12 January 1949", False),
    ("Collection of Documents, Moscow, 1959, pp. 200.", False),
    ("3.", False),
    ("10.1.49", False),
    ("Agreed.", True),
    ("It proposes that the USSR mediate.", True),
    ("Your demand for surrender is correct.", True),
])
def test_only_prose_is_quoted(text, prose):
    assert is_prose(text) is prose


def test_topic_words_leave_out_what_was_read_as_metadata():
    query = Query("What did Mao demand on 13 January?", "What did Mao demand on 13 January?",
                  consumed=("Mao", "13 January"))
    assert topic_words(query) == {"demand"}


def test_a_question_naming_documents_but_no_subject_is_a_document_request():
    named = Query("What was sent on 14 January?", "What was sent on 14 January?",
                  prefer=(("tiny-3", 2.0), ("tiny-1", 1.0)), consumed=("14 January",))
    subject = Query("What about surrender on 14 January?", "What about surrender on 14 January?",
                    prefer=(("tiny-3", 2.0),), consumed=("14 January",))
    assert document_request(named) == ["tiny-3"]
    assert document_request(subject) == []


def score(selector, embedder, question: str, **query_fields):
    """The query for ``question`` and the sentences ``selector`` scores for it."""
    query = Query(question, question, **query_fields)
    vector = embedder.encode([question])[0]
    return query, selector.score(query, vector, Retriever(selector.index).search(query, vector, 10))


def select(index, embedder, question: str, **query_fields):
    selector = QuoteSelector(index, max_quotes=5, max_words=60)
    query, scored = score(selector, embedder, question, **query_fields)
    return selector, selector.select(query, scored)


def test_quotes_are_verbatim_slices_without_overlap(tiny_index, fake_embedder):
    _, quotes = select(tiny_index, fake_embedder, "unconditional surrender of the Kuomintang")
    assert quotes, "the tiny corpus answers this"
    assert quotes[0].doc_id == "tiny-2"
    assert "We demand the unconditional surrender of the Kuomintang." in quotes[0].text
    seen = []
    for quote in quotes:
        assert tiny_index.documents[quote.doc_id].text[quote.start:quote.end] == quote.text
        for doc_id, start, end in seen:
            assert doc_id != quote.doc_id or end <= quote.start or quote.end <= start
        seen.append((quote.doc_id, quote.start, quote.end))


def test_navigation_and_headings_are_never_quoted(tiny_index, fake_embedder):
    _, quotes = select(tiny_index, fake_embedder, "Click here to return to the index telegram")
    assert all("Click here" not in q.text and not q.text.startswith("Telegram of") for q in quotes)


def test_an_over_long_passage_is_clipped_to_the_words_that_answer(tiny_index):
    selector = QuoteSelector(tiny_index, max_words=6)
    doc = tiny_index.documents["tiny-2"]
    start = doc.text.index("I received")
    end = doc.text.index("Peiping.") + len("Peiping.")
    s, e = selector._clip("tiny-2", start, end, {"surrender", "kuomintang"})
    assert doc.text[s:e] == "the unconditional surrender of the Kuomintang."
    assert len(doc.text[s:e].split()) <= 6


def test_two_sides_are_both_quoted_when_compared(tiny_index, fake_embedder):
    selector, quotes = select(tiny_index, fake_embedder, "surrender demand", sides=("Stalin", "Mao Zedong"))
    senders = [tiny_index.documents[q.doc_id].sender for q in quotes[:2]]
    assert set(senders) == {"Stalin", "Mao Zedong"}


def test_a_requested_document_is_read_from_its_most_central_sentences(tiny_index, fake_embedder):
    selector = QuoteSelector(tiny_index)
    query = Query("What was sent on 14 January?", "What was sent on 14 January?")
    scored = selector.score_documents(query, fake_embedder.encode(["x"])[0], ["tiny-3"])
    assert [s.sentence.text for s in scored] == [
        "Your demand for surrender is correct.",
        "The delegation should wait until the spring."]
    read_on = selector.score_documents(query, fake_embedder.encode(["x"])[0], ["tiny-2"],
                                       {"tiny-2": tiny_index.documents["tiny-2"].text.index("Mr. Fu")})
    assert [s.sentence.text for s in read_on] == ["Mr. Fu will carry the reply to Peiping."]


def test_scores_keep_their_parts_for_explanation(tiny_index):
    sentence = tiny_index.sentences[0]
    scored = Scored(sentence, similarity=0.5, overlap=0.5, context=1.0, preferred=0.0)
    short = 0.2 if len(sentence.text.split()) < 6 else 0.0
    assert scored.total == pytest.approx(0.5 + 0.4 + 0.25 - short)
    assert scored.evidence == pytest.approx(0.75)


def test_no_hits_no_quotes(tiny_index):
    selector = QuoteSelector(tiny_index)
    assert selector.score(Query("x", "x"), np.zeros(64, dtype=np.float32), [Hit(0, 0.0)][:0]) == []


def test_a_word_matches_its_near_forms_but_a_verb_of_saying_only_itself():
    sentence = {stem(w) for w in ("proposal", "mediation", "talks")}
    prefixes = {w[:5] for w in sentence}
    assert matches(stem("mediators"), sentence, prefixes)
    assert matches("talk", sentence, prefixes)
    assert not matches(stem("propose"), sentence, prefixes)  # "propose" is not "proposal"
    assert not matches("medal", sentence, prefixes)


def test_one_shared_word_does_not_make_a_short_question_a_full_match(tiny_index, fake_embedder):
    selector = QuoteSelector(tiny_index)
    query = Query("surrender", "surrender")
    scored = selector.score(query, fake_embedder.encode(["surrender"])[0],
                            Retriever(tiny_index).search(query, fake_embedder.encode(["surrender"])[0], 10))
    best = next(s for s in scored if "unconditional surrender" in s.sentence.text)
    assert best.overlap == pytest.approx(selector.idf("surrender") / (2 * selector.idf("")))
    assert best.overlap < 0.5


def test_a_reply_is_heard_from_its_opening_line_first(tiny_index, fake_embedder):
    selector = QuoteSelector(tiny_index)
    vector = fake_embedder.encode(["delegation spring"])[0]
    query = Query("delegation spring", "delegation spring")
    scored = selector.score(query, vector, Retriever(tiny_index).search(query, vector, 10))
    assert scored[0].sentence.text == "The delegation should wait until the spring."
    led = selector.lead_with_opening("tiny-3", scored, vector)
    assert led[0].sentence.text == "Your demand for surrender is correct."
    assert len(led) == len(scored) and {s.sentence.id for s in led} == {s.sentence.id for s in scored}


ANNOUNCING = ("No. 9\nTelegram of Mao Zedong to Stalin\n\n"
              "We propose that the Soviet Government answer the note in the following way{mark}\n\n"
              "The USSR declines to mediate. Peace in China is the concern of the Chinese people.\n\n"
              "Mao Zedong")


def announcing_index(tmp_path, fake_embedder, mark: str, text: str = ANNOUNCING):
    from assistant.index import build_index
    from assistant.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = text.replace("{mark}", mark)
    (corpus / "one.txt").write_text(text, encoding="utf-8")
    (corpus / "manifest.jsonl").write_text(json.dumps(
        {"id": "one", "source": "one.txt", "start": 0, "end": len(text), "title": "No. 9",
         "kind": "telegram", "sender": "Mao Zedong", "recipient": "Stalin"}) + "\n", encoding="utf-8")
    return build_index(Settings().replace(corpus_dir=corpus, index_dir=tmp_path / "index"),
                       fake_embedder, progress=False)


@pytest.mark.parametrize("mark, runs_on", [(":", True), (".", False)])
def test_a_sentence_ending_in_a_colon_runs_on_into_what_it_announces(tmp_path, fake_embedder,
                                                                     mark, runs_on):
    index = announcing_index(tmp_path, fake_embedder, mark)
    selector, quotes = select(index, fake_embedder, "How should the Soviet Government answer the note?")
    assert quotes[0].text.startswith("We propose that the Soviet Government answer the note")
    assert ("The USSR declines to mediate." in quotes[0].text) is runs_on


LONG_ANNOUNCEMENT = (
    "We consider that in relation to the long note of the southern government with its proposal "
    "that the USSR accept mediation on ending the civil war in the whole of China and in all its "
    "provinces, the Soviet Government should answer in the following way:\n\n"
    "The USSR always wished to see a peaceful and united China in every season. However, the way "
    "to peace is exclusively the concern of the people of China. The USSR considers mediation "
    "between the two sides unacceptable and says so plainly to every government that asks.\n\n"
    "Mao Zedong")


def test_an_over_long_announcement_is_cut_to_its_last_clause_and_what_it_announces(tmp_path,
                                                                                  fake_embedder):
    index = announcing_index(tmp_path, fake_embedder, ":", text=LONG_ANNOUNCEMENT)
    selector, quotes = select(index, fake_embedder,
                              "How should the Soviet Government answer the note of the southern "
                              "government about mediation in the provinces?")
    # 41 + 29 words: the announcement alone would say nothing; the last announced sentence
    # (17 words) would pass the 60-word limit and stays out.
    assert quotes[0].text == (
        "the Soviet Government should answer in the following way:\n\n"
        "The USSR always wished to see a peaceful and united China in every season. However, the "
        "way to peace is exclusively the concern of the people of China.")
    assert index.documents["one"].text[quotes[0].start:quotes[0].end] == quotes[0].text


def test_a_question_asking_what_was_proposed_leans_to_the_announced_proposal(tmp_path, fake_embedder):
    index = announcing_index(tmp_path, fake_embedder, ":")
    selector = QuoteSelector(index)
    proposed = {index.sentences[i].text for i in selector._proposal_sentences()}
    assert proposed == {
        "We propose that the Soviet Government answer the note in the following way:",
        "The USSR declines to mediate.", "Peace in China is the concern of the Chinese people."}
    for question, flagged in [("What did Mao propose about peace in China?", 1.0),
                              ("What was Mao's advice on peace in China?", 1.0),
                              ("What did Mao say about peace in China?", 0.0),
                              ("Who made the peace offer about China?", 0.0)]:
        query, scored = score(selector, fake_embedder, question)
        peace = next(s for s in scored if s.sentence.text.startswith("Peace in China"))
        assert peace.proposal == flagged


OFFERING = ("No. 9\nTelegram of Stalin to Mao Zedong\n\n"
            "We cannot accept the talks now. The war goes on in the north.\n\n"
            "We insist that you postpone your journey to Moscow. If you want we can send a "
            "comrade to Harbin.\n\n"
            "We cannot close our eyes to the note.\n\n"
            "Stalin")


def test_a_question_asking_what_was_offered_leans_to_the_paragraph_of_the_offer(tmp_path,
                                                                             fake_embedder):
    index = announcing_index(tmp_path, fake_embedder, ":", text=OFFERING)
    selector = QuoteSelector(index)
    # "we cannot" refuses, it does not offer; the offer lends its sense to its whole paragraph.
    assert {index.sentences[i].text for i in selector._offers} == {
        "We insist that you postpone your journey to Moscow.",
        "If you want we can send a comrade to Harbin."}
    for question, flagged in [("What did Stalin offer instead of the journey?", 1.0),
                              ("What was offered to Mao instead of the journey?", 1.0),
                              ("What did Stalin say about the journey?", 0.0),
                              ("Who rejected the peace offer about the journey?", 0.0)]:
        query, scored = score(selector, fake_embedder, question)
        journey = next(s for s in scored if s.sentence.text.startswith("We insist"))
        refusal = next(s for s in scored if s.sentence.text.startswith("We cannot accept"))
        assert (journey.proposal, refusal.proposal) == (flagged, 0.0), question


ASKING = ("No. 9\nTelegram of Stalin to Mao Zedong\n\n"
          "The southern government sent a note to Moscow.\n\nWhat do the southerners want after all? "
          "A respite to rearm their army.\n\n"
          "How should this be countered?\n\n"
          "By fighting on in the north.\n\n"
          "Stalin")


def test_a_question_the_writer_asks_lends_its_match_to_its_answer_and_is_quoted_with_it(
        tmp_path, fake_embedder):
    index = announcing_index(tmp_path, fake_embedder, ":", text=ASKING)
    selector = QuoteSelector(index)
    question = "What did the southerners want after all?"
    query, scored = score(selector, fake_embedder, question)
    by_text = {s.sentence.text: s for s in scored}
    asked = by_text["What do the southerners want after all?"]
    answer = by_text["A respite to rearm their army."]
    assert (answer.similarity, answer.overlap) == (asked.similarity, asked.overlap)
    quotes = selector.select(query, scored)
    assert quotes[0].text == "What do the southerners want after all? A respite to rearm their army."
    # The answer to a question standing as its own paragraph still joins it.
    assert "How should this be countered?\n\nBy fighting on in the north." in [q.text for q in quotes]


def test_a_question_the_writer_asks_is_never_quoted_without_its_answer(tmp_path, fake_embedder):
    long_answer = ("They want a respite to rearm their army, " + "and to buy time " * 12
                   + "before the spring.")  # 58 words: the question cannot join it
    index = announcing_index(tmp_path, fake_embedder, ":", text=ASKING.replace(
        "A respite to rearm their army.", long_answer))
    selector = QuoteSelector(index)
    question = "What did the southerners want after all?"
    query, scored = score(selector, fake_embedder, question)
    # The answer ranked first (as a long answer matching on its own can be): quoted alone.
    scored.sort(key=lambda s: s.sentence.text != long_answer)
    texts = [q.text for q in selector.select(query, scored)]
    assert texts[0] == long_answer
    assert not any(text.endswith("want after all?") for text in texts)


def test_a_clause_too_long_to_quote_whole_is_narrowed_not_dropped(tmp_path, fake_embedder):
    clause = ("it is necessary that the new government order the southern forces to swear an oath "
              "of loyalty and that the fighting against the troops that swore it end at once and "
              "that the fighting go on against the troops that refused the oath of loyalty to the "
              "new government and against every general who refused it in the north or the south "
              "or the east")
    assert len(clause.split()) == 65
    index = announcing_index(tmp_path, fake_embedder, ":", text=ASKING.replace(
        "A respite to rearm their army.", f"Finally, {clause}."))
    selector, quotes = select(index, fake_embedder,
                              "What was to happen to troops that refused the oath of loyalty?")
    first = quotes[0].text
    # The whole clause is over the limit: the best 60 words of it, never the lone "Finally".
    assert len(first.split()) == 60 and first in clause and "refused the oath" in first


def test_a_clipped_quote_keeps_the_question_s_date(tmp_path, fake_embedder):
    sentence = ("On 17 January the deputy minister received the ambassador of the south and "
                "conveyed to him the answer of the government, in which it was noted that the "
                "government holds, as it always has held in the past and will hold in the future, "
                "to the principle of not meddling in the affairs of others, and that it does not "
                "think it useful to take upon itself the mediation which the memorandum mentions.")
    # From the date to "memorandum" is more than 60 words: a quote holds one or the other.
    assert len(sentence[:sentence.index("memorandum")].split()) > 60
    index = announcing_index(tmp_path, fake_embedder, ":", text=ASKING.replace(
        "A respite to rearm their army.", sentence))
    selector = QuoteSelector(index)
    question = "What happened on 17 January about the memorandum?"
    _, scored = score(selector, fake_embedder, question)
    clipped = {dates: selector.select(Query(question, question, dates=dates, consumed=("17 January",)),
                                      [s for s in scored if s.sentence.text == sentence])[0].text
               for dates in [(), ("1949-01-17", "1949-01-17")]}
    assert "17 January" not in clipped[()] and "memorandum" in clipped[()]
    assert clipped[("1949-01-17", "1949-01-17")].startswith("On 17 January the deputy minister")


REFERRING = ("No. 9\nTelegram of Stalin to Mao Zedong\n\n"
             "The southern leader lost the northern provinces and most of the southern army in "
             "the long autumn battles along the great river this year. "
             "The southern leader then called for a truce in his speech at New Year, to the "
             "surprise of his own generals. "
             "{next}\n\n"
             "Stalin")
CALLED = "The southern leader then called for a truce in his speech at New Year"


@pytest.mark.parametrize("following, grows_forward", [
    ("This was designed to give his beaten army a respite and time to bring in new arms.", True),
    ("The main reason behind this is to give his beaten army a respite and new arms.", True),
    ("Such a truce would give his beaten army a respite and time to bring in new arms.", True),
    ("His beaten army would get a respite and time to bring in new arms from abroad.", False),
])
def test_a_sentence_pointing_back_at_the_quote_joins_it_before_the_one_in_front(
        tmp_path, fake_embedder, following, grows_forward):
    # 24 + 21 + 17 words: the core (the truce) takes in one neighbour only.
    index = announcing_index(tmp_path, fake_embedder, ":",
                             text=REFERRING.replace("{next}", following))
    selector, quotes = select(index, fake_embedder,
                              "Why did the southern leader call for a truce at New Year?")
    assert CALLED in quotes[0].text
    assert quotes[0].text.startswith(CALLED) is grows_forward
    assert (following in quotes[0].text) is grows_forward


CREDITED = ("No. 9\nTelegram of Stalin to Mao Zedong\n\n"
            "The southern leader called for a truce at New Year.\n\n"
            "Stalin\n\n"
            "Translated from the Russian by Anna Petrova and Li Wei\n\n"
            "Courtesy: Istoricheskii Arkhiv, No. 2, 1995, pp. 10-12.")


@pytest.mark.parametrize("question, quotable", [
    ("Who translated the telegram from the Russian?", True),
    ("Where was the telegram first published?", True),
    ("What did Stalin say about the Russian truce?", False),
])
def test_a_question_about_translation_or_publication_may_quote_a_credit_line(
        tmp_path, fake_embedder, question, quotable):
    index = announcing_index(tmp_path, fake_embedder, ":", text=CREDITED)
    selector = QuoteSelector(index)
    texts = {s.sentence.text for s in score(selector, fake_embedder, question)[1]}
    assert ("Translated from the Russian by Anna Petrova and Li Wei" in texts) is quotable
    assert ("Courtesy: Istoricheskii Arkhiv, No. 2, 1995, pp. 10-12." in texts) is quotable
    assert "Stalin" not in texts  # a signature is never quoted


def test_a_date_only_mentioned_is_answered_only_from_the_paragraph_that_mentions_it(
        tiny_settings, tiny_index, fake_embedder):
    from assistant.service import Assistant

    assistant = Assistant.open(tiny_settings, fake_embedder)
    paragraph = ("On 9 January we received a note from the Nanjing Government. It proposes that "
                 "the USSR mediate. Com. A.Y. Vishinsky will draft the answer.")
    answer, _ = assistant.ask("What did the Kuomintang demand on 9 January?")
    assert answer.quotes and all(q.doc_id == "tiny-1" and q.text in paragraph
                                 for q in answer.quotes)
    # Without the date, the demand itself (No. 2) is the first quote.
    answer, _ = assistant.ask("What did the Kuomintang demand?")
    assert answer.quotes[0].doc_id != "tiny-1"


@pytest.mark.parametrize("question, quotable", [
    ("When was Mao's telegram about the surrender signed?", True),
    ("What dates does the telegram about the surrender carry?", True),
    ("What did Mao demand a few days after the note?", False),
])
def test_a_question_asking_for_a_date_may_quote_the_line_that_gives_it(tiny_index, fake_embedder,
                                                                        question, quotable):
    selector = QuoteSelector(tiny_index)
    query, scored = score(selector, fake_embedder, question)
    texts = {s.sentence.text for s in scored}
    assert ("12 January 1949" in texts) is quotable
    assert "Click here to return to the index." not in texts


def test_a_dateline_is_a_short_line_with_a_day_and_month():
    assert is_dateline("Telegram of Mao Zedong to J.V. Stalin dated 13 January 1949")
    assert is_dateline("12th January 1949") and is_dateline("January 14, 1949")
    assert not is_dateline("Comrade Fillipov,") and not is_dateline("1949")
