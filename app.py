"""Web UI shell: builds the Gradio chat from assistant.ui and serves it on the loopback address."""
from __future__ import annotations

import os
import sys

from assistant.errors import AssistantError
from assistant.serve import serve
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui import build_demo


def open_assistant_or_exit() -> tuple[Settings, Assistant]:
    """Read the settings and open the index; on a user error print one line and exit 1."""
    try:
        settings = Settings.from_env(os.environ)
        return settings, Assistant.open(settings)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)


# Opening checks the index (missing or stale is refused here, not on the first question);
# the embedding model itself loads on first use.
settings, assistant = open_assistant_or_exit()
demo = build_demo(lambda: assistant)

if __name__ == "__main__":
    serve(demo, settings)  # queue limits, 127.0.0.1 unless ASSISTANT_HOST says otherwise, login
