"""Starting code-server and Chromium for the end-to-end tests, and reading VS Code's page.

Everything a test starts lives under FLOWC_E2E_WORK (a temporary directory of e2e.sh, which
removes it) and is stopped when the test ends, also when it fails: code-server runs in its
own process group (it spawns the extension host, and that spawns `flowc lsp`), whose id is
recorded for e2e.sh to kill should this process die first.
"""

import contextlib
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile
import time

CODE_SERVER = pathlib.Path(os.environ.get("FLOWC_E2E_CODE_SERVER", "/nonexistent"))
CHROMIUM = os.environ.get("FLOWC_E2E_CHROMIUM", "/usr/lib/chromium/chromium")
WORK = pathlib.Path(os.environ.get("FLOWC_E2E_WORK") or tempfile.gettempdir())
OUT = pathlib.Path(os.environ.get("FLOWC_E2E_OUT") or WORK / "out")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Only loopback: the page may ask for nothing else (the browser's own services are off
# through the flags above); code-server's extension gallery points at a closed local port.
NOT_LOOPBACK = re.compile(r"^(?!(https?|wss?)://127\.0\.0\.1[:/]|data:|blob:)")
CLOSED_GALLERY = json.dumps(
    {
        "serviceUrl": "http://127.0.0.1:9/gallery",
        "itemUrl": "http://127.0.0.1:9/item",
        "resourceUrlTemplate": "http://127.0.0.1:9/resource",
    }
)
QUIET_SETTINGS = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.welcomePage.walkthroughs.openOnInstall": False,
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "extensions.ignoreRecommendations": True,
    "update.mode": "none",
    "telemetry.telemetryLevel": "off",
    "git.enabled": False,
    "flowc.trace.server": "verbose",
}


class CodeServer:
    def __init__(self, name, url, root, workspace, user_data, extensions):
        self.name, self.url, self.root = name, url, root
        self.workspace, self.user_data, self.extensions = workspace, user_data, extensions

    def folder_url(self):
        return f"{self.url}?folder={self.workspace}"

    def flowc_output(self):
        """The "flowc" output channel (the extension's messages and, with
        flowc.trace.server = verbose, the LSP trace), as VS Code writes it to disk."""
        logs = sorted(self.user_data.glob("logs/*/exthost*/output_logging_*/*-flowc.log"), key=lambda p: p.stat().st_mtime)
        return "".join(f"===== {log}\n{log.read_text(errors='replace')}" for log in logs)

    def save_logs(self):
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / f"{self.name}-flowc-output.log").write_text(self.flowc_output())
        shutil.copyfile(self.root / "code-server.log", OUT / f"{self.name}-code-server.log")


@contextlib.contextmanager
def code_server(name, vsix, settings, site, path=None):
    """Installs `vsix` into a fresh code-server profile, writes `site` (file name -> text) into
    a fresh workspace folder and serves it on 127.0.0.1 (a port the kernel picks)."""
    WORK.mkdir(parents=True, exist_ok=True)
    root = pathlib.Path(tempfile.mkdtemp(prefix=f"{name}-", dir=WORK))
    home, user_data, extensions, workspace = (root / d for d in ("home", "data", "extensions", "site"))
    for directory in (home, user_data / "User", extensions, workspace):
        directory.mkdir(parents=True)
    for file_name, text in site.items():
        (workspace / file_name).write_text(text)
    (user_data / "User" / "settings.json").write_text(json.dumps(QUIET_SETTINGS, indent=2))
    # The flowc.server.* settings are machine-scoped: in a remote window, which code-server's
    # is, VS Code takes them from the remote machine's settings, not from the user's (there
    # they work only until the settings schema is cached, as on a reload).
    (user_data / "Machine").mkdir()
    (user_data / "Machine" / "settings.json").write_text(json.dumps(settings, indent=2))
    env = {
        "HOME": str(home),
        "PATH": path if path is not None else os.environ["PATH"],
        "LANG": "C.UTF-8",
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "EXTENSIONS_GALLERY": CLOSED_GALLERY,
    }
    node = shutil.which("node")
    entry = str(CODE_SERVER / "out" / "node" / "entry.js")
    profile = ["--user-data-dir", str(user_data), "--extensions-dir", str(extensions)]
    installed = subprocess.run(
        [node, entry, *profile, "--install-extension", str(vsix)], env=env, capture_output=True, text=True, timeout=180
    )
    assert installed.returncode == 0 and "successfully installed" in installed.stdout, (
        f"code-server --install-extension {vsix} failed:\n{installed.stdout}\n{installed.stderr}"
    )
    log = open(root / "code-server.log", "w")
    process = subprocess.Popen(
        [
            node,
            entry,
            "--auth",
            "none",
            "--bind-addr",
            "127.0.0.1:0",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            *profile,
            str(workspace),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    (WORK / "pgids").mkdir(exist_ok=True)
    (WORK / "pgids" / str(process.pid)).touch()
    server = None
    try:
        deadline = time.monotonic() + 60
        while True:
            found = re.search(r"HTTP server listening on (http://127\.0\.0\.1:\d+/)", (root / "code-server.log").read_text())
            if found:
                break
            assert process.poll() is None, f"code-server exited with {process.returncode}:\n{(root / 'code-server.log').read_text()}"
            assert time.monotonic() < deadline, f"code-server did not listen within 60 s:\n{(root / 'code-server.log').read_text()}"
            time.sleep(0.2)
        server = CodeServer(name, found.group(1), root, workspace, user_data, extensions)
        yield server
    finally:
        stop_group(process)
        (WORK / "pgids" / str(process.pid)).unlink(missing_ok=True)
        log.close()
        if server:
            server.save_logs()
        shutil.rmtree(root, ignore_errors=True)


def stop_group(process):
    """Stops code-server with everything it started (extension host, flowc lsp)."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    # Children that outlived the leader are still in the group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def chromium():
    """A page in Debian's Chromium with a fresh profile; Playwright downloads no browser."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="chromium-", dir=WORK)
    blocked = []
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_FLAGS,
                viewport={"width": 1400, "height": 900},
            )
            try:
                context.set_default_timeout(30_000)
                context.route(NOT_LOOPBACK, lambda route: (blocked.append(route.request.url), route.abort()))
                page = context.pages[0] if context.pages else context.new_page()
                page.blocked_requests = blocked
                yield page
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


# Finds `word` (as a whole word) on the first rendered line of the active editor that
# contains `line_text`, and returns the box of its characters and its 1-based column.
WORD_BOX = r"""([word, lineText]) => {
  const editor = document.querySelector('.editor-group-container.active .monaco-editor .view-lines');
  if (!editor) return null;
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp('(^|[^A-Za-z0-9_.-])(' + escaped + ')(?![A-Za-z0-9_-])');
  for (const line of editor.querySelectorAll('.view-line')) {
    const text = line.textContent.replace(/\u00a0/g, ' ');
    if (!text.includes(lineText)) continue;
    const match = pattern.exec(text);
    if (!match) continue;
    const start = match.index + match[1].length;
    const end = start + word.length;
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let offset = 0, node, began = false;
    while ((node = walker.nextNode())) {
      const length = node.textContent.length;
      if (!began && start < offset + length) { range.setStart(node, start - offset); began = true; }
      if (began && end <= offset + length) {
        range.setEnd(node, end - offset);
        const box = range.getBoundingClientRect();
        return { x: box.x, y: box.y, width: box.width, height: box.height, column: start + 1 };
      }
      offset += length;
    }
  }
  return null;
}"""


def word_box(page, word, line_text):
    box = page.evaluate(WORD_BOX, [word, line_text])
    assert box, f"`{word}` is not shown on a line with `{line_text}` in the active editor"
    return box


def centre(box):
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def open_in_explorer(page, file_name):
    row = page.locator(f'.explorer-folders-view .monaco-list-row[aria-label="{file_name}"]')
    row.wait_for(timeout=60_000)
    row.click()
    page.locator(f'.editor-group-container.active .tab.active[aria-label^="{file_name}"]').wait_for()
    page.locator(".editor-group-container.active .monaco-editor .view-lines").wait_for()


def indentation_status(page):
    item = page.locator("#status\\.editor\\.indentation")
    return item.inner_text().strip() if item.count() else "(no indentation item in the status bar)"


def wait_for_indentation(page, expected, seconds=20):
    deadline = time.monotonic() + seconds
    while indentation_status(page) != expected and time.monotonic() < deadline:
        time.sleep(0.25)
    return indentation_status(page)


def notifications(page):
    return [text.strip() for text in page.locator(".notification-list-item-message").all_inner_texts()]
