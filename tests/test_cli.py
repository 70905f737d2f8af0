"""Tests for assistant/cli.py: exit codes, one-line errors, batch and eval output (fake model)."""
from __future__ import annotations

import json

import pytest
from conftest import FakeEmbedder

from assistant.cli import main
from assistant.corpus import load_corpus


@pytest.fixture
def fake_model(monkeypatch):
    """Make every command use the fake embedder instead of the packaged model."""
    import assistant.embed
    import assistant.service

    monkeypatch.setattr(assistant.embed, "PackagedMiniLM", FakeEmbedder)
    monkeypatch.setattr(assistant.service, "PackagedMiniLM", FakeEmbedder)


@pytest.fixture
def paths(tiny_settings):
    return ["--corpus", str(tiny_settings.corpus_dir), "--index", str(tiny_settings.index_dir)]


@pytest.fixture
def indexed(paths, fake_model, capsys):
    """The tiny corpus indexed through the CLI itself."""
    assert main([*paths, "index", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    return paths


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_ask_without_index_is_a_one_line_user_error(paths, capsys, tiny_settings):
    assert main([*paths, "ask", "What did Mao propose?"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    line = _one_error_line(captured.err)
    assert line.startswith(f"error: no index at {tiny_settings.index_dir}; build it with ")


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["ask"], ["ask", "q", "--colour"],
                                  ["--corpus"]])
def test_misuse_exits_2_with_usage(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: assistant")
    assert "Traceback" not in err


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == "assistant 0.1.0\n"


def test_unknown_environment_variable_is_a_user_error(paths, monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_FOO", "1")
    assert main([*paths, "ask", "What did Mao propose?"]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith("error: unknown environment variable ASSISTANT_FOO; known: ")


def test_index_if_stale_skips_an_up_to_date_index(indexed, capsys, tiny_settings):
    assert main([*indexed, "index", "--if-stale"]) == 0
    assert capsys.readouterr().err == f"Index at {tiny_settings.index_dir} is up to date.\n"


def test_ask_prints_text_and_json(indexed, capsys, tiny_settings):
    documents = {d.id: d for d in load_corpus(tiny_settings.corpus_dir)}
    assert main([*indexed, "ask", "--json", "Where will Mr. Fu carry the reply?"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    row = json.loads(captured.out)
    assert row["question"] == "Where will Mr. Fu carry the reply?"
    assert row["quotes"], row
    for quote in row["quotes"]:
        assert documents[quote["doc_id"]].text[quote["start"]:quote["end"]] == quote["text"]
    assert main([*indexed, "ask", "Where will Mr. Fu carry the reply?"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0] == row["answer"]
    assert f"[{row['quotes'][0]['doc_id']}, characters " in text


def test_ask_with_an_empty_question_is_a_user_error(indexed, capsys):
    assert main([*indexed, "ask", "   "]) == 1
    assert _one_error_line(capsys.readouterr().err) == (
        "error: please type a question about the documents")


def test_ask_with_a_stale_index_is_a_user_error(indexed, capsys, tiny_settings):
    with (tiny_settings.corpus_dir / "cable.txt").open("a", encoding="utf-8") as fh:
        fh.write("A late addition.\n")
    assert main([*indexed, "ask", "What did Mao propose?"]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert line == (f"error: the index at {tiny_settings.index_dir} was built from another "
                    "version of the corpus (changed: cable.txt); rebuild it with "
                    "`python -m assistant index` "
                    "(or `make run`, which rebuilds it)")


def test_batch_reports_bad_lines_and_answers_the_others(indexed, capsys, tmp_path, tiny_settings):
    questions = tmp_path / "questions.jsonl"
    questions.write_text("\n".join([
        json.dumps({"id": "q1", "question": "What did Mao demand of the Kuomintang?"}),
        '{"id": "q2", "question": ',
        json.dumps({"id": "q3", "turns": ["What did Mao write on 13 January?",
                                          "How did Stalin respond?"]}),
        json.dumps({"question": "a question without an id"}),
        "",
        json.dumps({"id": "q6", "question": "   "}),
        json.dumps({"id": "q7", "turns": []}),
    ]) + "\n", encoding="utf-8")
    answers = tmp_path / "answers.jsonl"
    assert main([*indexed, "batch", str(questions), str(answers)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines() == [
        f"skipped {questions}:2: not valid JSON (Expecting value)",
        f"skipped {questions}:4: expected an object with an id",
        f"skipped {questions}:7: needs a 'question' string or a 'turns' list of strings",
        f"answered 3 question(s) into {answers}; skipped 3 bad line(s)",
    ]
    rows = [json.loads(line) for line in answers.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == ["q1", "q3", "q6"]
    assert rows[1]["question"] == "How did Stalin respond?"  # the last turn is the one answered
    assert rows[2] == {"id": "q6", "question": "   ",
                       "answer": "Not answered: please type a question about the documents",
                       "abstained": True, "quotes": [],
                       "notes": ["please type a question about the documents"], "latency_ms": 0.0}
    documents = {d.id: d for d in load_corpus(tiny_settings.corpus_dir)}
    for row in rows:
        for quote in row["quotes"]:
            assert documents[quote["doc_id"]].text[quote["start"]:quote["end"]] == quote["text"]


def test_batch_of_good_lines_exits_0(indexed, capsys, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "a", "question": "Who used a pseudonym?"}) + "\n",
                         encoding="utf-8")
    answers = tmp_path / "a.jsonl"
    assert main([*indexed, "batch", str(questions), str(answers)]) == 0
    assert capsys.readouterr().err == f"answered 1 question(s) into {answers}\n"
    assert [json.loads(line)["id"] for line in answers.read_text().splitlines()] == ["a"]


def test_batch_file_errors_are_one_line(indexed, capsys, tmp_path):
    missing = tmp_path / "missing.jsonl"
    assert main([*indexed, "batch", str(missing), str(tmp_path / "out.jsonl")]) == 1
    assert _one_error_line(capsys.readouterr().err) == (
        f"error: cannot read {missing}: No such file or directory")
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "a", "question": "Who?"}) + "\n", encoding="utf-8")
    target = tmp_path / "no-such-folder" / "out.jsonl"
    assert main([*indexed, "batch", str(questions), str(target)]) == 1
    assert _one_error_line(capsys.readouterr().err) == (
        f"error: cannot write {target}: folder {target.parent} does not exist")


def _eval_questions(tmp_path):
    path = tmp_path / "eval.jsonl"
    path.write_text("\n".join(json.dumps(q) for q in [
        {"id": "f1", "question": "What did Mao demand of the Kuomintang?",
         "expected_docs": ["tiny-2"], "answer_contains": ["unconditional surrender"],
         "kind": "factual"},
        {"id": "f2", "question": "Who should wait until the spring?", "expected_docs": ["tiny-3"],
         "kind": "factual"},
        {"id": "u1", "turns": ["What did Stalin write on 10 January?", "How did Mao reply?"],
         "expected_docs": ["tiny-2"], "kind": "follow-up"},
        {"id": "o1", "question": "Who won the 1936 Olympic marathon?", "expected_docs": [],
         "kind": "out-of-corpus"},
    ]) + "\n", encoding="utf-8")
    return path


def test_eval_prints_a_table_with_a_row_per_kind(indexed, capsys, tmp_path):
    answers = tmp_path / "answers.jsonl"
    assert main([*indexed, "eval", str(_eval_questions(tmp_path)), "--answers", str(answers)]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.out.splitlines()
    assert lines[0].split() == ["kind", "n", "doc@1", "doc@3", "phrase@3", "abstain_ok",
                                "false_abstain", "verbatim", "quote_words_p50", "latency_ms_p50"]
    assert [line.split()[:2] for line in lines[1:]] == [
        ["overall", "4"], ["factual", "2"], ["follow-up", "1"], ["out-of-corpus", "1"]]
    # A kind without out-of-corpus questions has no abstain_ok; every quote is verbatim.
    factual = lines[2].split()
    assert factual[5] == "-" and factual[7] == "1.0"
    assert [json.loads(r)["id"] for r in answers.read_text().splitlines()] == ["f1", "f2", "u1",
                                                                             "o1"]


def test_eval_json(indexed, capsys, tmp_path):
    assert main([*indexed, "eval", "--json", str(_eval_questions(tmp_path))]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted(report) == ["by_kind", "overall"]
    assert sorted(report["by_kind"]) == ["factual", "follow-up", "out-of-corpus"]
    assert report["overall"]["questions"] == 4
    assert report["by_kind"]["out-of-corpus"]["doc@1"] is None
    assert report["overall"]["verbatim"] == 1.0


# --- bring your own archive: add, remove, list ------------------------------------------------

def test_add_list_ask_remove_through_the_command_line(indexed, capsys, tmp_path, tiny_settings):
    from archive_files import write_archive
    from test_library import ADDED, skipped_reasons

    archive = write_archive(tmp_path / "archive")
    assert main([*indexed, "add", str(archive), "--quiet"]) == 1  # some files were skipped
    captured = capsys.readouterr()
    assert captured.out == (f"Added 4 document(s): {', '.join(ADDED)}; skipped 4 file(s); index "
                            "updated (4 document(s) embedded, 4 unchanged reused).\n")
    assert captured.err.splitlines() == [f"skipped {path}: {reason}"
                                         for path, reason in skipped_reasons(archive)]

    assert main([*indexed, "list", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[-1] == {"id": "sokolov-reply", "title": "Reply of Ivan Sokolov to Anna Petrova",
                        "date": "1951-03-09", "date_guessed": False, "sender": "Ivan Sokolov",
                        "recipient": "Anna Petrova", "chunks": 1, "pages": None}
    assert [(r["id"], r["date_guessed"], r["pages"]) for r in rows[4:6]] == [
        ("catalogue-note", True, None), ("inventory", True, 2)]

    assert main([*indexed, "ask", "Where was the crate of celadon bowls damaged?"]) == 0
    text = capsys.readouterr().out
    assert ("— document, 20 March 1951 (date guessed from the text); file inventory.pdf; p. 2 "
            "[inventory, characters 168–289]") in text

    assert main([*indexed, "remove", "inventory", "--quiet"]) == 0
    assert capsys.readouterr().out == ("Removed 1 document(s): inventory; index updated "
                                       "(0 document(s) embedded, 7 unchanged reused).\n")
    assert main([*indexed, "remove", "inventory"]) == 1
    assert _one_error_line(capsys.readouterr().err) == (
        f"error: no document 'inventory' in {tiny_settings.corpus_dir}; "
        "`python -m assistant list` shows the ids")


def test_add_prints_progress_unless_quiet(indexed, capsys, tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_text("Harbin, 20 January 1951\n\nThe ferry crossed the Amur at dawn.\n",
                      encoding="utf-8")
    assert main([*indexed, "add", str(letter)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ("Added 1 document(s): letter; index updated (1 document(s) embedded, "
                            "4 unchanged reused).\n")
    assert captured.err.splitlines() == [
        "Reading letter.txt", "Indexing (only new or changed documents are embedded)",
        "Indexed 5 documents: 5 chunks, 24 sentences (1 embedded, 4 unchanged reused)",
        "Swapping in the new corpus and index", "Done"]


def test_another_corpus_through_the_environment_leaves_the_shipped_one_alone(
        fake_model, capsys, tmp_path, monkeypatch):
    from conftest import SHIPPED_CORPUS, tree_digest

    from assistant.settings import Settings

    shipped = tree_digest(SHIPPED_CORPUS)
    letter = tmp_path / "letter.md"
    letter.write_text("---\ntitle: Ferry\ndate: 1951-01-20\n---\nThe ferry crossed the Amur.\n",
                      encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_CORPUS", str(tmp_path / "mine" / "corpus"))
    monkeypatch.setenv("ASSISTANT_INDEX", str(tmp_path / "mine" / "index"))
    assert main(["add", "--quiet", str(letter)]) == 0
    assert main(["list"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].split() == ["letter", "Ferry", "1951-01-20",
                                                                 "-", "1"]
    assert (tmp_path / "mine" / "corpus" / "documents" / "letter.md").is_file()
    assert Settings().corpus_dir == SHIPPED_CORPUS  # the default is still the shipped corpus
    assert tree_digest(SHIPPED_CORPUS) == shipped


def test_ask_export_prints_the_shared_export(indexed, capsys, tiny_settings):
    from assistant.export import export_bibtex
    from assistant.service import Assistant

    question = "Where will Mr. Fu carry the reply?"
    assert main([*indexed, "ask", "--export", "bibtex", question]) == 0
    captured = capsys.readouterr()
    answer, _ = Assistant.open(tiny_settings, FakeEmbedder()).ask(question)
    assert captured.err == "" and answer.quotes
    assert captured.out == export_bibtex(answer, {d.id: d for d in load_corpus(tiny_settings.corpus_dir)})
    assert captured.out.startswith(f"@misc{{{answer.quotes[0].doc_id},\n")


def test_ask_filters_restrict_the_quotes(indexed, capsys):
    assert main([*indexed, "ask", "--json", "--sender", "Stalin", "--from", "1949-01-11",
                 "What about the surrender?"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert {q["doc_id"] for q in row["quotes"]} == {"tiny-3"}
    assert row["notes"][-1] == ("Searched only the 1 of 4 documents matching the filters "
                                "(dated 11 January 1949 or later; written by Stalin).")


@pytest.mark.parametrize(("argv", "message"), [
    (["--from", "13 January"], "error: the start date '13 January' is not a date; write it as "
                               "YYYY-MM-DD, e.g. 1949-01-13"),
    (["--doc", "nope"], "error: no document 'nope' in this archive; known: tiny-1, tiny-2, "
                        "tiny-3, tiny-notes"),
])
def test_ask_bad_filters_are_one_line_user_errors(indexed, capsys, argv, message):
    assert main([*indexed, "ask", *argv, "What about the surrender?"]) == 1
    assert _one_error_line(capsys.readouterr().err) == message


def test_ask_json_and_export_are_exclusive(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["ask", "--json", "--export", "markdown", "q"])
    assert exit_info.value.code == 2
