//! flowc's language server: the only crate that knows LSP, tokio and JSON-RPC.
//!
//! The compiler hands over plain values; [`convert`] turns them into protocol values in one
//! place. Document edits go through one ordered queue ([`worker`]); every request is answered
//! from the last complete analysis ([`snapshot::Snapshot`]) by a pure function in [`features`].

pub mod convert;
pub mod features;
pub mod fuzzing;
mod server;
pub mod snapshot;
mod worker;

/// Serves the language server on standard input and output until the client exits.
pub fn run_stdio() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let stdin = tokio::io::stdin();
        let stdout = tokio::io::stdout();
        let (service, socket) = tower_lsp_server::LspService::new(server::Backend::new);
        tower_lsp_server::Server::new(stdin, stdout, socket)
            .serve(service)
            .await;
    });
    Ok(())
}
