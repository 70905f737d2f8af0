"""Exposure of the web UI: loopback by default, a warning elsewhere, login, no share link, no file leaks."""
from __future__ import annotations

import http.client
import os
import socket

import pytest

from assistant.serve import exposure_warnings, is_loopback, launch_options, queue_options, serve
from assistant.service import Assistant
from assistant.settings import PROJECT_ROOT
from assistant.ui import build_demo

pytestmark = pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting'",
                                        "ignore:The copy keyword")

USER, PASSWORD = "archivist", "correct horse battery staple"


def text_of(message: dict) -> str:
    """The text of a chat message, whether its content is a string or Gradio's list of parts."""
    content = message["content"]
    return content if isinstance(content, str) else "\n".join(p["text"] for p in content)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table) as fh:
            for row in fh.read().splitlines()[1:]:
                local, state = row.split()[1], row.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                    found.add(address)
    return found


class RecordingDemo:
    """Stands in for a Gradio app: records queue() and launch() instead of opening a socket."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def queue(self, **kwargs):
        self.calls.append(("queue", kwargs))

    def launch(self, **kwargs):
        self.calls.append(("launch", kwargs))


@pytest.mark.parametrize("host,loopback", [
    ("127.0.0.1", True), ("127.0.1.1", True), ("localhost", True), ("LOCALHOST", True),
    ("::1", True), ("[::1]", True), ("0.0.0.0", False), ("::", False), ("192.168.1.20", False),
    ("example.org", False), ("127.0.0.1.nip.io", False)])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_default_is_loopback_with_no_warning(tiny_settings, capsys):
    demo = RecordingDemo()
    serve(demo, tiny_settings)
    assert capsys.readouterr().err == ""
    (queue_call, queue_args), (launch_call, launch_args) = demo.calls
    assert queue_call == "queue" and queue_args == {"default_concurrency_limit": 2,
                                                    "max_size": 100, "api_open": False}
    assert launch_call == "launch" and launch_args["server_name"] == "127.0.0.1"
    assert launch_args["share"] is False and launch_args["auth"] is None


def test_listening_elsewhere_warns_and_says_how_to_add_a_login(tiny_settings, capsys):
    serve(RecordingDemo(), tiny_settings.replace(host="0.0.0.0", port=8080))
    assert capsys.readouterr().err.splitlines() == [
        "warning: listening on 0.0.0.0:8080, reachable from other machines (ASSISTANT_HOST; the "
        "default, 127.0.0.1, is this machine only)",
        "warning: no login is set, so anyone who reaches this address can use the assistant "
        "(set ASSISTANT_AUTH_USER and ASSISTANT_AUTH_PASSWORD)"]
    with_login = tiny_settings.replace(host="10.0.0.5", auth_user=USER, auth_password=PASSWORD)
    warnings = exposure_warnings(with_login)
    assert warnings[1] == ("warning: the login travels unencrypted over plain HTTP; serve the app "
                           "behind an HTTPS proxy on an untrusted network")
    assert all(PASSWORD not in w for w in warnings)


def test_launch_options_close_every_optional_door(tiny_settings):
    options = launch_options(tiny_settings.replace(auth_user=USER, auth_password=PASSWORD))
    assert options["auth"] == (USER, PASSWORD)
    assert options["state_session_capacity"] == 1000
    assert {k: options[k] for k in ("share", "max_file_size", "allowed_paths", "show_error",
                                    "run_history", "enable_monitoring", "mcp_server", "ssr_mode")} \
        == {"share": False, "max_file_size": 20_000_000, "allowed_paths": [], "show_error": False,
            "run_history": False, "enable_monitoring": False, "mcp_server": False,
            "ssr_mode": False}
    assert options["blocked_paths"] == [str(tiny_settings.corpus_dir), str(tiny_settings.index_dir)]
    assert queue_options(tiny_settings.replace(queue_concurrency=3, queue_max_size=7)) == {
        "default_concurrency_limit": 3, "max_size": 7, "api_open": False}


def test_uploads_are_allowed_only_on_this_machine_or_behind_a_login(tiny_settings):
    # Uploads change the archive ("Add documents", assistant/upload.py): files up to
    # ASSISTANT_MAX_DOCUMENT_MB on loopback or with a login, not a byte when exposed without one.
    exposed = tiny_settings.replace(host="0.0.0.0", max_document_mb=5)
    assert launch_options(exposed)["max_file_size"] == 0
    assert launch_options(exposed.replace(auth_user=USER, auth_password=PASSWORD))[
        "max_file_size"] == 5_000_000
    assert launch_options(tiny_settings.replace(max_document_mb=5))["max_file_size"] == 5_000_000


def test_app_serves_through_the_exposure_policy():
    source = (PROJECT_ROOT / "app.py").read_text(encoding="utf-8")
    assert "serve(demo, settings)" in source and ".launch(" not in source


# --- a served app with a login --------------------------------------------------------------

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The tiny assistant served like app.py does, with a login, while GRADIO_SHARE asks for a link."""
    from conftest import FakeEmbedder, write_tiny_corpus

    from assistant.index import build_index
    from assistant.settings import Settings

    root = tmp_path_factory.mktemp("exposure")
    settings = Settings().replace(corpus_dir=write_tiny_corpus(root / "corpus"),
                                  index_dir=root / "index", port=free_port(), auth_user=USER,
                                  auth_password=PASSWORD, max_document_mb=1)
    embedder = FakeEmbedder()
    build_index(settings, embedder, progress=False)
    assistant = Assistant.open(settings, embedder)
    demo = build_demo(lambda: assistant)
    import gradio.networking

    tunnels: list = []  # a share link would open a tunnel (and download its client): record it
    saved = os.environ.get("GRADIO_SHARE"), gradio.networking.setup_tunnel
    os.environ["GRADIO_SHARE"] = "true"
    gradio.networking.setup_tunnel = lambda **kwargs: tunnels.append(kwargs) or "https://x.live"
    try:
        serve(demo, settings, prevent_thread_lock=True, quiet=True)
    finally:
        gradio.networking.setup_tunnel = saved[1]
        if saved[0] is None:
            del os.environ["GRADIO_SHARE"]
        else:
            os.environ["GRADIO_SHARE"] = saved[0]
    demo.tunnels_opened = tunnels
    yield demo, settings
    demo.close()


def request(settings, method: str, path: str, body: bytes | None = None,
            headers: dict | None = None) -> tuple[int, bytes, dict]:
    """One raw HTTP request: the path is sent exactly as given (no ../ clean-up by a client)."""
    connection = http.client.HTTPConnection("127.0.0.1", settings.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


@pytest.fixture(scope="module")
def cookie(served) -> str:
    _, settings = served
    status, body, headers = request(
        settings, "POST", "/login", f"username={USER}&password={PASSWORD.replace(' ', '+')}".encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    assert (status, body) == (200, b'{"success":true}')
    return "; ".join(part.split(";")[0] for part in headers["set-cookie"].split(", access"))


def test_served_on_loopback_only_and_without_a_share_link(served):
    demo, settings = served
    assert listening_addresses(settings.port) == {"0100007F"}  # 127.0.0.1, nothing else
    assert demo.share is False and demo.share_url is None and demo.tunnels_opened == []


@pytest.mark.parametrize("user,password", [(USER, "wrong"), (USER, PASSWORD.upper()),
                                           (USER, PASSWORD + "+"), ("admin", PASSWORD),
                                           (USER, "")])
def test_wrong_password_is_refused(served, user, password):
    _, settings = served
    status, body, headers = request(settings, "POST", "/login",
                                    f"username={user}&password={password}".encode(),
                                    {"Content-Type": "application/x-www-form-urlencoded"})
    if password:
        assert (status, body) == (400, b'{"detail":"Incorrect credentials."}')
    else:  # an empty password is not even a well-formed login form
        assert status == 422
    assert "set-cookie" not in {k.lower() for k in headers}


def test_client_with_a_wrong_password_cannot_connect(served):
    from gradio_client import Client

    _, settings = served
    with pytest.raises(ValueError, match="Could not login"):
        Client(f"http://127.0.0.1:{settings.port}/", auth=(USER, "wrong"), verbose=False,
               analytics_enabled=False)


@pytest.mark.parametrize("method,path", [
    ("GET", "/config"), ("GET", "/gradio_api/info"), ("GET", "/gradio_api/openapi.json"),
    ("POST", "/gradio_api/queue/join"), ("POST", "/gradio_api/call/ask"),
    ("GET", "/gradio_api/file=/etc/passwd")])
def test_without_login_nothing_but_the_login_page_is_served(served, method, path):
    _, settings = served
    status, body, _ = request(settings, method, path, b"{}" if method == "POST" else None,
                              {"Content-Type": "application/json"})
    assert status == 401 and b"Not authenticated" in body


def test_right_password_answers_through_gradio_client(served):
    from gradio_client import Client

    _, settings = served
    client = Client(f"http://127.0.0.1:{settings.port}/", auth=(USER, PASSWORD), verbose=False,
                    analytics_enabled=False)
    try:
        messages, box = client.predict("Who used a pseudonym?", api_name="/ask")
        assert box == "" and "(tiny\\-notes)</sub>" in text_of(messages[-1])
        messages, box = client.predict("<script>alert(1)</script>", api_name="/ask")
        assert text_of(messages[0]) == "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"
        assert all("<script" not in text_of(m) for m in messages)
        messages, box = client.predict("x" * 100_000, api_name="/ask")
        assert text_of(messages[-1]) == (
            "Sorry: the question is 100,000 characters long; the limit is 2,000 "
            "\\(setting ASSISTANT\\_MAX\\_QUESTION\\_CHARS\\).")
        assert box == "x" * 100_000
    finally:
        client.close()


def traversal_paths(settings) -> list[str]:
    passwd = "etc/passwd"
    up = "../" * 8
    return [
        f"/gradio_api/file=/{passwd}", f"/gradio_api/file={up}{passwd}",
        f"/gradio_api/file={up.replace('/', '%2f')}{passwd}",
        f"/gradio_api/file={up.replace('..', '%2e%2e')}{passwd}",
        f"/gradio_api/file=%2F{passwd.replace('/', '%2F')}", "/gradio_api/file=/proc/self/environ",
        f"/gradio_api/file={settings.corpus_dir}/letters.txt",
        f"/gradio_api/file={settings.index_dir}/manifest.json",
        f"/gradio_api/file={PROJECT_ROOT}/app.py", "/gradio_api/file=app.py",
        "/gradio_api/file=pyproject.toml", f"/gradio_api/file/{passwd}",
        f"/gradio_api/file/{up}{passwd}", f"/file=/{passwd}", f"/static/{up}{passwd}",
        f"/static/{up.replace('/', '%2f')}{passwd}", f"/assets/{up}{passwd}",
        f"/assets/{up.replace('/', '%2f')}{passwd}", f"/gradio_api/static/{up}{passwd}",
        f"/custom_component/x/client/{up}{passwd}/x",
        "/gradio_api/file=http://127.0.0.1:22/", "/gradio_api/file=file:///etc/passwd",
        "/gradio_api/proxy=http://127.0.0.1:22/",
    ]


def test_no_file_outside_the_app_is_served(served, cookie):
    _, settings = served
    secrets = [b"root:", b"ASSISTANT", b"PATH=", b"Comrade Mao Zedong", b'"files"', b"serve(demo",
               b"archive-assistant"]
    for path in traversal_paths(settings):
        for headers in ({}, {"Cookie": cookie}):
            status, body, _ = request(settings, "GET", path, headers=headers)
            assert status in (400, 401, 403, 404), (path, status, body[:200])
            assert not any(secret in body for secret in secrets), (path, body[:200])


def test_uploads_over_the_size_limit_are_refused(served, cookie):
    _, settings = served
    body = (b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"x.txt\"\r\n"
            b"Content-Type: text/plain\r\n\r\n" + b"x" * 1_000_001 + b"\r\n--b--\r\n")
    status, response, _ = request(settings, "POST", "/gradio_api/upload", body,
                                  {"Content-Type": "multipart/form-data; boundary=b",
                                   "Cookie": cookie})
    assert (status, response) == (413, b"File size exceeded maximum allowed size of 1000000 bytes.")


@pytest.mark.parametrize("path,expected", [("/monitoring", 403), ("/gradio_api/runs", 404)])
def test_monitoring_and_run_history_are_off(served, cookie, path, expected):
    _, settings = served
    status, _, _ = request(settings, "GET", path, headers={"Cookie": cookie})
    assert status == expected
