"""How the web UI is served: queue limits, the address it listens on, login, and what it refuses."""
from __future__ import annotations

import importlib.util
import ipaddress
import sys

from .settings import Settings


def is_loopback(host: str) -> bool:
    """True if ``host`` is only reachable from this machine (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def queue_options(settings: Settings) -> dict:
    """Arguments of ``demo.queue()``: every question goes through one bounded queue.

    ``default_concurrency_limit`` answers that many questions at once (the others wait their
    turn); ``max_size`` refuses a question beyond that many waiting with "the queue is full"
    rather than letting the wait grow without end; ``api_open=False`` keeps direct REST calls
    from skipping the queue.
    """
    return {"default_concurrency_limit": settings.queue_concurrency,
            "max_size": settings.queue_max_size, "api_open": False}


def mcp_allowed(settings: Settings) -> bool:
    """Serve the named API as MCP tools (``/gradio_api/mcp/``): yes, unless a login is set.

    The tools are the public ``/answer`` and ``/document`` endpoints, nothing more; but Gradio's
    MCP routes do not ask for the login, so behind one they stay closed. They also need the
    ``mcp`` package of ``gradio[mcp]``.
    """
    return not settings.auth_user and importlib.util.find_spec("mcp") is not None


def launch_options(settings: Settings) -> dict:
    """Arguments of ``demo.launch()``: explicit, so no ``GRADIO_*`` variable can widen them."""
    from .upload import upload_limit_bytes  # imports gradio: only when launching

    login = (settings.auth_user, settings.auth_password) if settings.auth_user else None
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "share": False,  # never a public *.gradio.live tunnel, even with GRADIO_SHARE=true
        "auth": login,
        "auth_message": "Log in to question the archive." if login else None,
        "state_session_capacity": settings.max_sessions,  # bounds the memory sessions hold
        # Only the "Add documents" panel takes files, and only where uploads are allowed
        # (this machine, or behind a login); otherwise Gradio's /upload refuses every byte.
        "max_file_size": upload_limit_bytes(settings),
        "allowed_paths": [],  # serve no folder of this machine beyond Gradio's own assets
        "blocked_paths": [str(settings.corpus_dir), str(settings.index_dir)],
        "show_error": False,  # errors reach the user as a polite chat message, never a trace
        "run_history": False,  # questions are not kept in the browser or sent to a bucket
        "enable_monitoring": False,
        "mcp_server": mcp_allowed(settings),
        "ssr_mode": False,  # no second (Node) server listening
        "pwa": False,
    }


def exposure_warnings(settings: Settings) -> list[str]:
    """Warnings to print when the UI is reachable from other machines."""
    if is_loopback(settings.host):
        return []
    where = f"{settings.host}:{settings.port}"
    warnings = [f"warning: listening on {where}, reachable from other machines "
                "(ASSISTANT_HOST; the default, 127.0.0.1, is this machine only)"]
    if settings.auth_user:
        warnings.append("warning: the login travels unencrypted over plain HTTP; serve the app "
                        "behind an HTTPS proxy on an untrusted network")
    else:
        warnings.append("warning: no login is set, so anyone who reaches this address can use "
                        "the assistant (set ASSISTANT_AUTH_USER and ASSISTANT_AUTH_PASSWORD)")
    return warnings


def serve(demo, settings: Settings, **overrides):
    """Configure the queue, print any exposure warning, and launch ``demo``.

    Args:
        demo: The Gradio app (see :func:`assistant.ui.build_demo`).
        settings: Where to listen, queue limits and login.
        **overrides: Further ``launch()`` arguments (tests pass ``prevent_thread_lock``).
    """
    demo.queue(**queue_options(settings))
    for warning in exposure_warnings(settings):
        print(warning, file=sys.stderr, flush=True)
    return demo.launch(**(launch_options(settings) | overrides))
