//! The language server end to end: the real `flowc lsp` binary driven over stdio by a minimal
//! JSON-RPC client, through every feature, then a burst of garbage after which it still answers.

mod support;

use serde_json::{json, Value};
use std::io::{BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};
use support::lsp_frames::lsp_frames;

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    backlog: Vec<Value>,
}

impl Client {
    fn start(root: &std::path::Path) -> Client {
        // `--stdio` as vscode-languageclient passes it (TransportKind.stdio).
        let mut child = Command::new(env!("CARGO_BIN_EXE_flowc"))
            .args(["lsp", "--stdio"])
            .env("XDG_CACHE_HOME", root.join(".cache"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("flowc lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let messages = lsp_frames(stdout);
        let mut client = Client {
            child,
            stdin,
            messages,
            next_id: 1,
            backlog: Vec::new(),
        };
        let root_uri = format!("file://{}", root.display());
        client.request(
            "initialize",
            json!({ "processId": null, "rootUri": root_uri, "capabilities": {} }),
        );
        client.notify("initialized", json!({}));
        client
    }

    fn write(&mut self, message: Value) {
        self.write_all(&[message]);
    }

    /// Writes several messages in one write, as an editor does when a request follows an edit
    /// within the same millisecond.
    fn write_all(&mut self, messages: &[Value]) {
        let mut bytes = Vec::new();
        for message in messages {
            let body = message.to_string();
            write!(bytes, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        }
        self.stdin.write_all(&bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Writes raw bytes as one frame's body, however malformed.
    fn write_body(&mut self, body: &[u8]) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(body).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Waits for the answer with this id (an error answer to a malformed message included).
    fn answer(&mut self, id: &Value) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        if let Some(position) = (self.backlog.iter())
            .position(|message| &message["id"] == id && message.get("method").is_none())
        {
            return self.backlog.remove(position);
        }
        loop {
            let message = self
                .receive(deadline)
                .unwrap_or_else(|| panic!("no answer with id {id}"));
            if &message["id"] == id && message.get("method").is_none() {
                return message;
            }
            self.backlog.push(message);
        }
    }

    /// Opens a document at version 1.
    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "flow", "version": 1, "text": text } }),
        );
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.write(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.write(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let message = self
                .receive(deadline)
                .unwrap_or_else(|| panic!("no answer to {method}"));
            if message["id"] == json!(id) && message.get("method").is_none() {
                return message;
            }
            if message.get("id").is_some() && message.get("method").is_some() {
                // A request from the server (e.g. registration): answer it.
                let reply = json!({ "jsonrpc": "2.0", "id": message["id"], "result": null });
                self.write(reply);
                continue;
            }
            self.backlog.push(message);
        }
    }

    fn receive(&mut self, deadline: Instant) -> Option<Value> {
        self.messages
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .ok()
    }

    /// Waits for diagnostics of `uri` that satisfy `accept`, returning them.
    fn diagnostics(&mut self, uri: &str, accept: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen = std::mem::take(&mut self.backlog);
        loop {
            for message in seen.drain(..) {
                if message["method"] == "textDocument/publishDiagnostics"
                    && message["params"]["uri"] == uri
                {
                    let list = message["params"]["diagnostics"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    if accept(&list) {
                        return list;
                    }
                }
            }
            match self.receive(deadline) {
                Some(message) => seen.push(message),
                None => panic!("no acceptable diagnostics for {uri}"),
            }
        }
    }

    fn position(
        &mut self,
        method: &str,
        uri: &str,
        line: u32,
        character: u32,
        extra: Value,
    ) -> Value {
        let mut params = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
        if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
            params.extend(extra.clone());
        }
        self.request(method, params)["result"].clone()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const HOSTS: &str = "import nim\nzone mgmt = 198.18.1.0/24\nhost nim01 = 198.18.1.10 is nim.master(nfs = 4)\ngroup aix = 198.18.1.128/25 is nim.client(master = nim01)\nlint broad-range = allow\n";
const RULES: &str = "allow aix -> nim01 : ssh\nexpect aix -> nim01 : tcp 1058 allowed\n";

/// A server on an empty site directory, which lives as long as the first value.
fn empty_site() -> (tempfile::TempDir, std::path::PathBuf, Client) {
    let directory = tempfile::tempdir().unwrap();
    let root = directory.path().canonicalize().unwrap();
    let client = Client::start(&root);
    (directory, root, client)
}

fn uri(root: &std::path::Path, name: &str) -> String {
    format!("file://{}", root.join(name).display())
}

#[test]
fn the_language_server_serves_a_real_client_over_stdio() {
    let directory = tempfile::tempdir().unwrap();
    let root = directory.path().canonicalize().unwrap();
    std::fs::write(root.join("hosts.flow"), HOSTS).unwrap();
    std::fs::write(root.join("rules.flow"), RULES).unwrap();
    let mut client = Client::start(&root);
    let rules = uri(&root, "rules.flow");
    let hosts = uri(&root, "hosts.flow");

    // An error appears at the right line, and goes away when fixed.
    let broken = "allow aix -> nim1 : ssh\nexpect aix -> nim01 : tcp 1058 allowed\n";
    client.open(&rules, broken);
    let diagnostics = client.diagnostics(&rules, |list| !list.is_empty());
    assert_eq!(diagnostics[0]["code"], "E0102");
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({ "line": 0, "character": 13 })
    );
    // The quick fix offers the suggestion.
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": rules },
            "range": diagnostics[0]["range"],
            "context": { "diagnostics": diagnostics }
        }),
    )["result"]
        .clone();
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|action| action["title"] == "use `nim01`")
        .expect("a did-you-mean fix");
    let edit = &fix["edit"]["changes"][&rules][0];
    assert_eq!(edit["newText"], "nim01");
    client.notify("textDocument/didChange", json!({ "textDocument": { "uri": rules, "version": 2 }, "contentChanges": [{ "text": RULES }] }));
    client.diagnostics(&rules, |list| list.is_empty());

    // Hover on a role use shows its doc and the flows it expands to for this holder.
    client.open(&hosts, HOSTS);
    let hover = client.position("textDocument/hover", &hosts, 2, 35, json!({}));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("role nim.master("), "{text}");
    assert!(text.contains("Expands to"), "{text}");
    assert!(text.contains("seed 000"), "{text}");

    // Definition of `nim.master` opens the stdlib file.
    let definition = client.position("textDocument/definition", &hosts, 2, 35, json!({}));
    assert!(
        definition["uri"].as_str().unwrap().ends_with("/nim.flow"),
        "{definition}"
    );

    // Completion after `import ` and after `nim.`.
    client.notify("textDocument/didChange", json!({ "textDocument": { "uri": hosts, "version": 2 }, "contentChanges": [{ "text": format!("{HOSTS}import \nhost x = 198.18.1.9 is nim.\n") }] }));
    let completions = client.position("textDocument/completion", &hosts, 5, 7, json!({}));
    let labels: Vec<&str> = completions
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"xcat") && labels.contains(&"ipmi"),
        "{labels:?}"
    );
    let completions = client.position("textDocument/completion", &hosts, 6, 27, json!({}));
    let labels: Vec<&str> = completions
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"master") && labels.contains(&"client"),
        "{labels:?}"
    );
    client.notify("textDocument/didChange", json!({ "textDocument": { "uri": hosts, "version": 3 }, "contentChanges": [{ "text": HOSTS }] }));
    client.diagnostics(&hosts, |list| list.is_empty());

    // Rename `nim01` across both files; stdlib names and keywords are refused.
    let rename = client.position(
        "textDocument/rename",
        &rules,
        0,
        14,
        json!({ "newName": "nimmaster" }),
    );
    let changes = rename["changes"].as_object().unwrap();
    assert_eq!(changes[&rules].as_array().unwrap().len(), 2);
    assert_eq!(changes[&hosts].as_array().unwrap().len(), 2);
    let refused = client.request("textDocument/rename", json!({ "textDocument": { "uri": hosts }, "position": { "line": 2, "character": 35 }, "newName": "x" }));
    assert!(
        refused.get("error").is_some(),
        "renaming a stdlib role must be refused"
    );
    let refused = client.request("textDocument/rename", json!({ "textDocument": { "uri": rules }, "position": { "line": 0, "character": 14 }, "newName": "allow" }));
    assert!(
        refused.get("error").is_some(),
        "renaming to a keyword must be refused"
    );

    // Formatting gives the same layout as `flowc fmt`.
    let messy = "allow  aix->nim01:ssh\nexpect aix -> nim01 : tcp 1058 allowed\n";
    client.notify("textDocument/didChange", json!({ "textDocument": { "uri": rules, "version": 3 }, "contentChanges": [{ "text": messy }] }));
    let edits = client.request("textDocument/formatting", json!({ "textDocument": { "uri": rules }, "options": { "tabSize": 2, "insertSpaces": true } }))["result"].clone();
    assert_eq!(edits[0]["newText"], RULES);

    // A burst of garbage and half-typed edits; the server must still answer afterwards.
    let garbage = [
        "host",
        "host x =",
        "@@@@\u{0}\u{7f}",
        "role r(",
        "allow a -> ",
        "}}}}((((",
        "zone z = 10.0.0.0/99",
        "\"unterminated",
        &"(".repeat(5000),
    ];
    for (version, text) in garbage.iter().enumerate() {
        client.notify("textDocument/didChange", json!({ "textDocument": { "uri": rules, "version": 10 + version }, "contentChanges": [{ "text": text }] }));
        client.position("textDocument/hover", &rules, 0, 2, json!({}));
        client.position("textDocument/completion", &rules, 0, 3, json!({}));
    }
    client.request("textDocument/hover", json!({ "textDocument": { "uri": "file:///nowhere.flow" }, "position": { "line": 99, "character": 99 } }));
    client.notify("textDocument/didChange", json!({ "textDocument": { "uri": rules, "version": 100 }, "contentChanges": [{ "text": RULES }] }));
    client.diagnostics(&rules, |list| list.is_empty());
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": hosts } }),
    )["result"]
        .clone();
    assert!(symbols
        .as_array()
        .unwrap()
        .iter()
        .any(|symbol| symbol["name"] == "nim01"));
    let shutdown = client.request("shutdown", json!(null));
    assert!(shutdown.get("error").is_none());
}

/// Requests sent in the same write as the edit before them are answered for the edited text,
/// not from the analysis before it (nor with nothing, before the first analysis).
#[test]
fn a_request_sent_with_an_edit_is_answered_for_that_edit() {
    let (_directory, root, mut client) = empty_site();
    let site = uri(&root, "site.flow");
    let first = "host alpha = 198.18.1.1\nhost beta = 198.18.1.2\nallow alpha -> beta : ssh\n";
    client.write_all(&[
        json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": { "uri": site, "languageId": "flow", "version": 1, "text": first } } }),
        json!({ "jsonrpc": "2.0", "id": 501, "method": "textDocument/hover", "params": { "textDocument": { "uri": site }, "position": { "line": 2, "character": 16 } } }),
    ]);
    let hover = client.answer(&json!(501));
    let text = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(
        text.contains("host beta") && text.contains("198.18.1.2"),
        "{hover}"
    );

    // An incremental edit renames `beta` to `gamma` everywhere it is written; a definition and
    // a hover sent with it see the new text.
    let edit = |line: u32, from: u32, to: u32| json!({ "range": { "start": { "line": line, "character": from }, "end": { "line": line, "character": to } }, "text": "gamma" });
    client.write_all(&[
        json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": { "textDocument": { "uri": site, "version": 2 }, "contentChanges": [edit(1, 5, 9), edit(2, 15, 19)] } }),
        json!({ "jsonrpc": "2.0", "id": 502, "method": "textDocument/definition", "params": { "textDocument": { "uri": site }, "position": { "line": 2, "character": 16 } } }),
        json!({ "jsonrpc": "2.0", "id": 503, "method": "textDocument/hover", "params": { "textDocument": { "uri": site }, "position": { "line": 2, "character": 16 } } }),
    ]);
    let definition = client.answer(&json!(502));
    assert_eq!(
        definition["result"]["range"]["start"],
        json!({ "line": 1, "character": 5 }),
        "{definition}"
    );
    let hover = client.answer(&json!(503));
    let text = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(text.contains("host gamma"), "{hover}");
    // The incrementally edited text is what the server analyses: no error anywhere.
    client.diagnostics(&site, |list| list.is_empty());
    // An edit that breaks the name is reported where the editor shows it.
    client.notify("textDocument/didChange", json!({ "textDocument": { "uri": site, "version": 3 }, "contentChanges": [{ "range": { "start": { "line": 2, "character": 15 }, "end": { "line": 2, "character": 16 } }, "text": "" }] }));
    let diagnostics = client.diagnostics(&site, |list| !list.is_empty());
    assert_eq!(diagnostics[0]["code"], "E0102");
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({ "line": 2, "character": 15 })
    );
}

/// While the user types, a hover on a name outside the text edited since the last analysis is
/// answered from that analysis and placed where the name now is; one on the edited text waits
/// for the analysis of the new text.
#[test]
fn a_hover_while_typing_is_placed_in_the_new_text() {
    let (_directory, root, mut client) = empty_site();
    let site = uri(&root, "site.flow");
    let first = "host alpha = 198.18.1.1\nhost beta = 198.18.1.2\nallow alpha -> beta : ssh\n";
    client.open(&site, first);
    client.diagnostics(&site, |list| list.is_empty());
    let insert = json!({ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "host gamma = 198.18.1.3\n" });
    let hover = |id: u32, line: u32, character: u32| json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": { "textDocument": { "uri": site }, "position": { "line": line, "character": character } } });
    client.write_all(&[
        json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": { "textDocument": { "uri": site, "version": 2 }, "contentChanges": [insert] } }),
        hover(601, 3, 16),
        hover(602, 0, 6),
        hover(603, 2, 1),
    ]);
    let beta = client.answer(&json!(601));
    let text = beta["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(
        text.contains("host beta") && text.contains("198.18.1.2"),
        "{beta}"
    );
    assert_eq!(
        beta["result"]["range"],
        json!({ "start": { "line": 3, "character": 15 }, "end": { "line": 3, "character": 19 } }),
        "the name is shown where it is in the editor's text"
    );
    let gamma = client.answer(&json!(602));
    let text = gamma["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(
        text.contains("host gamma") && text.contains("198.18.1.3"),
        "{gamma}"
    );
    let keyword = client.answer(&json!(603));
    assert_eq!(keyword["result"], Value::Null, "no hover on a keyword");
}

/// Malformed messages get their JSON-RPC error, and the server goes on answering.
#[test]
fn malformed_messages_are_answered_and_the_server_carries_on() {
    let (_directory, _, mut client) = empty_site();
    let cases: [(&[u8], i64, Value); 6] = [
        (b"{not json", -32700, Value::Null),
        (b"null", -32600, Value::Null),
        (
            br#"{"jsonrpc":"1.0","id":41,"method":"x"}"#,
            -32600,
            json!(41),
        ),
        (br#"{"id":42}"#, -32600, json!(42)),
        (b"[]", -32600, Value::Null),
        (b"\xff\xfe", -32700, Value::Null),
    ];
    for (body, code, id) in cases {
        client.write_body(body);
        let answer = client.answer(&id);
        assert_eq!(answer["error"]["code"], code, "{body:?}: {answer}");
        let symbols = client.request("workspace/symbol", json!({ "query": "" }));
        assert!(symbols.get("error").is_none(), "{body:?}: {symbols}");
    }
    let shutdown = client.request("shutdown", json!(null));
    assert!(shutdown.get("error").is_none());
}

#[test]
fn formatting_refuses_what_does_not_round_trip_and_says_why() {
    let (_directory, root, mut client) = empty_site();
    let document = uri(&root, "zones.flow");
    let refused = "zone /// a\n/// b\nz = 10.0.0.0/8\nzone y = 10.1.0.0/16\n";
    client.open(&document, refused);
    let options = json!({ "textDocument": { "uri": document }, "options": { "tabSize": 2, "insertSpaces": true } });
    let answer = client.request("textDocument/formatting", options.clone());
    assert_eq!(answer["result"], Value::Null, "no edits: {answer}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = std::mem::take(&mut client.backlog);
    let shown = loop {
        if let Some(message) = seen
            .iter()
            .find(|message| message["method"] == "window/showMessage")
        {
            break message.clone();
        }
        seen.push(client.receive(deadline).expect("a window/showMessage"));
    };
    assert!(
        shown["params"]["message"]
            .as_str()
            .unwrap()
            .contains("E0014"),
        "{shown}"
    );

    // A file whose only error is E0011 is not formatted either.
    let capped = format!(
        "role r(x: bool) {{\n  if   {}x {{\n  }}\n}}\n",
        "!".repeat(65)
    );
    client.notify("textDocument/didChange", json!({ "textDocument": { "uri": document, "version": 2 }, "contentChanges": [{ "text": capped }] }));
    assert_eq!(
        client.request("textDocument/formatting", options.clone())["result"],
        Value::Null
    );

    // Lines ending in a lone CR: the edit spans every one of them.
    let lone_cr = "host a  =  10.0.0.1\rhost b = 10.0.0.2\r# c\r";
    client.notify("textDocument/didChange", json!({ "textDocument": { "uri": document, "version": 3 }, "contentChanges": [{ "text": lone_cr }] }));
    let edits = client.request("textDocument/formatting", options)["result"].clone();
    // Three line ends: the edit runs to the start of the (empty) line after the last one.
    assert_eq!(
        edits[0]["range"]["end"],
        json!({ "line": 4, "character": 0 })
    );
    assert_eq!(
        edits[0]["newText"],
        "host a = 10.0.0.1\nhost b = 10.0.0.2\n# c\n"
    );
}
