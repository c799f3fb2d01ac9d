//! The `LanguageServer` implementation: sync notifications go into the ordered queue; each
//! request runs a feature function on the snapshot that analysed the text it names, inside a
//! panic guard, so a bug in one request is logged and the server keeps answering.

use crate::features::{completion, editing, hover, navigation, symbols};
use crate::snapshot::{materialize_stdlib, Snapshot};
use crate::worker::{self, Event, Shared};
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

pub struct Backend {
    client: Client,
    shared: Arc<Shared>,
    events: Mutex<Option<UnboundedSender<Event>>>,
    root: Mutex<Option<PathBuf>>,
    /// The latest version and text of each open document, by URI: incremental changes are
    /// applied here, and requests wait for the analysis of this version.
    documents: Mutex<HashMap<String, (i32, String)>>,
}

/// How long a request waits for the analysis of the text it names before it is answered from
/// the newest analysis there is (a site that takes longer to analyse, or an edit storm).
pub const REQUEST_WAIT: Duration = Duration::from_secs(5);

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend {
            client,
            shared: Arc::new(Shared::default()),
            events: Mutex::new(None),
            root: Mutex::new(None),
            documents: Mutex::new(HashMap::new()),
        }
    }

    fn send(&self, event: Event) {
        if let Some(sender) = self.events.lock().ok().and_then(|guard| guard.clone()) {
            let _ = sender.send(event);
        }
    }

    /// The version and text of an open document.
    fn document(&self, uri: &Uri) -> Option<(i32, String)> {
        let documents = self.documents.lock().ok()?;
        documents.get(uri.as_str()).cloned()
    }

    /// Runs a feature on the snapshot that analysed the latest text of `uri` (waiting for it, at
    /// most [`REQUEST_WAIT`]); a panic is logged and answered with `None`.
    async fn with_snapshot<T>(
        &self,
        name: &str,
        uri: Option<&Uri>,
        feature: impl FnOnce(&Snapshot) -> Option<T>,
    ) -> Option<T> {
        let root = self.root.lock().ok().and_then(|guard| guard.clone());
        let wanted = uri.and_then(|uri| {
            let (version, _) = self.document(uri)?;
            Some((worker::document_name(root.as_deref()?, uri)?, version))
        });
        let snapshot = self
            .shared
            .snapshot_for(
                wanted
                    .as_ref()
                    .map(|(name, version)| (name.as_str(), *version)),
                Instant::now() + REQUEST_WAIT,
                || self.send(Event::Flush),
            )
            .await?;
        match catch_unwind(AssertUnwindSafe(|| feature(&snapshot))) {
            Ok(result) => result,
            Err(_) => {
                self.client
                    .log_message(
                        MessageType::ERROR,
                        format!("flowc: {name} panicked; please report this"),
                    )
                    .await;
                None
            }
        }
    }
}

fn root_of(params: &InitializeParams) -> Option<PathBuf> {
    if let Some(folder) = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
    {
        return folder.uri.to_file_path().map(|path| path.into_owned());
    }
    #[allow(deprecated)]
    params
        .root_uri
        .as_ref()
        .and_then(|uri| uri.to_file_path())
        .map(|path| path.into_owned())
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let root = root_of(&params).unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
        if let Ok(mut guard) = self.root.lock() {
            *guard = Some(root);
        }
        let capabilities = ServerCapabilities {
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![".".into(), "(".into(), " ".into(), "=".into()]),
                ..CompletionOptions::default()
            }),
            document_symbol_provider: Some(OneOf::Left(true)),
            workspace_symbol_provider: Some(OneOf::Left(true)),
            document_formatting_provider: Some(OneOf::Left(true)),
            code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
            inlay_hint_provider: Some(OneOf::Left(true)),
            semantic_tokens_provider: Some(
                SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
                    legend: symbols::legend(),
                    full: Some(SemanticTokensFullOptions::Bool(true)),
                    range: None,
                    work_done_progress_options: Default::default(),
                }),
            ),
            ..ServerCapabilities::default()
        };
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "flowc".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let (sender, receiver) = unbounded_channel();
        if let Ok(mut guard) = self.events.lock() {
            *guard = Some(sender.clone());
        }
        let root = self
            .root
            .lock()
            .ok()
            .and_then(|guard| guard.clone())
            .unwrap_or_default();
        let stdlib = materialize_stdlib();
        tokio::spawn(worker::run(
            self.client.clone(),
            receiver,
            Arc::clone(&self.shared),
            root,
            stdlib,
        ));
        // Analyse the workspace once before any document is opened.
        let _ = sender.send(Event::Rescan);
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        if let Ok(mut documents) = self.documents.lock() {
            let text = document.text.clone();
            documents.insert(document.uri.as_str().to_string(), (document.version, text));
        }
        self.send(Event::Open {
            uri: document.uri,
            version: document.version,
            text: document.text,
        });
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // Incremental sync: the changes apply in order to the text the server holds. A change
        // to a document that was never opened, or older than the text held, is dropped.
        let document = params.text_document;
        let text = {
            let Ok(mut documents) = self.documents.lock() else {
                return;
            };
            let Some((version, text)) = documents.get_mut(document.uri.as_str()) else {
                return;
            };
            if document.version < *version {
                return;
            }
            for change in params.content_changes {
                crate::document_text::apply_change(text, change);
            }
            *version = document.version;
            text.clone()
        };
        self.send(Event::Change {
            uri: document.uri,
            version: document.version,
            text,
        });
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        if let Ok(mut documents) = self.documents.lock() {
            documents.remove(params.text_document.uri.as_str());
        }
        self.send(Event::Close {
            uri: params.text_document.uri,
        });
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {
        self.send(Event::Rescan);
    }

    async fn did_change_watched_files(&self, _: DidChangeWatchedFilesParams) {
        self.send(Event::Rescan);
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let uri = &position.text_document.uri;
        // While the user types, a name outside the text edited since the last analysis is
        // answered from that analysis at once; one inside it waits for the new analysis.
        if let (Some(snapshot), Some((_, live))) = (self.shared.current(), self.document(uri)) {
            let answer = catch_unwind(AssertUnwindSafe(|| {
                hover::hover_in_newer_text(&snapshot, uri, &live, position.position)
            }));
            if let Ok(Some(hover)) = answer {
                return Ok(hover);
            }
        }
        Ok(self
            .with_snapshot("hover", Some(&position.text_document.uri), |snapshot| {
                hover::hover(snapshot, &position.text_document.uri, position.position)
            })
            .await)
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let position = params.text_document_position_params;
        let found = self
            .with_snapshot(
                "definition",
                Some(&position.text_document.uri),
                |snapshot| {
                    navigation::definition(snapshot, &position.text_document.uri, position.position)
                },
            )
            .await;
        Ok(found.map(GotoDefinitionResponse::Scalar))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let position = params.text_document_position;
        let include = params.context.include_declaration;
        Ok(self
            .with_snapshot(
                "references",
                Some(&position.text_document.uri),
                |snapshot| {
                    Some(navigation::references(
                        snapshot,
                        &position.text_document.uri,
                        position.position,
                        include,
                    ))
                },
            )
            .await)
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let answer = self
            .with_snapshot(
                "prepare rename",
                Some(&params.text_document.uri),
                |snapshot| {
                    Some(navigation::prepare_rename(
                        snapshot,
                        &params.text_document.uri,
                        params.position,
                    ))
                },
            )
            .await;
        match answer {
            Some(Ok(response)) => Ok(Some(response)),
            Some(Err(message)) => Err(Error::invalid_params(message)),
            None => Ok(None),
        }
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let position = params.text_document_position;
        let answer = self
            .with_snapshot("rename", Some(&position.text_document.uri), |snapshot| {
                Some(navigation::rename(
                    snapshot,
                    &position.text_document.uri,
                    position.position,
                    &params.new_name,
                ))
            })
            .await;
        match answer {
            Some(Ok(edit)) => Ok(Some(edit)),
            Some(Err(message)) => Err(Error::invalid_params(message)),
            None => Ok(None),
        }
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        // Completion reads the line being typed from the live text and the names from the
        // latest analysis, without waiting for the analysis of this keystroke: an editor asks
        // on every character, and the names around the cursor rarely change with it.
        let position = params.text_document_position;
        let text = self
            .document(&position.text_document.uri)
            .map(|(_, text)| text);
        let items = self
            .with_snapshot("completion", None, |snapshot| {
                let text = text.or_else(|| {
                    snapshot
                        .file(&position.text_document.uri)
                        .map(|file| snapshot.checked.analysis.sources.get(file).text.to_string())
                })?;
                Some(completion::complete(
                    snapshot,
                    completion::line_prefix(&text, position.position),
                ))
            })
            .await;
        Ok(items.map(completion::Completions::into_response))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let uri = params.text_document.uri;
        let found = self
            .with_snapshot("symbols", Some(&uri), |snapshot| {
                Some(symbols::document_symbols(snapshot, snapshot.file(&uri)?))
            })
            .await;
        Ok(found.map(DocumentSymbolResponse::Flat))
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let found = self
            .with_snapshot("workspace symbols", None, |snapshot| {
                Some(symbols::workspace_symbols(snapshot, &params.query))
            })
            .await;
        Ok(found.map(WorkspaceSymbolResponse::Flat))
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let uri = params.text_document.uri;
        let found = self
            .with_snapshot("semantic tokens", Some(&uri), |snapshot| {
                Some(symbols::semantic_tokens(snapshot, snapshot.file(&uri)?))
            })
            .await;
        Ok(found.map(SemanticTokensResult::Tokens))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let uri = params.text_document.uri;
        let text = match self.document(&uri).map(|(_, text)| text) {
            Some(text) => text,
            None => match uri
                .to_file_path()
                .and_then(|path| crate::snapshot::read_regular_file(&path))
                .and_then(|bytes| String::from_utf8(bytes).ok())
            {
                Some(text) => text,
                None => return Ok(None),
            },
        };
        match catch_unwind(AssertUnwindSafe(|| editing::format_document(&text))) {
            Ok(Ok(edits)) => Ok(Some(edits)),
            // The errors are on screen as diagnostics already; formatting waits for them.
            Ok(Err(editing::FormatRefusal::HasErrors)) => {
                self.client
                    .log_message(
                        MessageType::INFO,
                        "flowc: not formatted: the document has errors",
                    )
                    .await;
                Ok(None)
            }
            Ok(Err(editing::FormatRefusal::RoundTrip(message))) => {
                self.client.show_message(MessageType::ERROR, message).await;
                Ok(None)
            }
            Err(_) => {
                self.client
                    .log_message(
                        MessageType::ERROR,
                        "flowc: formatting panicked; please report this",
                    )
                    .await;
                Ok(None)
            }
        }
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let requested = params.range;
        Ok(self
            .with_snapshot("code actions", Some(&uri), |snapshot| {
                Some(editing::code_actions(
                    snapshot,
                    snapshot.file(&uri)?,
                    &uri,
                    requested,
                ))
            })
            .await)
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let uri = params.text_document.uri;
        Ok(self
            .with_snapshot("inlay hints", Some(&uri), |snapshot| {
                Some(editing::inlay_hints(snapshot, snapshot.file(&uri)?))
            })
            .await)
    }
}
