//! flowc's language server: the only crate that knows LSP, tokio and JSON-RPC.
//!
//! The compiler hands over plain values; [`convert`] turns them into protocol values in one
//! place. Document edits go through one ordered queue ([`worker`]); every request is answered
//! from the last complete analysis ([`snapshot::Snapshot`]) by a pure function in [`features`].

pub mod convert;
pub mod document_text;
pub mod features;
pub mod fuzzing;
mod server;
pub mod snapshot;
pub mod transport;
mod worker;

/// Serves the language server on standard input and output until the client exits.
///
/// The server reads and writes through [`transport`], which answers malformed messages itself
/// instead of letting them end the server.
pub fn run_stdio() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // Standard input is read on a blocking thread that may still wait for a client that never
    // closes it; the process is exiting, so it is not waited for.
    runtime.shutdown_background();
    Ok(())
}

/// Serves one client on `input` and `output` until the input ends: the transport in front, then
/// tower-lsp-server. [`run_stdio`] serves standard input and output; the `lsp_frames` fuzz
/// target serves bytes of its own.
pub async fn serve<R, W>(input: R, output: W)
where
    R: tokio::io::AsyncRead + Unpin + Send + 'static,
    W: tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (server_input, to_server) = tokio::io::duplex(1 << 16);
    let (from_server, server_output) = tokio::io::duplex(1 << 16);
    let (answers, answers_receiver) = transport::answers();
    tokio::spawn(transport::pump_input(input, to_server, answers));
    let output = tokio::spawn(transport::pump_output(
        server_output,
        output,
        answers_receiver,
    ));
    let (service, socket) = tower_lsp_server::LspService::new(server::Backend::new);
    tower_lsp_server::Server::new(server_input, from_server, socket)
        .serve(service)
        .await;
    // `from_server` was moved into the server and is dropped with it: the output pump writes
    // what is left and ends.
    let _ = output.await;
}
