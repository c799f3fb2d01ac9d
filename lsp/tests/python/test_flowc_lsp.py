"""flowc lsp driven by pytest-lsp (pygls), an independent LSP client, over stdio."""

import os
import pathlib
import shutil
import tempfile

import pytest
import pytest_lsp
from lsprotocol.types import (
    ClientCapabilities,
    CompletionParams,
    DefinitionParams,
    DidChangeTextDocumentParams,
    DidOpenTextDocumentParams,
    DocumentFormattingParams,
    FormattingOptions,
    HoverParams,
    InitializeParams,
    Position,
    RenameParams,
    TextDocumentContentChangeWholeDocument,
    TextDocumentIdentifier,
    TextDocumentItem,
    VersionedTextDocumentIdentifier,
)
from pytest_lsp import ClientServerConfig, LanguageClient

FLOWC = os.environ.get("FLOWC", "flowc")
SITE = pathlib.Path(tempfile.mkdtemp(prefix="flowc-pytest-lsp-"))
HOSTS = (
    "import nim\nzone mgmt = 198.18.1.0/24\n"
    "host nim01 = 198.18.1.10 is nim.master(mountd = 33333, nfs = 4)\n"
    "group aix = 198.18.1.128/25 is nim.client(master = nim01)\nlint broad-range = allow\n"
)
RULES = "allow aix -> nim01 : ssh\n"
(SITE / "hosts.flow").write_text(HOSTS)
(SITE / "rules.flow").write_text(RULES)
os.environ["XDG_CACHE_HOME"] = str(SITE / ".cache")


def uri(name):
    return (SITE / name).as_uri()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[FLOWC, "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(InitializeParams(capabilities=ClientCapabilities(), root_uri=SITE.as_uri()))
    yield
    await lsp_client.shutdown_session()


def open_document(client, name, text, version=1):
    client.text_document_did_open(DidOpenTextDocumentParams(text_document=TextDocumentItem(uri=uri(name), language_id="flow", version=version, text=text)))


def change_document(client, name, text, version):
    client.text_document_did_change(
        DidChangeTextDocumentParams(
            text_document=VersionedTextDocumentIdentifier(uri=uri(name), version=version),
            content_changes=[TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def diagnostics_for(client, name, accept):
    for _ in range(50):
        await client.wait_for_notification("textDocument/publishDiagnostics")
        found = client.diagnostics.get(uri(name))
        if found is not None and accept(found):
            return found
    raise AssertionError(f"no acceptable diagnostics for {name}")


async def test_error_at_the_right_line_then_cleared(client: LanguageClient):
    open_document(client, "rules.flow", "\nallow aix -> nim1 : ssh\n")
    found = await diagnostics_for(client, "rules.flow", lambda diagnostics: len(diagnostics) > 0)
    assert found[0].code == "E0102"
    assert found[0].range.start.line == 1
    change_document(client, "rules.flow", RULES, 2)
    await diagnostics_for(client, "rules.flow", lambda diagnostics: len(diagnostics) == 0)


async def test_hover_definition_completion_rename_and_formatting(client: LanguageClient):
    open_document(client, "hosts.flow", HOSTS)
    await diagnostics_for(client, "hosts.flow", lambda diagnostics: True)
    document = TextDocumentIdentifier(uri=uri("hosts.flow"))
    hover = await client.text_document_hover_async(HoverParams(text_document=document, position=Position(line=2, character=35)))
    assert "role nim.master(" in hover.contents.value
    definition = await client.text_document_definition_async(DefinitionParams(text_document=document, position=Position(line=2, character=35)))
    location = definition[0] if isinstance(definition, list) else definition
    assert location.uri.endswith("/nim.flow")
    completions = await client.text_document_completion_async(CompletionParams(text_document=document, position=Position(line=2, character=32)))
    items = completions if isinstance(completions, list) else completions.items
    assert {"master", "client"} <= {item.label for item in items}
    edit = await client.text_document_rename_async(RenameParams(text_document=document, position=Position(line=2, character=6), new_name="nimmaster"))
    assert set(edit.changes) == {uri("hosts.flow"), uri("rules.flow")}
    change_document(client, "hosts.flow", "host   a=198.18.1.2\n", 2)
    edits = await client.text_document_formatting_async(
        DocumentFormattingParams(text_document=document, options=FormattingOptions(tab_size=2, insert_spaces=True))
    )
    assert edits[0].new_text == "host a = 198.18.1.2\n"


async def test_survives_garbage(client: LanguageClient):
    open_document(client, "rules.flow", RULES)
    for version, text in enumerate(["host", "(((((", "\x00\x01@@", "role r(", "zone z = 1.2.3.4/99", "(" * 3000], start=2):
        change_document(client, "rules.flow", text, version)
        await client.text_document_hover_async(HoverParams(text_document=TextDocumentIdentifier(uri=uri("rules.flow")), position=Position(line=0, character=1)))
    change_document(client, "rules.flow", RULES, 100)
    await diagnostics_for(client, "rules.flow", lambda diagnostics: len(diagnostics) == 0)


def teardown_module(module):
    shutil.rmtree(SITE, ignore_errors=True)
