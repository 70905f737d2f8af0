"""Web UI shell: builds the reading room from assistant.ui and serves it through assistant.serve."""
from __future__ import annotations

import os
import sys

from assistant.embed import PackagedMiniLM
from assistant.errors import AssistantError
from assistant.index import check_index
from assistant.reading_room import LazyAssistant
from assistant.serve import serve
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui import build_demo


def settings_or_exit() -> Settings:
    """Read the settings and check the index; on a user error print one line and exit 1."""
    try:
        settings = Settings.from_env(os.environ)
        check_index(settings, PackagedMiniLM.name)  # missing or stale: refused here, not later
        return settings
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)


settings = settings_or_exit()
# The model loads in the background once the server starts: the page is usable at once and the
# first question says it is waiting for the model.
assistant = LazyAssistant(lambda: Assistant.open(settings))
demo = build_demo(assistant, settings)

if __name__ == "__main__":
    assistant.start_loading()
    serve(demo, settings)  # queue limits, 127.0.0.1 unless ASSISTANT_HOST says otherwise, login
