//! An LSP frame reader for tests and benchmarks that drive `flowc lsp` over stdio.

/// Reads a language server's LSP frames (a `Content-Length` header, a blank line, a JSON body)
/// on a thread of its own, so that a silent server fails a test by a timeout on the receiver
/// instead of hanging it. The channel closes when the output ends.
pub fn lsp_frames(
    mut output: impl std::io::BufRead + Send + 'static,
) -> std::sync::mpsc::Receiver<serde_json::Value> {
    let (sender, frames) = std::sync::mpsc::channel();
    std::thread::spawn(move || loop {
        let mut length = 0;
        loop {
            let mut line = String::new();
            if output.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = value.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        if output.read_exact(&mut body).is_err()
            || sender.send(serde_json::from_slice(&body).unwrap()).is_err()
        {
            return;
        }
    });
    frames
}
