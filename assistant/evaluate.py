"""Batch answering of question files and the evaluation metrics of ../shared/eval, by question kind."""
from __future__ import annotations

import json
import re
import statistics
from collections.abc import Iterable
from pathlib import Path

from .errors import InputError
from .render import answer_to_dict
from .service import Assistant, Conversation


def read_questions(path: Path) -> tuple[list[dict], list[str]]:
    """Read a question file; returns (questions, problems) where each problem names its line."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    questions, problems = [], []
    seen: set = set()
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            problems.append(f"{path}:{number}: not valid UTF-8")
            continue
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{number}: not valid JSON ({exc.msg})")
            continue
        problem = _question_problem(item, seen)
        if problem:
            problems.append(f"{path}:{number}: {problem}")
        else:
            seen.add(item["id"])
            questions.append(item)
    return questions, problems


def _question_problem(item: object, seen: set) -> str | None:
    """What makes one parsed line unusable as a question, or None."""
    if not isinstance(item, dict) or "id" not in item:
        return "expected an object with an id"
    qid = item["id"]
    if isinstance(qid, bool) or not isinstance(qid, str | int):
        return "the id must be a string or a number"
    if qid in seen:
        return f"duplicate id {qid!r}"
    if "turns" in item:
        turns = item["turns"]
        if not (isinstance(turns, list) and turns and all(isinstance(t, str) for t in turns)):
            return "needs a 'question' string or a 'turns' list of strings"
    elif not isinstance(item.get("question"), str):
        return "needs a 'question' string or a 'turns' list of strings"
    # JSON may escape half of a surrogate pair ("\ud800"): no valid text, and unwritable as UTF-8.
    texts = [str(qid), *(item["turns"] if "turns" in item else [item["question"]])]
    if any(not _is_unicode(text) for text in texts):
        return "holds an unpaired surrogate escape (\\ud800-\\udfff), which is not text"
    return None


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def answer_all(assistant: Assistant, questions: Iterable[dict]) -> Iterable[dict]:
    """Answer each question (every turn of a conversation, in order) as batch output lines."""
    for item in questions:
        conversation = Conversation(assistant)
        turns = item.get("turns") or [item["question"]]
        try:
            for turn in turns[:-1]:
                conversation.ask(turn)
            answer = conversation.ask(turns[-1])
            yield answer_to_dict(answer, item["id"])
        except InputError as exc:
            yield {"id": item["id"], "question": turns[-1], "answer": f"Not answered: {exc}",
                   "abstained": True, "quotes": [], "notes": [str(exc)], "latency_ms": 0.0}


def fold(text: str) -> str:
    """Lower-case, unify quotes and dashes, collapse whitespace (as the scorer does)."""
    for a, b in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'),
                 ("\u2013", "-"), ("\u2014", "-")):
        text = text.replace(a, b)
    return re.sub(r"\s+", " ", text).strip().lower()


def metrics(questions: list[dict], answers: dict[str, dict], corpus_text: str) -> dict:
    """doc@1, doc@3, phrase@3, abstain_ok, false_abstain, verbatim, quote words and latency."""
    corpus = fold(corpus_text)
    n_ans = doc1 = doc3 = false_abstain = n_phr = phr3 = n_oob = abstain_ok = 0
    n_quotes = verbatim = 0
    words, latencies = [], []
    for q in questions:
        a = answers.get(q["id"])
        if a is None:
            continue
        quotes = a.get("quotes") or []
        for quote in quotes:
            n_quotes += 1
            verbatim += bool(quote["text"]) and fold(quote["text"]) in corpus
            words.append(len(quote["text"].split()))
        latencies.append(float(a.get("latency_ms", 0.0)))
        expected = set(q.get("expected_docs") or [])
        if not expected:
            n_oob += 1
            abstain_ok += bool(a.get("abstained"))
            continue
        n_ans += 1
        false_abstain += bool(a.get("abstained"))
        ids = [quote["doc_id"] for quote in quotes]
        doc1 += bool(ids) and ids[0] in expected
        doc3 += any(i in expected for i in ids[:3])
        if q.get("answer_contains"):
            n_phr += 1
            top = fold(" ".join(quote["text"] for quote in quotes[:3]))
            phr3 += any(fold(p) in top for p in q["answer_contains"])

    def ratio(num: int, den: int):
        return round(num / den, 3) if den else None

    return {
        "questions": len(questions), "doc@1": ratio(doc1, n_ans), "doc@3": ratio(doc3, n_ans),
        "phrase@3": ratio(phr3, n_phr), "abstain_ok": ratio(abstain_ok, n_oob),
        "false_abstain": ratio(false_abstain, n_ans), "verbatim": ratio(verbatim, n_quotes),
        "quote_words_p50": statistics.median(words) if words else None,
        "latency_ms_p50": round(statistics.median(latencies), 1) if latencies else None,
        "latency_ms_p95": (round(sorted(latencies)[int(0.95 * (len(latencies) - 1))], 1)
                           if latencies else None),
    }


def evaluate(questions: list[dict], answers: dict[str, dict], corpus_text: str) -> dict:
    """Overall metrics plus the same metrics for each question kind."""
    kinds = sorted({q.get("kind", "unknown") for q in questions})
    return {"overall": metrics(questions, answers, corpus_text),
            "by_kind": {kind: metrics([q for q in questions if q.get("kind", "unknown") == kind],
                                      answers, corpus_text) for kind in kinds}}
