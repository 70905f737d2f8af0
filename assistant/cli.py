"""Command line: `python -m assistant index | ask | batch | eval | add | remove | list` (or `assistant`)."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from . import __version__
from .errors import AssistantError, IndexMissingError, StaleIndexError

EPILOG = """examples:
  assistant index                          build (or rebuild) the index
  assistant ask "What did Mao propose on 13 January?"
  assistant ask --json "How did Stalin respond?"
  assistant ask --export bibtex --from 1949-01-13 --sender Stalin "What did Stalin advise?"
  assistant batch questions.jsonl answers.jsonl
  assistant eval ../shared/eval/questions.jsonl
  assistant --corpus my-archive --index my-index add letters/ report.pdf
  assistant list                           the documents, their dates and chunks
  assistant remove petrova-letter         take a document out again

Settings come from ASSISTANT_* environment variables (e.g. ASSISTANT_CORPUS, ASSISTANT_INDEX)
and the flags below. Exit codes: 0 success, 1 user error, 2 misuse."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant", description="Question a small archive and get verbatim, cited excerpts.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: ./corpus)")
    parser.add_argument("--index", type=Path, help="index folder (default: ./index)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    index = commands.add_parser("index", help="build or rebuild the index")
    index.add_argument("--if-stale", action="store_true",
                       help="only build when the index is missing or out of date")
    index.add_argument("--quiet", action="store_true", help="no progress output")

    ask = commands.add_parser("ask", help="answer one question")
    ask.add_argument("question", help="the question, in quotes")
    output = ask.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the answer as JSON")
    output.add_argument("--export", choices=["markdown", "csl-json", "bibtex"],
                        help="print the answer with its citations as Markdown, CSL-JSON or BibTeX")
    ask.add_argument("--from", dest="date_from", metavar="DATE",
                     help="only documents dated on or after DATE (YYYY-MM-DD)")
    ask.add_argument("--to", dest="date_to", metavar="DATE",
                     help="only documents dated on or before DATE (YYYY-MM-DD)")
    ask.add_argument("--sender", action="append", default=[], metavar="NAME",
                     help="only documents written by NAME (repeatable)")
    ask.add_argument("--recipient", action="append", default=[], metavar="NAME",
                     help="only documents addressed to NAME (repeatable)")
    ask.add_argument("--doc", action="append", default=[], metavar="ID",
                     help="only this document (repeatable)")

    batch = commands.add_parser("batch", help="answer a JSONL file of questions")
    batch.add_argument("input", type=Path, help="JSONL with id plus question or turns")
    batch.add_argument("output", type=Path, help="JSONL answers (written atomically)")

    evaluate = commands.add_parser("eval", help="answer a question file and print the metrics")
    evaluate.add_argument("questions", type=Path, help="JSONL with expected_docs etc.")
    evaluate.add_argument("--answers", type=Path, help="also write the answers here")
    evaluate.add_argument("--json", action="store_true", help="print only the JSON metrics")

    # Bring your own archive (assistant/library.py).
    add = commands.add_parser("add", help="add documents (.txt, .md, .html, .pdf) and update the index")
    add.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    add.add_argument("--quiet", action="store_true", help="no progress output")
    remove = commands.add_parser("remove", help="remove documents from the corpus and the index")
    remove.add_argument("doc_ids", nargs="+", metavar="DOC_ID", help="ids, as `list` shows them")
    remove.add_argument("--quiet", action="store_true", help="no progress output")
    listing = commands.add_parser("list", help="list the documents of the corpus")
    listing.add_argument("--json", action="store_true", help="one JSON object per document")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        from .settings import Settings

        settings = Settings.from_env(os.environ, corpus_dir=args.corpus, index_dir=args.index)
        return COMMANDS[args.command](args, settings)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _index(args, settings) -> int:
    from .embed import PackagedMiniLM
    from .index import build_index, check_index
    from .onnx_encoder import build_embedder

    # Rebuilds embed with the index's ONNX export (no torch import); the first build uses torch.
    embedder = build_embedder(settings, lambda: PackagedMiniLM(show_progress=not args.quiet))
    if args.if_stale:
        try:
            manifest = check_index(settings, embedder.name)
            if "query_encoder" not in manifest:  # built before the ONNX query encoder existed
                raise StaleIndexError("the index has no ONNX query encoder yet")
            if not args.quiet:
                print(f"Index at {settings.index_dir} is up to date.", file=sys.stderr)
            _report_skipped(manifest)
            return 0
        except (IndexMissingError, StaleIndexError) as exc:
            if not args.quiet:
                print(f"Building the index: {exc}", file=sys.stderr)
    _report_skipped(build_index(settings, embedder, progress=not args.quiet).manifest)
    return 0


def _report_skipped(manifest: dict) -> None:
    """Bad corpus documents left out of the index: shown even with --quiet, on every run."""
    skipped = manifest.get("skipped") or []
    for problem in skipped:
        print(f"skipped {problem}", file=sys.stderr)
    if skipped:
        print(f"warning: {len(skipped)} document(s) of the corpus are not in the index; fix the "
              "lines above and run `python -m assistant index`", file=sys.stderr)


def _ask(args, settings) -> int:
    from .export import EXPORTS
    from .filters import make_filters
    from .render import answer_to_dict, answer_to_text
    from .service import Assistant, clean_question

    # Fail fast, before the model loads.
    clean_question(args.question, settings.max_question_chars)
    filters = make_filters(args.date_from, args.date_to, args.sender, args.recipient, args.doc)
    assistant = Assistant.open(settings)
    answer, _ = assistant.ask(args.question, filters=filters)
    if args.export:
        print(EXPORTS[args.export][1](answer, assistant.index.documents), end="")
    elif args.json:
        print(json.dumps(answer_to_dict(answer), ensure_ascii=False, indent=2))
    else:
        print(answer_to_text(answer))
    return 0


def _batch(args, settings) -> int:
    from .evaluate import answer_all, read_questions
    from .service import Assistant

    questions, problems = read_questions(args.input)
    assistant = Assistant.open(settings)
    lines = [json.dumps(row, ensure_ascii=False) for row in answer_all(assistant, questions)]
    write_atomically(args.output, "".join(line + "\n" for line in lines))
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    print(f"answered {len(lines)} question(s) into {args.output}"
          + (f"; skipped {len(problems)} bad line(s)" if problems else ""), file=sys.stderr)
    return 1 if problems else 0


def _eval(args, settings) -> int:
    from .evaluate import answer_all, evaluate, read_questions
    from .service import Assistant

    questions, problems = read_questions(args.questions)
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    assistant = Assistant.open(settings)
    rows = list(answer_all(assistant, questions))
    if args.answers:
        write_atomically(args.answers, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    corpus_text = "\n".join(d.text for d in assistant.index.documents.values())
    report = evaluate(questions, {r["id"]: r for r in rows}, corpus_text)
    if args.json:
        print(json.dumps(report))
        return 0
    print(_table(report))
    return 0


def _table(report: dict) -> str:
    columns = ["doc@1", "doc@3", "phrase@3", "abstain_ok", "false_abstain", "verbatim",
               "quote_words_p50", "latency_ms_p50"]
    rows = [("overall", report["overall"])] + list(report["by_kind"].items())
    lines = [f"{'kind':<15}{'n':>4}" + "".join(f"{c:>16}" for c in columns)]
    for name, m in rows:
        cells = "".join(f"{'-' if m[c] is None else m[c]:>16}" for c in columns)
        lines.append(f"{name:<15}{m['questions']:>4}{cells}")
    return "\n".join(lines)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: never a half file."""
    path = Path(path)
    if not path.parent.is_dir():
        raise AssistantError(f"cannot write {path}: folder {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _add(args, settings) -> int:
    from .embed import PackagedMiniLM
    from .library import add_documents, change_summary
    from .onnx_encoder import build_embedder

    embedder = build_embedder(settings, lambda: PackagedMiniLM(show_progress=not args.quiet))
    change = add_documents(settings, args.paths, embedder, progress=_progress(args.quiet))
    for skipped in change.skipped:
        print(f"skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    print(change_summary(change))
    return 1 if change.skipped else 0


def _remove(args, settings) -> int:
    from .embed import PackagedMiniLM
    from .library import change_summary, remove_documents
    from .onnx_encoder import build_embedder

    embedder = build_embedder(settings, lambda: PackagedMiniLM(show_progress=not args.quiet))
    change = remove_documents(settings, args.doc_ids, embedder, progress=_progress(args.quiet))
    print(change_summary(change))
    return 0


def _list(args, settings) -> int:
    from .embed import PackagedMiniLM
    from .library import list_documents, listing_rows, listing_table

    listed, note = list_documents(settings, PackagedMiniLM.name)
    if args.json:
        print("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in listing_rows(listed)),
              end="")
    else:
        print(listing_table(listed))
    if note:
        print(f"note: chunk counts unknown: {note}", file=sys.stderr)
    return 0


def _progress(quiet: bool):
    if quiet:
        return None
    return lambda fraction, message: print(message, file=sys.stderr, flush=True)


COMMANDS = {"index": _index, "ask": _ask, "batch": _batch, "eval": _eval, "add": _add,
            "remove": _remove, "list": _list}
