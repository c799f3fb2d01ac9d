//! The language server's transport under malformed frames: after a real `initialize`, arbitrary bytes (broken headers, wrong lengths, bodies that are not JSON or not JSON-RPC 2.0) reach the whole server as an editor's pipe would deliver them. No panic, the server ends when its input ends, and everything it writes is whole frames of JSON-RPC 2.0.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}"#;

fuzz_target!(|data: &[u8]| {
    if data.len() > 64 * 1024 {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let written = runtime.block_on(async {
        let (mut client, server_input) = tokio::io::duplex(1 << 20);
        let (server_output, mut replies) = tokio::io::duplex(1 << 20);
        let server = tokio::spawn(flowc_lsp::serve(server_input, server_output));
        let mut input =
            format!("Content-Length: {}\r\n\r\n{INITIALIZE}", INITIALIZE.len()).into_bytes();
        input.extend_from_slice(data);
        let reader = tokio::spawn(async move {
            let mut written = Vec::new();
            let _ = replies.read_to_end(&mut written).await;
            written
        });
        let _ = client.write_all(&input).await;
        drop(client);
        server.await.expect("the server task does not panic");
        reader.await.unwrap()
    });
    // Dropped, not shut down in the background: every task and thread of the run ends before
    // the next input, so nothing of one run is counted as another's leak.
    drop(runtime);
    // An `exit` notification may end the server before it answers what came before it.
    let may_exit = data.windows(4).any(|window| window == b"exit");
    check_frames(&written, !may_exit);
});

/// Every frame is `Content-Length: N`, a blank line and N bytes of a JSON-RPC 2.0 message.
fn check_frames(mut bytes: &[u8], must_answer_initialize: bool) {
    let mut initialized = false;
    while !bytes.is_empty() {
        let end = find(bytes, b"\r\n\r\n").expect("a whole header");
        let header = std::str::from_utf8(&bytes[..end]).expect("an ASCII header");
        let length: usize = header
            .strip_prefix("Content-Length: ")
            .and_then(|length| length.parse().ok())
            .unwrap_or_else(|| panic!("a bad header {header:?}"));
        let body = &bytes[end + 4..end + 4 + length];
        let message: serde_json::Value = serde_json::from_slice(body).expect("a JSON body");
        assert_eq!(message["jsonrpc"], "2.0", "{message}");
        if message["id"] == 1 && message.get("result").is_some() {
            initialized = true;
        }
        bytes = &bytes[end + 4 + length..];
    }
    // Whatever followed, the well-formed `initialize` before it was answered.
    assert!(
        initialized || !must_answer_initialize,
        "no answer to initialize"
    );
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
