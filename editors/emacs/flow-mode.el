;;; flow-mode.el --- Major mode for flowc .flow firewall policies  -*- lexical-binding: t; -*-

;; SPDX-License-Identifier: Apache-2.0
;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1"))
;; Keywords: languages
;; URL: editors/emacs in the flowc repository

;;; Commentary:

;; Editing support for `.flow' files, the declarative firewall-policy language of
;; flowc: highlighting (comments, `///' doc comments, strings, keywords, contextual
;; words, `@allow', addresses, numbers), two-space indentation of braces and
;; parentheses, imenu, `flow-format-buffer' (through `flowc fmt --stdin') and the
;; flowc language server through eglot (`M-x eglot' starts `flowc lsp').
;;
;; Installation:
;;
;;   (add-to-list 'load-path "/path/to/flowc/editors/emacs")
;;   (require 'flow-mode)
;;   (add-hook 'flow-mode-hook #'eglot-ensure)   ; optional: start the server
;;
;; The syntax follows spec/lexical.md and spec/grammar.md.

;;; Code:

(defgroup flow nil
  "Major mode for flowc .flow firewall policies."
  :group 'languages
  :prefix "flow-")

(defcustom flow-indent-offset 2
  "Indentation per level of braces or parentheses in `flow-mode'."
  :type 'integer
  :safe #'integerp)

(defcustom flow-flowc-program "flowc"
  "The flowc executable, for `flow-format-buffer'."
  :type 'string)

(defface flow-address-face '((t :inherit font-lock-constant-face))
  "Face for IPv4/IPv6 addresses and CIDRs.")

(defface flow-number-face '((t :inherit font-lock-constant-face))
  "Face for numbers and port ranges.")

(defconst flow-declaration-keywords
  '("zone" "firewall" "host" "group" "service" "role"))

(defconst flow-keywords
  '("import" "allow" "deny" "expect" "lint" "is" "if" "else" "for" "in" "from"))

(defconst flow-protocols
  '("tcp" "udp" "icmp" "icmpv6" "proto" "esp" "ah" "gre"))

(defconst flow-constants '("any" "self" "true" "false"))

(defconst flow--name "[A-Za-z_]\\(?:[A-Za-z0-9_-]*[A-Za-z0-9_]\\)?"
  "An identifier: it may hold `-' but not end with it.")

(defvar flow-mode-syntax-table
  (let ((table (make-syntax-table)))
    ;; `#' to end of line is a comment; `///' is marked by `flow-syntax-propertize'.
    (modify-syntax-entry ?# "<" table)
    (modify-syntax-entry ?\n ">" table)
    (modify-syntax-entry ?\" "\"" table)
    (modify-syntax-entry ?\\ "\\" table)
    ;; Identifiers hold `-' and `_' (echo-request, broad-range).
    (modify-syntax-entry ?- "_" table)
    (modify-syntax-entry ?_ "_" table)
    (dolist (c '(?. ?: ?, ?= ?< ?> ?! ?& ?| ?+ ?* ?/ ?@))
      (modify-syntax-entry c "." table))
    table)
  "Syntax table for `flow-mode'.")

(defconst flow-syntax-propertize
  (syntax-propertize-rules
   ;; `///' starts a (doc) comment; `//' alone stays punctuation.
   ("\\(/\\)//"
    (1 (unless (nth 8 (save-excursion (syntax-ppss (match-beginning 0))))
         (string-to-syntax "<")))))
  "Marks `///' doc comments as comments.")

(defun flow--syntactic-face (state)
  "Face for the string or comment described by the `syntax-ppss' STATE."
  (cond
   ((nth 3 state) font-lock-string-face)
   ((save-excursion
      (goto-char (nth 8 state))
      (looking-at-p "///"))
    font-lock-doc-face)
   (t font-lock-comment-face)))

(defconst flow-font-lock-keywords
  (let ((name flow--name))
    `(;; @allow(lint, "reason")
      ("@allow\\_>" . font-lock-preprocessor-face)
      ("@allow\\s-*(\\s-*\\(\\(?:\\sw\\|\\s_\\)+\\)" 1 font-lock-constant-face)
      ;; Definitions: zone|firewall|host|group|service|role NAME (not `host is', a type).
      (,(concat "\\_<\\(?:zone\\|firewall\\|host\\|group\\|service\\)\\_>\\s-+\\("
                name "\\)\\_>")
       1 (unless (equal (match-string 1) "is") font-lock-function-name-face))
      (,(concat "\\_<role\\_>\\s-+\\(" name "\\)\\_>") 1 font-lock-type-face)
      ;; import NAME
      (,(concat "\\_<import\\_>\\s-+\\(" name "\\)\\_>") 1 font-lock-constant-face)
      ;; Contextual words: `zones'/`address' opening a firewall part, `allowed'/`denied'
      ;; ending an expect, lint levels, builtin parameter types.
      ("^\\s-*\\(zones\\|address\\)\\s-+[^=[:space:]]" 1 font-lock-keyword-face)
      ("\\_<\\(allowed\\|denied\\)\\_>\\s-*\\(?:#.*\\)?$" 1 font-lock-keyword-face)
      (,(concat "\\_<lint\\_>\\s-+\\(?:\\sw\\|\\s_\\|\\.\\)+\\s-*=\\s-*\\(error\\|warn\\|allow\\)\\_>")
       1 font-lock-constant-face t)
      (":\\s-*\\(int\\|ports?\\|bool\\|addresses\\)\\_>\\s-*[,=)]" 1 font-lock-type-face)
      ;; Role uses after `is', qualified or not.
      (,(concat "\\_<is\\_>\\s-+\\(?:\\(" name "\\)\\.\\)?\\(" name "\\)\\_>")
       (1 font-lock-constant-face nil t)
       (2 font-lock-type-face))
      ;; Keywords.
      (,(regexp-opt (append flow-declaration-keywords flow-keywords) 'symbols)
       . font-lock-keyword-face)
      (,(regexp-opt flow-protocols 'symbols) . font-lock-builtin-face)
      (,(regexp-opt flow-constants 'symbols) . font-lock-constant-face)
      ;; Qualified names: the module part.
      (,(concat "\\_<\\(" name "\\)\\.[A-Za-z_]") 1 font-lock-constant-face)
      ;; Addresses before numbers: IPv4 (CIDR), IPv6 (CIDR), then numbers and ranges.
      ("\\_<[0-9]+\\(?:\\.[0-9]+\\)\\{3\\}\\(?:/[0-9]+\\)?\\_>" . 'flow-address-face)
      ("\\(?:^\\|[^[:alnum:]_:.-]\\)\\([[:xdigit:]]*:[[:xdigit:]]*:[[:xdigit:]:.]*\\(?:/[0-9]+\\)?\\)"
       1 'flow-address-face)
      ("\\_<[0-9]+\\_>" . 'flow-number-face)
      ;; `//' alone is an error token.
      ("\\(?:^\\|[^/]\\)\\(//\\)\\(?:[^/]\\|$\\)" 1 font-lock-warning-face)
      ;; `code' in doc comments.
      ("`[^`\n]*`" 0 (when (eq (get-text-property (match-beginning 0) 'face) 'font-lock-doc-face)
                       'font-lock-constant-face)
       prepend)))
  "Highlighting for `flow-mode'.")

(defun flow-indent-line ()
  "Indent the current line: `flow-indent-offset' per open brace or parenthesis."
  (interactive)
  (let* ((savep (> (current-column) (current-indentation)))
         (indent
          (save-excursion
            (back-to-indentation)
            (let* ((ppss (syntax-ppss))
                   (depth (car ppss)))
              (cond
               ((nth 3 ppss) (current-indentation)) ; inside a string: leave it
               (t
                (when (looking-at-p "[])}]") (setq depth (1- depth)))
                (* flow-indent-offset (max depth 0))))))))
    (if savep
        (save-excursion (indent-line-to indent))
      (indent-line-to indent))))

(defvar flow-imenu-generic-expression
  `(("Zones" ,(concat "^\\s-*zone\\s-+\\(" flow--name "\\)") 1)
    ("Firewalls" ,(concat "^\\s-*firewall\\s-+\\(" flow--name "\\)") 1)
    ("Hosts" ,(concat "^\\s-*host\\s-+\\(" flow--name "\\)") 1)
    ("Groups" ,(concat "^\\s-*group\\s-+\\(" flow--name "\\)") 1)
    ("Services" ,(concat "^\\s-*service\\s-+\\(" flow--name "\\)") 1)
    ("Roles" ,(concat "^\\s-*role\\s-+\\(" flow--name "\\)") 1))
  "Imenu entries for `flow-mode'.")

(defun flow-format-buffer ()
  "Format the buffer with `flowc fmt --stdin', keeping point on its line."
  (interactive)
  (let ((output (generate-new-buffer " *flowc fmt*"))
        (errors (make-temp-file "flowc-fmt"))
        (line (line-number-at-pos))
        (column (current-column)))
    (unwind-protect
        (let ((status (call-process-region (point-min) (point-max) flow-flowc-program
                                           nil (list output errors) nil "fmt" "--stdin")))
          (if (eql status 0)
              (progn
                (unless (string= (buffer-string)
                                 (with-current-buffer output (buffer-string)))
                  (if (fboundp 'replace-buffer-contents)
                      (replace-buffer-contents output)
                    (erase-buffer)
                    (insert-buffer-substring output)))
                (goto-char (point-min))
                (forward-line (1- line))
                (move-to-column column))
            (message "flowc fmt failed: %s"
                     (with-temp-buffer
                       (insert-file-contents errors)
                       (string-trim (buffer-string))))))
      (kill-buffer output)
      (delete-file errors))))

(defvar flow-mode-map
  (let ((map (make-sparse-keymap)))
    (define-key map (kbd "C-c C-f") #'flow-format-buffer)
    map)
  "Keymap for `flow-mode'.")

;;;###autoload
(define-derived-mode flow-mode prog-mode "Flow"
  "Major mode for flowc .flow firewall-policy files.

\\{flow-mode-map}"
  :syntax-table flow-mode-syntax-table
  (setq-local comment-start "# ")
  (setq-local comment-end "")
  (setq-local comment-start-skip "\\(?:#+\\|///\\)\\s-*")
  (setq-local syntax-propertize-function flow-syntax-propertize)
  (setq-local font-lock-defaults
              '(flow-font-lock-keywords nil nil nil nil
                (font-lock-syntactic-face-function . flow--syntactic-face)))
  (setq-local indent-line-function #'flow-indent-line)
  (setq-local indent-tabs-mode nil)
  (setq-local tab-width flow-indent-offset)
  (setq-local electric-indent-chars (append '(?\} ?\)) electric-indent-chars))
  (setq-local imenu-generic-expression flow-imenu-generic-expression))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.flow\\'" . flow-mode))

;; The flowc language server, for eglot (built into Emacs 29; a package before).
(defvar eglot-server-programs)
;;;###autoload
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs '(flow-mode . ("flowc" "lsp"))))

(provide 'flow-mode)

;;; flow-mode.el ends here
