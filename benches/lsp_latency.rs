//! Language-server latency through the real binary over stdio. A benchmark, not a test: it
//! prints percentiles (run with `cargo bench --bench lsp_latency`).
//!
//! Two sites and two ways of working. On a 5,000-line site: diagnostics after an edit made
//! after a pause, then hover and completion on a quiet document. On a 10,000-host site: an
//! edit storm (a line typed a character every 30 ms, with no pause for the analysis) during
//! which hover and completion are asked after every keystroke, as an editor does.

#[path = "support/generate.rs"]
mod generate;
#[path = "../tests/support/lsp_frames.rs"]
mod lsp_frames;

use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

fn percentile(samples: &mut [f64], fraction: f64) -> f64 {
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    samples[((samples.len() as f64 - 1.0) * fraction).round() as usize]
}

fn report(name: &str, samples: &mut [f64]) {
    let (p50, p95) = (percentile(samples, 0.5), percentile(samples, 0.95));
    println!(
        "{name:<32} p50 {p50:7.2} ms   p95 {p95:7.2} ms   ({} samples)",
        samples.len()
    );
}

/// A running `flowc lsp` on a generated site, with one document open.
struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    uri: String,
    text: String,
    _directory: tempfile::TempDir,
}

impl Server {
    fn start(site: &generate::GeneratedSite, hosts: usize, document: &str) -> Server {
        let directory = tempfile::tempdir().unwrap();
        for (name, text) in &site.files {
            std::fs::write(directory.path().join(name), text).unwrap();
        }
        let root: PathBuf = directory.path().canonicalize().unwrap();
        // `FLOWC_KEEP_SITE=DIR` also writes the site there, to profile it with the CLI.
        if let Some(keep) = std::env::var_os("FLOWC_KEEP_SITE") {
            let keep = PathBuf::from(keep).join(format!("{hosts}-hosts"));
            std::fs::create_dir_all(&keep).unwrap();
            for (name, text) in &site.files {
                std::fs::write(keep.join(name), text).unwrap();
            }
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_flowc"))
            .arg("lsp")
            .env("XDG_CACHE_HOME", root.join(".cache"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let messages =
            lsp_frames::lsp_frames(std::io::BufReader::new(child.stdout.take().unwrap()));
        let uri = format!("file://{}", root.join(document).display());
        let text = std::fs::read_to_string(root.join(document)).unwrap();
        let mut server = Server {
            child,
            stdin,
            messages,
            uri,
            text,
            _directory: directory,
        };
        server.send(json!({ "jsonrpc": "2.0", "id": 0, "method": "initialize", "params": { "processId": null, "rootUri": format!("file://{}", root.display()), "capabilities": {} } }));
        server.wait(|message| message["id"] == 0);
        server.send(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
        let (uri, text) = (server.uri.clone(), server.text.clone());
        server.send(json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": { "uri": uri, "languageId": "flow", "version": 1, "text": text } } }));
        server.wait_for_diagnostics(None);
        server
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn wait(&self, accept: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = (self.messages)
                .recv_timeout(Duration::from_secs(60))
                .expect("the server answers");
            if accept(&message) {
                return message;
            }
        }
    }

    fn wait_for_diagnostics(&self, version: Option<usize>) {
        self.wait(|message| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == self.uri.as_str()
                && version.is_none_or(|version| message["params"]["version"] == version)
        });
    }

    /// Sends a request at `(line, character)` of the document and returns the time to its
    /// answer in milliseconds.
    fn ask(&mut self, id: usize, method: &str, line: usize, character: usize) -> f64 {
        let started = Instant::now();
        let uri = self.uri.clone();
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": { "textDocument": { "uri": uri }, "position": { "line": line, "character": character } } }));
        let answer = self.wait(|message| message["id"] == id);
        assert!(answer.get("error").is_none(), "{method} failed: {answer}");
        started.elapsed().as_secs_f64() * 1000.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Diagnostics after an edit that follows a pause, then hover and completion on a quiet
/// document.
fn after_pauses() {
    let hosts = 3_800;
    let site = generate::generate(hosts, 8);
    println!("site: {} lines in {} files", site.lines, site.files.len());
    let mut server = Server::start(&site, hosts, "rules0.flow");
    let original = server.text.clone();
    let rounds = 60;
    let mut diagnostics = Vec::new();
    for round in 0..rounds {
        // Alternate a broken and a fixed document; each edit follows a pause, as typing does.
        std::thread::sleep(Duration::from_millis(150));
        let text = if round % 2 == 0 {
            format!("{original}allow h1 -> nosuch : ssh\n")
        } else {
            original.clone()
        };
        let version = 2 + round;
        let started = Instant::now();
        let uri = server.uri.clone();
        server.send(json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": { "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] } }));
        server.wait_for_diagnostics(Some(version));
        diagnostics.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let (mut hover, mut completion) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        hover.push(server.ask(1000 + 2 * round, "textDocument/hover", 0, 7));
        completion.push(server.ask(1001 + 2 * round, "textDocument/completion", 0, 7));
    }
    report("diagnostics after edit", &mut diagnostics);
    report("hover", &mut hover);
    report("completion", &mut completion);
}

/// A line typed a character every 30 ms at the end of the document; after every keystroke a
/// hover on a name further up (alternating two lines) or a completion at the cursor.
fn edit_storm() {
    let hosts = 10_000;
    let site = generate::generate(hosts, 8);
    println!(
        "site: {hosts} hosts, {} lines in {} files",
        site.lines,
        site.files.len()
    );
    let mut server = Server::start(&site, hosts, "rules0.flow");
    let line = server.text.lines().count();
    let typed = "allow h12 -> h4711 : tcp 8443\n".repeat(10);
    let (mut hover, mut completion) = (Vec::new(), Vec::new());
    let (mut row, mut column) = (line, 0);
    let mut last = Instant::now();
    for (keystroke, character) in typed.chars().enumerate() {
        let version = 2 + keystroke;
        let uri = server.uri.clone();
        let change = json!({ "range": { "start": { "line": row, "character": column }, "end": { "line": row, "character": column } }, "text": character.to_string() });
        server.send(json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": { "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] } }));
        if character == '\n' {
            (row, column) = (row + 1, 0);
        } else {
            column += 1;
        }
        let id = 10_000 + keystroke;
        if keystroke % 2 == 0 {
            hover.push(server.ask(id, "textDocument/hover", keystroke % 7, 7));
        } else {
            completion.push(server.ask(id, "textDocument/completion", row, column));
        }
        let pause = Duration::from_millis(30).saturating_sub(last.elapsed());
        std::thread::sleep(pause);
        last = Instant::now();
    }
    report("storm: hover", &mut hover);
    report("storm: completion", &mut completion);
    let version = 1 + typed.chars().count();
    server.wait_for_diagnostics(Some(version));
}

fn main() {
    after_pauses();
    edit_storm();
}
