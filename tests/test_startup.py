"""Start-up cost: answering from the command line loads neither torch nor gradio (checked in a
fresh interpreter, since this test process has imported both)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assistant.settings import PROJECT_ROOT

HEAVY = ("torch", "sentence_transformers", "transformers", "gradio")
PROBE = """
import json, sys
from assistant.cli import main
status = {commands}
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r}))
print(json.dumps({{"status": status, "heavy": heavy}}), file=sys.stderr)
"""


def run_probe(commands: str, env: dict) -> tuple[dict, str]:
    code = PROBE.format(commands=commands, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=300, env=env)
    return json.loads(done.stderr.strip().splitlines()[-1]), done.stdout


def test_importing_the_answering_modules_loads_no_heavy_library():
    code = ("import sys, assistant.cli, assistant.service, assistant.render, assistant.evaluate, "
            "assistant.onnx_encoder, assistant.index, assistant.dense; "
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.e2e
def test_ask_and_batch_answer_without_torch_or_gradio(real_index, real_settings, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env |= {"ASSISTANT_INDEX": str(real_settings.index_dir),
            "ASSISTANT_CORPUS": str(real_settings.corpus_dir)}
    result, out = run_probe("main(['ask', '--json', 'What did Mao propose on 13 January?'])", env)
    assert result == {"status": 0, "heavy": []}
    assert json.loads(out)["quotes"][0]["doc_id"] == "rd-3"

    questions = tmp_path / "questions.jsonl"
    questions.write_text('{"id": "q1", "question": "What did Mao propose on 13 January?"}\n'
                         '{"id": "q2", "turns": ["What did Mao propose on 13 January?", '
                         '"How did Stalin respond?"]}\n', encoding="utf-8")
    answers = tmp_path / "answers.jsonl"
    result, _ = run_probe(f"main(['batch', {str(questions)!r}, {str(answers)!r}])", env)
    assert result == {"status": 0, "heavy": []}
    rows = [json.loads(line) for line in answers.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == ["q1", "q2"]
    assert rows[1]["quotes"][0]["doc_id"] == "rd-4"
