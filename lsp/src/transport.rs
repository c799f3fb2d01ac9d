//! The stdio transport in front of tower-lsp-server: every frame is read and checked here first,
//! so that a malformed message is answered with its JSON-RPC error and the server carries on.
//!
//! tower-lsp-server stops reading at the first frame it cannot decode (`{not json`, `null`,
//! `{"id":5}`, a `jsonrpc` other than "2.0"), and the server then exits with status 0 without a
//! word. Here each frame is parsed as a JSON-RPC request, notification or response; one that is
//! not is answered with -32700 (not JSON) or -32600 (JSON, but not a JSON-RPC 2.0 message) and
//! never reaches the server. A frame header without a usable `Content-Length` is answered with
//! -32700 and skipped up to the next header. Only the writer task writes to standard output, so
//! these answers never land inside one of the server's own frames.

use serde_json::{json, Value};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt,
};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tower_lsp_server::jsonrpc::{Request, Response};

/// The largest message accepted. A whole site of 5 MB sent as one document fits many times; a
/// larger frame is read and dropped in pieces, never held in memory.
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// The longest header line accepted; longer ones are garbage.
const MAX_HEADER_LINE: usize = 1024;

/// What one frame read from the client turned out to be.
#[derive(Debug, PartialEq)]
pub enum Frame {
    /// A well-formed JSON-RPC message: its bytes go to the server unchanged.
    Message(Vec<u8>),
    /// A malformed one: this error response goes back to the client.
    Rejected(Value),
    /// The input ended.
    End,
}

/// Reads the next frame: headers up to an empty line, then `Content-Length` bytes of body.
pub async fn read_frame<R: AsyncBufRead + Unpin>(input: &mut R) -> std::io::Result<Frame> {
    let mut length: Option<Result<usize, ()>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        let read = (&mut *input)
            .take(MAX_HEADER_LINE as u64)
            .read_until(b'\n', &mut line)
            .await?;
        if read == 0 {
            return Ok(Frame::End);
        }
        if line.len() >= MAX_HEADER_LINE && !line.ends_with(b"\n") {
            // A run of garbage without line breaks: drop it and answer once per piece.
            return Ok(Frame::Rejected(error_response(
                Value::Null,
                -32700,
                "Parse error",
            )));
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(value.trim().parse::<usize>().map_err(|_| ()));
            }
        }
    }
    let length = match length {
        Some(Ok(length)) => length,
        // No usable length: the body cannot be found; what follows is read as new headers.
        _ => {
            return Ok(Frame::Rejected(error_response(
                Value::Null,
                -32700,
                "Parse error",
            )))
        }
    };
    if length > MAX_MESSAGE_BYTES {
        let skipped = tokio::io::copy(
            &mut (&mut *input).take(length as u64),
            &mut tokio::io::sink(),
        )
        .await?;
        if skipped < length as u64 {
            return Ok(Frame::End);
        }
        return Ok(Frame::Rejected(error_response(
            Value::Null,
            -32600,
            "Invalid Request: message too large",
        )));
    }
    let mut body = vec![0; length];
    if input.read_exact(&mut body).await.is_err() {
        return Ok(Frame::End);
    }
    Ok(classify(body))
}

/// Whether a body is a JSON-RPC 2.0 message the server can take (read with the server's own
/// message types), or the error answering it.
pub fn classify(body: Vec<u8>) -> Frame {
    if serde_json::from_slice::<Request>(&body).is_ok()
        || serde_json::from_slice::<Response>(&body).is_ok()
    {
        return Frame::Message(body);
    }
    let Ok(value) = serde_json::from_slice::<Value>(&body) else {
        return Frame::Rejected(error_response(Value::Null, -32700, "Parse error"));
    };
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    Frame::Rejected(error_response(id, -32600, "Invalid Request"))
}

fn error_response(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "error": { "code": code, "message": message }, "id": id })
}

fn framed(body: &[u8]) -> Vec<u8> {
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(body);
    frame
}

/// Copies checked frames from `input` to `server`; errors go to `answers`. Ends with the input.
pub async fn pump_input<R, W>(input: R, mut server: W, answers: UnboundedSender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut input = tokio::io::BufReader::new(input);
    loop {
        match read_frame(&mut input).await {
            Ok(Frame::Message(body)) => {
                if server.write_all(&framed(&body)).await.is_err() {
                    return;
                }
            }
            Ok(Frame::Rejected(answer)) => {
                let _ = answers.send(framed(answer.to_string().as_bytes()));
            }
            Ok(Frame::End) | Err(_) => {
                let _ = server.shutdown().await;
                return;
            }
        }
    }
}

/// Writes the server's frames and the transport's answers to `output`, whole frames only.
pub async fn pump_output<R, W>(server: R, mut output: W, mut answers: UnboundedReceiver<Vec<u8>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut server = tokio::io::BufReader::new(server);
    let mut answers_open = true;
    loop {
        tokio::select! {
            frame = read_frame(&mut server) => match frame {
                // The server's own frames are well-formed; they are passed on as they are.
                Ok(Frame::Message(body)) => {
                    if output.write_all(&framed(&body)).await.is_err() { return; }
                }
                Ok(Frame::Rejected(_)) => {}
                Ok(Frame::End) | Err(_) => break,
            },
            answer = answers.recv(), if answers_open => match answer {
                Some(frame) => {
                    if output.write_all(&frame).await.is_err() { return; }
                }
                None => answers_open = false,
            },
        }
        let _ = output.flush().await;
    }
    // The server is done: answers still queued are written before the end.
    while let Ok(frame) = answers.try_recv() {
        let _ = output.write_all(&frame).await;
    }
    let _ = output.flush().await;
}

/// A channel for the transport's own answers.
pub fn answers() -> (UnboundedSender<Vec<u8>>, UnboundedReceiver<Vec<u8>>) {
    unbounded_channel()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Frame> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut reader = tokio::io::BufReader::new(input);
            let mut frames = Vec::new();
            loop {
                let frame = read_frame(&mut reader).await.unwrap();
                let end = frame == Frame::End;
                frames.push(frame);
                if end || frames.len() > 20 {
                    return frames;
                }
            }
        })
    }

    fn code(frame: &Frame) -> Option<i64> {
        match frame {
            Frame::Rejected(value) => value["error"]["code"].as_i64(),
            _ => None,
        }
    }

    #[test]
    fn malformed_bodies_get_their_error_and_the_next_message_is_read() {
        let good = br#"{"jsonrpc":"2.0","id":9,"method":"shutdown"}"#;
        for (bad, expected) in [
            (&b"{not json"[..], -32700),
            (b"null", -32600),
            (br#"{"jsonrpc":"1.0","id":1,"method":"x"}"#, -32600),
            (br#"{"id":5}"#, -32600),
            (b"[]", -32600),
            (b"\xff\xfe", -32700),
        ] {
            let mut input = framed(bad);
            input.extend(framed(good));
            let read = frames(&input);
            assert_eq!(code(&read[0]), Some(expected), "{bad:?}");
            assert_eq!(read[1], Frame::Message(good.to_vec()), "{bad:?}");
        }
    }

    #[test]
    fn the_id_of_an_invalid_request_is_kept() {
        let read = frames(&framed(br#"{"jsonrpc":"1.0","id":"a","method":"x"}"#));
        match &read[0] {
            Frame::Rejected(value) => assert_eq!(value["id"], "a"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_header_without_a_length_is_answered_and_skipped() {
        let good = br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let mut input = b"Content-Type: x\r\n\r\nContent-Length: abc\r\n\r\n".to_vec();
        input.extend(framed(good));
        let read = frames(&input);
        assert_eq!(code(&read[0]), Some(-32700));
        assert_eq!(code(&read[1]), Some(-32700));
        assert_eq!(read[2], Frame::Message(good.to_vec()));
        assert_eq!(read[3], Frame::End);
    }

    #[test]
    fn an_oversized_frame_is_dropped_without_being_held() {
        let mut input = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE_BYTES + 1).into_bytes();
        input.resize(input.len() + MAX_MESSAGE_BYTES + 1, b' ');
        let read = frames(&input);
        assert_eq!(code(&read[0]), Some(-32600));
        assert_eq!(read[1], Frame::End);
    }

    #[test]
    fn a_truncated_body_ends_the_input() {
        let read = frames(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"");
        assert_eq!(read[0], Frame::End);
    }
}
