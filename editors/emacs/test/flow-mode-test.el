;;; flow-mode-test.el --- Checks for flow-mode  -*- lexical-binding: t; -*-

;; Run from editors/emacs:
;;   emacs -Q --batch -L . -l test/flow-mode-test.el -f ert-run-tests-batch-and-exit

;;; Code:

(require 'ert)
;; A stand-in for eglot (built in from Emacs 29 only), to see the registration.
(defvar eglot-server-programs nil)
(provide 'eglot)
(require 'flow-mode)

(defconst flow-test-sample "# A comment.
import nim

/// The management zone, `mgmt`.
zone mgmt = 10.1.0.0/24, fd00:1::/64

firewall fw1 {
  zones mgmt, internet
  address 10.1.0.1
}

host nim01 = 10.1.0.10 is nim.master(mountd = 33333)
service nimsh = tcp 3901..3902 from 513..1023
@allow(broad-range, \"the \\\"vendor\\\" # says so\")
allow nim01 -> mgmt : tcp 20000..40000, icmp echo-request
role agent(count: int = 1, master: host is nim.master) {
  any -> self : tcp 1918 + count * 4096
}
expect nim01 -> mgmt : tcp 1058 allowed
lint redundant = allow
allow tcp-x -> count-1 : ssh
")

(defun flow-test--face-at (line word &optional nth)
  "The face of WORD (its NTH occurrence, default 1) on the line starting with LINE."
  (goto-char (point-min))
  (re-search-forward (concat "^" (regexp-quote line)))
  (beginning-of-line)
  (let ((bound (line-end-position)))
    (dotimes (_ (or nth 1))
      (search-forward word bound))
    (let ((face (get-text-property (match-beginning 0) 'face)))
      (if (listp face) (car face) face))))

(defmacro flow-test--with-sample (&rest body)
  `(with-temp-buffer
     (insert flow-test-sample)
     (flow-mode)
     (font-lock-ensure)
     ,@body))

(ert-deftest flow-mode-auto-mode-and-eglot ()
  (should (eq (assoc-default "site/zones.flow" auto-mode-alist #'string-match) 'flow-mode))
  (should (equal (alist-get 'flow-mode eglot-server-programs) '("flowc" "lsp"))))

(ert-deftest flow-mode-comments ()
  (flow-test--with-sample
   (should (equal comment-start "# "))
   (should (eq (flow-test--face-at "# A comment" "A comment") 'font-lock-comment-face))
   (should (eq (flow-test--face-at "/// The" "The management") 'font-lock-doc-face))
   (should (eq (flow-test--face-at "/// The" "`mgmt`") 'font-lock-constant-face))
   ;; `#' inside a string is no comment
   (should (eq (flow-test--face-at "@allow" "says so") 'font-lock-string-face))
   (should (eq (flow-test--face-at "allow nim01" "allow") 'font-lock-keyword-face))))

(ert-deftest flow-mode-keywords-and-names ()
  (flow-test--with-sample
   (should (eq (flow-test--face-at "import" "import") 'font-lock-keyword-face))
   (should (eq (flow-test--face-at "zone mgmt" "zone") 'font-lock-keyword-face))
   (should (eq (flow-test--face-at "zone mgmt" "mgmt") 'font-lock-function-name-face))
   (should (eq (flow-test--face-at "  zones" "zones") 'font-lock-keyword-face))
   (should (eq (flow-test--face-at "  address" "address") 'font-lock-keyword-face))
   (should (eq (flow-test--face-at "host nim01" "is") 'font-lock-keyword-face))
   (should (eq (flow-test--face-at "host nim01" "nim" 2) 'font-lock-constant-face))
   (should (eq (flow-test--face-at "host nim01" "master") 'font-lock-type-face))
   (should (eq (flow-test--face-at "service nimsh" "tcp") 'font-lock-builtin-face))
   (should (eq (flow-test--face-at "service nimsh" "from") 'font-lock-keyword-face))
   (should (eq (flow-test--face-at "@allow" "@allow") 'font-lock-preprocessor-face))
   (should (eq (flow-test--face-at "role agent" "agent") 'font-lock-type-face))
   (should (eq (flow-test--face-at "role agent" "int") 'font-lock-type-face))
   (should (eq (flow-test--face-at "role agent" "host") 'font-lock-keyword-face))
   (should (eq (flow-test--face-at "  any -> self" "self") 'font-lock-constant-face))
   (should (eq (flow-test--face-at "expect" "allowed") 'font-lock-keyword-face))
   (should (eq (flow-test--face-at "lint redundant" "allow") 'font-lock-constant-face))
   (should (null (flow-test--face-at "allow tcp-x" "tcp-x")))
   (should (null (flow-test--face-at "allow tcp-x" "count-1")))))

(ert-deftest flow-mode-literals ()
  (flow-test--with-sample
   (should (eq (flow-test--face-at "zone mgmt" "10.1.0.0/24") 'flow-address-face))
   (should (eq (flow-test--face-at "zone mgmt" "fd00:1::/64") 'flow-address-face))
   (should (eq (flow-test--face-at "host nim01" "33333") 'flow-number-face))
   (should (eq (flow-test--face-at "service nimsh" "3901") 'flow-number-face))
   (should (eq (flow-test--face-at "@allow" "\"the") 'font-lock-string-face))))

(ert-deftest flow-mode-indentation ()
  (let ((want "role agent(
  count: int = 1,
) {
  for k in 1..count {
    any -> self : tcp 1918 + k * 4096 # {
  }
  if count == 2 {
    self -> any : udp 1
  } else {
    self <-> any : esp
  }
}
host h = 10.0.0.1 is nim.master(mountd = \"{\")
"))
    (with-temp-buffer
      (insert (replace-regexp-in-string "^ +" "" want))
      (flow-mode)
      (indent-region (point-min) (point-max))
      (should (equal (buffer-string) want)))))

;;; flow-mode-test.el ends here
