//! Writing to standard output without panicking when the reader goes away (`flowc … | head`),
//! and paths shown to the user with their control characters escaped.

use std::io::Write;

/// Writes `text` to standard output; exits quietly with status 0 if the pipe was closed.
pub fn print(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let result = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    if let Err(error) = result {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {error}");
        std::process::exit(crate::status::USAGE as i32);
    }
}

/// `print` with a trailing newline.
pub fn println(text: &str) {
    print(&format!("{text}\n"));
}

/// A path as messages show it: [`flowc_compiler::escape::escaped`], as the reports show file
/// names, so that a file named with ESC cannot drive the reader's terminal.
pub fn shown(path: &std::path::Path) -> String {
    flowc_compiler::escape::escaped(&path.to_string_lossy()).into_owned()
}
