"""Print the abstention trade-off curve: refusals of unanswerable vs answerable questions by threshold.

Usage (from the project root, index built):
    python scripts/calibrate_abstention.py [QUESTIONS.jsonl ...]

Defaults to ../shared/eval/questions.jsonl, eval/probe_questions.jsonl and
eval/probe2_questions.jsonl. A question is unanswerable when its ``expected_docs`` is empty. For
each (threshold, coverage floor) pair the script prints the share of unanswerable questions
refused (abstain_ok, higher is better) and of answerable ones refused (false_abstain, lower is
better), then the pair in force.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.abstain import decide, gather_evidence  # noqa: E402
from assistant.quotes import document_request  # noqa: E402
from assistant.service import Assistant, Conversation  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.understand import understand  # noqa: E402

DEFAULTS = [ROOT.parent / "shared" / "eval" / "questions.jsonl", ROOT / "eval" / "probe_questions.jsonl",
            ROOT / "eval" / "probe2_questions.jsonl"]


def features(assistant: Assistant, item: dict):
    """(answerable, query, evidence) for the last turn of a question line; None if not scored."""
    conversation = Conversation(assistant)
    turns = item.get("turns") or [item["question"]]
    for turn in turns[:-1]:
        conversation.ask(turn)
    question = turns[-1]
    query = understand(question, conversation.turns, assistant.archive)
    if document_request(query):
        return None  # answered from the named documents: no abstention decision is taken
    vector = assistant.embedder.encode([query.search_text])[0]
    hits = assistant.retriever.search(query, vector, assistant.settings.retrieve_k,
                                      set(query.restrict) or None)
    scored = assistant.selector.score(query, vector, hits)
    evidence = gather_evidence(question, query, scored, assistant.vocabulary,
                               assistant.known_words, assistant.selector.idf)
    return bool(item.get("expected_docs")), query, evidence


def main(paths: list[str]) -> int:
    settings = Settings.from_env(os.environ)
    assistant = Assistant.open(settings)
    rows = []
    for path in paths or DEFAULTS:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = features(assistant, json.loads(line))
                if row is not None:
                    rows.append(row)
    answerable = sum(1 for a, _, _ in rows if a)
    unanswerable = len(rows) - answerable
    print(f"{len(rows)} scored questions: {answerable} answerable, {unanswerable} unanswerable")
    print(f"{'threshold':>9} {'coverage':>9} {'abstain_ok':>11} {'false_abstain':>14}")
    for floor in (0.0, 0.3, 0.4, 0.5):
        for step in range(0, 13):
            threshold = 0.30 + 0.025 * step
            refused = [(a, decide(q, e, threshold, floor)) for a, q, e in rows]
            ok = sum(1 for a, r in refused if not a and r) / max(unanswerable, 1)
            false = sum(1 for a, r in refused if a and r) / max(answerable, 1)
            mark = "  <- in force" if (abs(threshold - settings.abstain_below) < 1e-9
                                       and floor == settings.coverage_floor) else ""
            print(f"{threshold:>9.3f} {floor:>9.2f} {ok:>11.3f} {false:>14.3f}{mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
