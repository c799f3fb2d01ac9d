//! Language-server latency on a generated 5,000-line site: diagnostics after an edit, hover
//! and completion, measured through the real binary over stdio. A benchmark, not a test: it
//! prints percentiles (run with `cargo bench --bench lsp_latency`).

#[path = "support/generate.rs"]
mod generate;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

fn percentile(samples: &mut [f64], fraction: f64) -> f64 {
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    samples[((samples.len() as f64 - 1.0) * fraction).round() as usize]
}

fn main() {
    let site = generate::generate(3_800, 8);
    let directory = tempfile::tempdir().unwrap();
    for (name, text) in &site.files {
        std::fs::write(directory.path().join(name), text).unwrap();
    }
    let root = directory.path().canonicalize().unwrap();
    // `FLOWC_KEEP_SITE=DIR` also writes the generated site there, to profile it with the CLI.
    if let Some(keep) = std::env::var_os("FLOWC_KEEP_SITE") {
        std::fs::create_dir_all(&keep).unwrap();
        for (name, text) in &site.files {
            std::fs::write(std::path::Path::new(&keep).join(name), text).unwrap();
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
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let (sender, messages) = channel::<Value>();
    std::thread::spawn(move || loop {
        let mut length = 0;
        loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line.trim_end().is_empty() {
                break;
            }
            if let Some(value) = line.trim_end().strip_prefix("Content-Length: ") {
                length = value.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        if stdout.read_exact(&mut body).is_err()
            || sender.send(serde_json::from_slice(&body).unwrap()).is_err()
        {
            return;
        }
    });
    let mut send = |message: Value| {
        let body = message.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    };
    let wait = |accept: &dyn Fn(&Value) -> bool| loop {
        let message = messages
            .recv_timeout(Duration::from_secs(60))
            .expect("the server answers");
        if accept(&message) {
            return message;
        }
    };
    send(
        json!({ "jsonrpc": "2.0", "id": 0, "method": "initialize", "params": { "processId": null, "rootUri": format!("file://{}", root.display()), "capabilities": {} } }),
    );
    wait(&|message| message["id"] == 0);
    send(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
    let uri = format!("file://{}", root.join("rules0.flow").display());
    let original = std::fs::read_to_string(root.join("rules0.flow")).unwrap();
    send(
        json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": { "uri": uri, "languageId": "flow", "version": 1, "text": original } } }),
    );
    wait(&|message| {
        message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri
    });

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
        send(
            json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": { "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] } }),
        );
        wait(&|message| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
                && message["params"]["version"] == version
        });
        diagnostics.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let mut hover = Vec::new();
    let mut completion = Vec::new();
    for round in 0..rounds {
        for (method, samples) in [
            ("textDocument/hover", &mut hover),
            ("textDocument/completion", &mut completion),
        ] {
            let id = 1000 + round * 2 + usize::from(method.ends_with("completion"));
            let started = Instant::now();
            send(
                json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": { "textDocument": { "uri": uri }, "position": { "line": 0, "character": 7 } } }),
            );
            wait(&|message| message["id"] == id);
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    println!("site: {} lines in {} files", site.lines, site.files.len());
    for (name, samples) in [
        ("diagnostics after edit", &mut diagnostics),
        ("hover", &mut hover),
        ("completion", &mut completion),
    ] {
        let (p50, p95) = (percentile(samples, 0.5), percentile(samples, 0.95));
        println!(
            "{name:<24} p50 {p50:7.2} ms   p95 {p95:7.2} ms   ({} samples)",
            samples.len()
        );
    }
}
