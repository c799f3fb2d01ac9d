"""The flowc extension in a real VS Code, the way a user meets it: the checkout's .vsix
installed into code-server, a site opened in Chromium, and everything asserted in the page
(the workbench's DOM), not through an API. Run by editors/vscode/e2e.sh, which installs
code-server, Playwright and Chromium and builds the .vsix files (see editors/README.md).

A failing step saves a screenshot (…-FAILED.png) and quotes the "flowc" output channel,
which holds the extension's messages and the LSP trace (flowc.trace.server = verbose)."""

import contextlib
import os
import pathlib
import re
import shutil
import stat
import time

import pytest
from workbench import (
    OUT,
    centre,
    chromium,
    code_server,
    indentation_status,
    notifications,
    open_in_explorer,
    wait_for_indentation,
    word_box,
)

FLOWC = os.environ.get("FLOWC", "")
VSIX = os.environ.get("FLOWC_E2E_VSIX", "")
PLATFORM_VSIX = os.environ.get("FLOWC_E2E_PLATFORM_VSIX", "")

HOSTS = (
    "import nim\n"
    "zone mgmt = 198.18.1.0/24\n"
    "host nim01 = 198.18.1.10 is nim.master(nfs = 4)\n"
    "group aix = 198.18.1.128/25 is nim.client(master = nim01)\n"
    "lint broad-range = allow\n"
)
# `nim1` is a typo for the host `nim01`: error E0102, with the fix "use `nim01`".
RULES = "# AIX clients reach their NIM master over ssh.\nallow aix -> nim1 : ssh\n"
SITE = {"hosts.flow": HOSTS, "rules.flow": RULES}
ERROR_LINE = next(number for number, line in enumerate(RULES.splitlines(), 1) if "nim1" in line)
ERROR_COLUMN = RULES.splitlines()[ERROR_LINE - 1].index("nim1") + 1
# In the output channel when the client has given up on the server.
SERVER_GAVE_UP = re.compile(r"will not be restarted|failed to start|Server initialization failed|Couldn't start client")

if not (os.environ.get("FLOWC_E2E_CODE_SERVER") and VSIX and FLOWC):
    pytest.skip("run by editors/vscode/e2e.sh, which sets FLOWC_E2E_* and FLOWC", allow_module_level=True)


class Steps:
    """Numbered steps of one scenario: a screenshot after each, and on failure a screenshot
    and the flowc output channel in the message."""

    def __init__(self, page, server, prefix):
        self.page, self.server, self.prefix, self.number = page, server, prefix, 0
        OUT.mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def __call__(self, name):
        self.number += 1
        shot = OUT / f"{self.prefix}-{self.number:02d}-{name}"
        try:
            yield
        except Exception as error:
            with contextlib.suppress(Exception):
                self.page.screenshot(path=f"{shot}-FAILED.png")
            output = self.server.flowc_output()
            tail = "\n".join(output.splitlines()[-40:]) or "(empty: the extension wrote nothing)"
            raise AssertionError(
                f"VS Code step {self.number} ({name}) failed: {error}\n"
                f"screenshot: {shot}-FAILED.png\n"
                f"notifications in the page: {notifications(self.page)}\n"
                f"flowc output channel (saved as {OUT / (self.server.name + '-flowc-output.log')}), last lines:\n{tail}"
            ) from error
        self.page.screenshot(path=f"{shot}.png")


def wait_for_error_squiggle(page, server, seconds=45):
    """Waits for the first error decoration; fails at once, saying why, when the language
    client has given up on the server (as it did when `flowc lsp --stdio` exited with 2)."""
    deadline = time.monotonic() + seconds
    while True:
        if page.locator(".squiggly-error").count():
            return
        gave_up = SERVER_GAVE_UP.search(server.flowc_output())
        if gave_up or time.monotonic() > deadline:
            why = f"the client reports `{gave_up.group(0)}`" if gave_up else f"nothing within {seconds} s"
            raise AssertionError(
                f"no diagnostic reached VS Code: no error squiggle in the editor ({why}). "
                f"The language server `{FLOWC} lsp` did not start or did not answer."
            )
        time.sleep(0.25)


def wait_for_output(server, text, seconds=20):
    """VS Code writes the output channel to disk in batches: wait for `text` to get there."""
    deadline = time.monotonic() + seconds
    while text not in server.flowc_output():
        assert time.monotonic() < deadline, f"the flowc output channel never said {text!r}"
        time.sleep(0.25)


def show_problems(page):
    """Opens the Problems panel (Ctrl+Shift+M toggles it: pressed only when it is hidden)."""
    panel = page.locator(".markers-panel")
    if not panel.is_visible():
        page.keyboard.press("Control+Shift+M")
    panel.wait_for(state="visible", timeout=15_000)


def problems_rows(page):
    return page.locator(".markers-panel .monaco-list-row").all_inner_texts()


def wait_for_problems_text(page, wanted, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = page.locator(".markers-panel").inner_text()
        if wanted in text:
            return text
        time.sleep(0.25)
    return page.locator(".markers-panel").inner_text()


def test_errors_hover_completion_quick_fix_and_indentation():
    settings = {"flowc.server.path": FLOWC}
    with code_server("main", VSIX, settings, SITE) as server, chromium() as page:
        step = Steps(page, server, "main")
        page.goto(server.folder_url())

        with step("squiggle-under-the-unknown-name"):
            open_in_explorer(page, "rules.flow")
            wait_for_error_squiggle(page, server)
            squiggles = page.locator(".squiggly-error")
            assert squiggles.count() == 1, f"{squiggles.count()} error decorations, expected one"
            squiggle = squiggles.first.bounding_box()
            word = word_box(page, "nim1", "allow")
            # The decoration covers exactly the characters of `nim1` on its line.
            assert abs(squiggle["x"] - word["x"]) <= 2, (squiggle, word)
            assert abs((squiggle["x"] + squiggle["width"]) - (word["x"] + word["width"])) <= 2, (squiggle, word)
            assert squiggle["y"] <= word["y"] + word["height"] and word["y"] <= squiggle["y"] + squiggle["height"], (squiggle, word)
            wait_for_output(server, f"starting `{FLOWC} lsp`")

        with step("problems-panel-row"):
            show_problems(page)
            text = wait_for_problems_text(page, "E0102")
            errors = [row for row in problems_rows(page) if "E0102" in row]
            assert len(errors) == 1, f"Problems panel: {text!r}"
            assert "unknown name `nim1`" in errors[0], errors[0]
            assert f"[Ln {ERROR_LINE}, Col {ERROR_COLUMN}]" in errors[0], errors[0]
            assert "flowc" in errors[0], errors[0]

        with step("spaces-2-when-opened"):
            shown = wait_for_indentation(page, "Spaces: 2")
            assert shown == "Spaces: 2", f"status bar shows {shown!r} for rules.flow"

        with step("spaces-2-when-restored-after-reload"):
            # VS Code restores open editors at startup, before it knows the extension's
            # [flow] defaults: this is where "Spaces: 4" showed.
            # The open editors are written to the browser's storage a moment after they change;
            # a reload before that restores nothing. Reopen and reload again, a bounded number
            # of times, until VS Code restores the editor (which is the case under test).
            restored = page.locator('.editor-group-container.active .tab.active[aria-label^="rules.flow"]')
            for attempt in range(3):
                time.sleep(3)
                page.reload()
                try:
                    restored.wait_for(timeout=30_000)
                    break
                except Exception:
                    if attempt == 2:
                        raise
                    open_in_explorer(page, "rules.flow")
            wait_for_error_squiggle(page, server)
            shown = wait_for_indentation(page, "Spaces: 2")
            assert shown == "Spaces: 2", f"status bar shows {shown!r} for the restored rules.flow"

        with step("hover-on-a-service"):
            page.mouse.move(*centre(word_box(page, "ssh", "allow")))
            hover = page.locator(".monaco-hover:not(.hidden) .monaco-hover-content").first
            hover.wait_for(timeout=15_000)
            deadline = time.monotonic() + 10
            while "service net.ssh" not in hover.inner_text() and time.monotonic() < deadline:
                time.sleep(0.2)
            text = hover.inner_text()
            assert "service net.ssh" in text, f"hover shows {text!r}"
            assert "tcp 22" in text, f"hover shows {text!r}"

        with step("quick-fix-menu"):
            page.mouse.move(5, 5)
            page.keyboard.press("Escape")
            page.mouse.click(*centre(word_box(page, "nim1", "allow")))
            page.keyboard.press("Control+.")
            page.locator(".action-widget .monaco-list-row.action").first.wait_for(timeout=15_000)
            labels = [row.get_attribute("aria-label") for row in page.locator(".action-widget .monaco-list-row.action").all()]
            assert "use `nim01`" in labels, f"quick fixes offered: {labels}"
            for _ in range(len(labels)):
                if page.locator(".action-widget .monaco-list-row.action.focused").get_attribute("aria-label") == "use `nim01`":
                    break
                page.keyboard.press("ArrowDown")

        with step("quick-fix-applied"):
            page.keyboard.press("Enter")
            page.locator(".squiggly-error").first.wait_for(state="detached", timeout=20_000)
            word_box(page, "nim01", "allow aix ->")
            show_problems(page)
            text = wait_for_problems_text(page, "No problems have been detected")
            assert "No problems have been detected in the workspace." in text, f"Problems panel: {text!r}"

        with step("completion-after-is-nim"):
            open_in_explorer(page, "hosts.flow")
            shown = wait_for_indentation(page, "Spaces: 2")
            assert shown == "Spaces: 2", f"status bar shows {shown!r} for hosts.flow"
            page.locator(".editor-group-container.active .monaco-editor .view-lines").click()
            page.keyboard.press("Control+End")
            page.keyboard.press("Enter")
            page.keyboard.type("host nim02 = 198.18.1.11 is nim.", delay=20)
            page.locator(".suggest-widget.visible .monaco-list-row").first.wait_for(timeout=15_000)
            time.sleep(0.5)
            labels = {
                (row.get_attribute("aria-label") or "").split(",")[0]
                for row in page.locator(".suggest-widget.visible .monaco-list-row").all()
            }
            assert {"master", "client"} <= labels, f"completion list: {sorted(labels)}"

        assert not page.blocked_requests, f"the page asked for addresses outside loopback: {page.blocked_requests}"


@pytest.mark.skipif(not PLATFORM_VSIX, reason="no platform-specific .vsix (e2e.sh builds one on Linux x86-64)")
def test_platform_vsix_runs_its_bundled_flowc():
    # No flowc anywhere the extension looks: not on PATH, not in ~/.cargo/bin (HOME is
    # fresh), no flowc.server.path; only node's own directory and the system's.
    path = os.pathsep.join(dict.fromkeys([str(pathlib.Path(shutil.which("node")).parent), "/usr/bin", "/bin"]))
    assert shutil.which("flowc", path=path) is None, f"a flowc is on {path}: the bundled one would not be used"
    with code_server("bundled", PLATFORM_VSIX, {}, SITE, path=path) as server:
        installed = list(server.extensions.glob("flowc.flowc-*/server/flowc"))
        assert len(installed) == 1, f"no server/flowc in {list(server.extensions.iterdir())}"
        mode = installed[0].stat().st_mode
        # Checked before the extension ever ran (it would chmod): vsce stored the mode in the
        # archive and VS Code kept it when installing.
        assert mode & 0o111 == 0o111, f"{installed[0]} was installed with mode {stat.filemode(mode)}"
        with chromium() as page:
            step = Steps(page, server, "bundled")
            page.goto(server.folder_url())
            with step("diagnostic-from-the-bundled-server"):
                open_in_explorer(page, "rules.flow")
                wait_for_error_squiggle(page, server)
                show_problems(page)
                text = wait_for_problems_text(page, "E0102")
                assert f"[Ln {ERROR_LINE}, Col {ERROR_COLUMN}]" in text, f"Problems panel: {text!r}"
                wait_for_output(server, f"starting `{installed[0]} lsp` (bundled with the extension)")
                assert wait_for_indentation(page, "Spaces: 2") == "Spaces: 2", indentation_status(page)
            assert not page.blocked_requests, f"the page asked for addresses outside loopback: {page.blocked_requests}"
