;;; lsp-e2e.el --- flow-mode, eglot and flymake with the real flowc lsp  -*- lexical-binding: t; -*-

;; End to end: the real `flowc lsp' ($FLOWC) started by eglot for a `.flow' file, with
;; flow-mode set up as editors/README.md documents it, in a site outside any git repository.
;; Checks what a user sees: the flymake diagnostic of a misspelt name at the position
;; `flowc check' gives, hover (the eldoc text), `M-.' (xref), and the diagnostic going
;; away once the name is fixed.  Run from editors/emacs:
;;   FLOWC=/abs/flowc emacs --batch -Q -L . -l test/lsp-e2e.el
;; Exits 1 and prints what Emacs received when a check fails.  Each wait is bounded.

;;; Code:

(require 'cl-lib)
(require 'json)
(require 'package)

(defvar flow-e2e-flowc (getenv "FLOWC"))
(defvar flow-e2e-wait
  (let ((ms (string-to-number (or (getenv "FLOWC_E2E_WAIT_MS") ""))))
    (if (> ms 0) (/ ms 1000.0) 15.0))
  "Seconds to wait for each answer of the server.")
(defvar flow-e2e-failures 0)

(defun flow-e2e--say (format-string &rest args)
  (princ (concat (apply #'format format-string args) "\n") #'external-debugging-output))

(defun flow-e2e--check (ok what &optional detail)
  "Print WHAT as passed when OK, else as failed with DETAIL.
DETAIL is a string, or a function that returns one."
  (flow-e2e--say "%s%s" (if ok "ok    " "FAIL  ") what)
  (unless ok
    (cl-incf flow-e2e-failures)
    (when detail
      (let ((text (if (functionp detail) (funcall detail) detail)))
        (flow-e2e--say "      %s" (replace-regexp-in-string "\n" "\n      " text)))))
  ok)

(defun flow-e2e--wait (predicate)
  "Process output and timers until PREDICATE holds.
Waits at most `flow-e2e-wait' seconds; returns the last value of PREDICATE."
  (let ((deadline (+ (float-time) flow-e2e-wait)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall predicate)))

(defun flow-e2e--be-idle ()
  "Run the idle timers, as the command loop does when the user stops typing.
Batch Emacs never goes idle, and eglot sends didChange (and flymake starts a
check) from idle timers."
  (dolist (timer (copy-sequence timer-idle-list))
    (when (memq timer timer-idle-list)
      (timer-event-handler timer))))

(defun flow-e2e--events ()
  "What eglot saw, for a failure report.
The messages exchanged with the server (kind, method, id), the server's
stderr and connection changes, and the end of *Messages*."
  (let ((events (cl-find-if (lambda (b) (string-match-p "EGLOT.*events" (buffer-name b)))
                            (buffer-list)))
        (lines nil))
    ;; The sentinel and the stderr of a server that just died.
    (accept-process-output nil 0.3)
    (if (not events)
        (push "no eglot events buffer: the server was never started" lines)
      (with-current-buffer events
        (goto-char (point-min))
        (while (re-search-forward "^\\[\\([a-z-]+\\)\\] \\(.*\\)$" nil t)
          (let ((kind (match-string 1)) (rest (match-string 2)) method next)
            (save-excursion
              (forward-line 1)
              (setq next (buffer-substring-no-properties (point) (line-end-position)))
              (when (looking-at ".\\{0,200\\}?:method \"\\([^\"]+\\)\"")
                (setq method (match-string 1))))
            (push (cond ((equal kind "stderr") (format "stderr %s" rest))
                        ((equal kind "internal") (format "internal %s" next))
                        (t (format "%s %s %s" kind (or method "")
                                   (if (string-match "(id:[0-9]+)" rest) (match-string 0 rest) ""))))
                  lines)))))
    (concat "eglot events:\n  " (mapconcat #'identity (nreverse lines) "\n  ")
            (let ((messages (get-buffer "*Messages*")))
              (if (not messages) ""
                (with-current-buffer messages
                  (concat "\n*Messages*:\n"
                          (buffer-substring-no-properties
                           (max (point-min) (- (point-max) 800)) (point-max)))))))))

(defun flow-e2e--write (file lines)
  (with-temp-file file
    (insert (mapconcat #'identity lines "\n") "\n")))

;; Eglot comes from Debian's elpa-eglot (GNU ELPA) on Emacs 28.  A normal start-up activates
;; the packages in /usr/share/emacs/site-lisp/elpa; -Q skips that, so do it here.
(unless (locate-library "eglot")
  (setq package-directory-list
        (cl-remove-if-not #'file-directory-p
                          '("/usr/share/emacs/site-lisp/elpa" "/usr/local/share/emacs/site-lisp/elpa")))
  (package-initialize))

;; Exit status 77: a missing package, which editors/e2e-terminal-editors.sh reports as such.
(unless (locate-library "eglot")
  (flow-e2e--say "eglot is not installed (Debian: elpa-eglot; built into Emacs 29+)")
  (kill-emacs 77))

;; The set-up of editors/README.md ("Emacs"), with editors/emacs on the load path (-L).
(require 'flow-mode)
(add-hook 'flow-mode-hook #'eglot-ensure)

(defconst flow-e2e-hosts
  '("import nim"
    "zone mgmt = 198.18.1.0/24"
    "/// The NIM master of the test site."
    "host nim01 = 198.18.1.10 is nim.master(nfs = 4)"
    "group aix = 198.18.1.128/25 is nim.client(master = nim01)"
    "lint broad-range = allow"))
(defconst flow-e2e-broken '("allow aix -> nim1 : ssh" "expect aix -> nim01 : tcp 1058 allowed"))
(defconst flow-e2e-definition-line 4 "1-based line of `host nim01' in `flow-e2e-hosts'.")

(defun flow-e2e--diagnostic-report ()
  (mapconcat (lambda (d)
               (format "%S at %d-%d (line %d): %s data %S"
                       (flymake-diagnostic-type d) (flymake-diagnostic-beg d)
                       (flymake-diagnostic-end d)
                       (line-number-at-pos (flymake-diagnostic-beg d))
                       (flymake-diagnostic-text d) (flymake-diagnostic-data d)))
             (flymake-diagnostics) "\n"))

(defun flow-e2e--hover-at (line column)
  "The hover text at LINE (1-based) and COLUMN (0-based), and the raw answer.
Asked as eglot's own synchronous requests are: pending changes are sent first."
  (goto-char (point-min))
  (forward-line (1- line))
  (move-to-column column)
  (let ((hover (jsonrpc-request (eglot--current-server-or-lose) :textDocument/hover
                                (eglot--TextDocumentPositionParams)
                                :deferred :textDocument/hover :timeout flow-e2e-wait)))
    (cons (let ((contents (plist-get hover :contents)))
            (cond ((stringp contents) contents)
                  ((plist-get contents :value))
                  (t nil)))
          (format "%S" hover))))

(defvar flow-e2e-server nil "The eglot server of the test, to shut down at the end.")

(cl-defun flow-e2e--run (site)
  (let* ((flowc-bin (expand-file-name "bin" site))
         (rules (expand-file-name "rules.flow" site))
         (hosts (expand-file-name "hosts.flow" site))
         expected server connect-error)
    (flow-e2e--check (and flow-e2e-flowc (file-executable-p flow-e2e-flowc))
                     "FLOWC is an executable" (format "%S" flow-e2e-flowc))
    (flow-e2e--write hosts flow-e2e-hosts)
    (flow-e2e--write rules flow-e2e-broken)
    (flow-e2e--check (not (locate-dominating-file site ".git"))
                     "the test site is outside any git repository"
                     (format "%s has a .git above it; set TMPDIR" site))
    ;; flow-mode registers ("flowc" "lsp"): the flowc under test comes first on the path,
    ;; as a user's does.
    (make-directory flowc-bin)
    (make-symbolic-link flow-e2e-flowc (expand-file-name "flowc" flowc-bin))
    (setq exec-path (cons flowc-bin exec-path))
    (setenv "PATH" (concat flowc-bin path-separator (getenv "PATH")))

    ;; What the terminal says about the same file (1-based line and column).
    (let* ((output (with-temp-buffer
                     (call-process flow-e2e-flowc nil t nil "check" "--format" "json" site)
                     (buffer-string)))
           (reported (ignore-errors (json-parse-string output :object-type 'plist))))
      (setq expected (cl-find-if (lambda (d) (and (equal (plist-get d :code) "E0102")
                                                  (string-suffix-p "rules.flow" (plist-get d :file))))
                                 reported))
      (unless (flow-e2e--check expected "flowc check --format json reports E0102 in rules.flow" output)
        (cl-return-from flow-e2e--run)))

    (find-file rules)
    (flow-e2e--check (eq major-mode 'flow-mode) "flow-mode" (format "%S" major-mode))
    ;; flow-mode-hook called eglot-ensure (autoloaded), which loaded eglot.
    (flow-e2e--check (equal (cdr (assq 'flow-mode eglot-server-programs)) '("flowc" "lsp"))
                     "flow-mode registers (\"flowc\" \"lsp\") with eglot"
                     (format "%S" (assq 'flow-mode eglot-server-programs)))
    ;; The command loop would now run post-command-hook, where eglot-ensure connects.
    (condition-case err
        (run-hooks 'post-command-hook)
      (error (setq connect-error err)
             (flow-e2e--say "      eglot: %S" err)))
    ;; eglot waits `eglot-sync-connect' (3 s) for the answer to initialize, then goes on
    ;; connecting in the background.
    (setq server (flow-e2e--wait (lambda () (or connect-error (eglot-current-server))))
          server (and (not connect-error) server)
          flow-e2e-server server)
    (unless (flow-e2e--check (and server (jsonrpc-running-p server))
                             "eglot manages the buffer with a running flowc lsp"
                             #'flow-e2e--events)
      (cl-return-from flow-e2e--run))
    (flow-e2e--check (equal (file-name-as-directory (project-root (eglot--project server)))
                            (file-name-as-directory site))
                     "project root is the file's directory"
                     (format "%S" (eglot--project server)))

    ;; The published diagnostic, as flymake holds it.
    (unless (let ((opened (float-time))
                  (shown (flow-e2e--wait (lambda () (flymake-diagnostics)))))
              (flow-e2e--check shown
                               (if shown
                                   (format "flymake shows a diagnostic after %d ms"
                                           (* 1000 (- (float-time) opened)))
                                 (format "flymake shows a diagnostic within %.0f s" flow-e2e-wait))
                               (lambda () (format "flymake: %S, running backends %S\n%s"
                                                  flymake-mode (flymake-running-backends)
                                                  (flow-e2e--events)))))
      (cl-return-from flow-e2e--run))
    (let* ((diagnostics (flymake-diagnostics))
           (diagnostic (car diagnostics))
           (lsp (alist-get 'eglot-lsp-diag (flymake-diagnostic-data diagnostic)))
           (report (flow-e2e--diagnostic-report))
           (beg (flymake-diagnostic-beg diagnostic))
           (end (flymake-diagnostic-end diagnostic)))
      (flow-e2e--check (= (length diagnostics) 1) "exactly one diagnostic" report)
      (flow-e2e--check (eq (flymake-diagnostic-type diagnostic) 'eglot-error) "an error" report)
      (flow-e2e--check (equal (plist-get lsp :code) "E0102") "code E0102" report)
      (flow-e2e--check (string-match-p (regexp-quote "[E0102]") (flymake-diagnostic-text diagnostic))
                       "the text shows [E0102]" report)
      (flow-e2e--check (and (= (line-number-at-pos beg) (plist-get expected :line))
                            (= (save-excursion (goto-char beg) (current-column))
                               (1- (plist-get expected :column))))
                       (format "at line %d, column %d as flowc check says"
                               (plist-get expected :line) (plist-get expected :column))
                       report)
      (flow-e2e--check (and (= (line-number-at-pos end) (plist-get expected :end_line))
                            (= (save-excursion (goto-char end) (current-column))
                               (1- (plist-get expected :end_column))))
                       "ends where flowc check says" report)
      (flow-e2e--check (string-match-p (regexp-quote "did you mean `nim01`")
                                       (flymake-diagnostic-text diagnostic))
                       "the text says \"did you mean `nim01`\"" report))

    ;; Hover on `nim01' (line 2), as eldoc shows it in the echo area.
    (goto-char (point-min))
    (forward-line 1)
    (move-to-column 15)
    (let (shown)
      (eglot-hover-eldoc-function (lambda (info &rest _) (setq shown (or info "(nothing)"))))
      (flow-e2e--wait (lambda () shown))
      (flow-e2e--check (and shown (string-match-p "host nim01" shown)
                            (string-match-p "The NIM master of the test site\\." shown))
                       "eldoc shows the hover of nim01: its definition and doc"
                       (format "%S" shown)))

    ;; M-. on `nim01': xref jumps to the definition in hosts.flow.
    (goto-char (point-min))
    (forward-line 1)
    (move-to-column 15)
    (condition-case err
        (xref-find-definitions (xref-backend-identifier-at-point (xref-find-backend)))
      (error (flow-e2e--say "      xref: %S" err)))
    (flow-e2e--check (and (equal buffer-file-name hosts)
                          (= (line-number-at-pos) flow-e2e-definition-line))
                     (format "M-. on nim01 opens hosts.flow at line %d" flow-e2e-definition-line)
                     (format "%s:%d" buffer-file-name (line-number-at-pos)))
    (switch-to-buffer (find-buffer-visiting rules))

    ;; Fix the name, as typing does; eglot sends the change when the user stops typing.
    (goto-char (point-min))
    (search-forward "nim1")
    (replace-match "nim01" t t)
    (flow-e2e--be-idle)
    (flow-e2e--check (flow-e2e--wait (lambda () (null (flymake-diagnostics))))
                     "the diagnostic clears once the name is fixed"
                     (lambda () (concat (flow-e2e--diagnostic-report) "\n" (flow-e2e--events))))
    (let ((hover (flow-e2e--hover-at 1 15)))
      (flow-e2e--check (and (car hover) (string-match-p "host nim01" (car hover)))
                       "hover on the fixed name, once analysed" (cdr hover)))

    ;; A hover sent right after an edit (eglot sends the pending change first) answers for
    ;; the edited text: `aix' now stands where `nim01' was.
    (goto-char (point-min))
    (search-forward "nim01")
    (replace-match "aix" t t)
    (let ((hover (flow-e2e--hover-at 1 14)))
      (flow-e2e--check (and (car hover) (string-match-p "group aix" (car hover)))
                       "hover right after an edit answers for the edited text" (cdr hover)))
    (flow-e2e--check (jsonrpc-running-p server) "flowc lsp is still running" #'flow-e2e--events)))

(let ((site (file-truename (make-temp-file "flowc-emacs-e2e-" t))))
  (unwind-protect
      (condition-case err
          (flow-e2e--run site)
        (error (flow-e2e--check nil "the test ran to its end" (format "%S" err))))
    (when (and flow-e2e-server (jsonrpc-running-p flow-e2e-server))
      (ignore-errors (eglot-shutdown flow-e2e-server nil 2)))
    (dolist (buffer (buffer-list))
      (when (buffer-file-name buffer)
        (with-current-buffer buffer (set-buffer-modified-p nil))
        (kill-buffer buffer)))
    (delete-directory site t))
  (flow-e2e--say "emacs %s, eglot %s: %s" emacs-version
                 (let ((desc (cadr (assq 'eglot package-alist))))
                   (if desc (package-version-join (package-desc-version desc)) "built in"))
                 (if (zerop flow-e2e-failures) "all checks passed"
                   (format "%d check(s) failed" flow-e2e-failures)))
  (kill-emacs (if (zerop flow-e2e-failures) 0 1)))

;;; lsp-e2e.el ends here
