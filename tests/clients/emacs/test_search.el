;;; test_search.el --- heatls-search and hot-path diagnostics in a real Emacs  -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by run.sh with `emacs --batch -Q -l test_search.el' and HEATLS_BIN,
;; HEATLS_TESTDATA, HEATLS_EMACS_DIR and HEATLS_TMP, as test_heatls.el.
;;
;; The workspace is a copy of testdata/programs/hoterr (whose CPU profile
;; makes a constant fmt.Errorf, an errors.New return and a fmt.Sprint hot),
;; with two of wordfreq's files in a subfolder.  With main.go open under
;; eglot and the profile loaded:
;; - `heatls-search' for each kind of pattern and level fills the
;;   *heatls search* buffer with exactly the lines that `heatls search
;;   --sort heat' prints for the same folder and profile (the CLI is the
;;   oracle, run here), in `grep-mode', and `next-error' visits the first;
;;   the current file alone when asked, as edited;
;; - flymake, fed by eglot, has heatls's diagnostics: the built-in rules'
;;   matches that the CLI finds hot, with source "heatls", the rule as
;;   code and the line's time in the message; an edit that removes the
;;   fmt.Errorf removes its diagnostic; clearing the profile clears them.
;; Prints "N passed, M failed", exits 1 on a failure.

;;; Code:

(load (expand-file-name "harness.el" (file-name-directory load-file-name)) nil t)

(require 'flymake)

(defvar heatls-test-dir (file-name-as-directory
                         (expand-file-name "hoterr" heatls-test-scratch)))
(defvar heatls-test-profile
  (expand-file-name "programs/hoterr/cpu.pb.gz" heatls-test-testdata))
(setq heatls-test-poll-seconds 0.02)

(defun heatls-test-cli (flags pattern &optional path)
  "The lines `heatls search --sort heat FLAGS PROFILE PATTERN PATH' prints.
Run in the workspace, PATH \".\" by default; sorted."
  (let ((default-directory heatls-test-dir))
    (with-temp-buffer
      (let ((status (apply #'call-process heatls-test-bin nil (list t nil) nil
                           "search" "--sort" "heat"
                           (append flags (list heatls-test-profile pattern
                                               (or path "."))))))
        (unless (memq status '(0 1))
          (error "heatls search %S failed: %s" pattern (buffer-string)))
        (sort (split-string (buffer-string) "\n" t) #'string<)))))

(defun heatls-test-search-lines (buffer)
  "The match lines of the search BUFFER, sorted."
  (with-current-buffer buffer
    (sort (cl-loop for line in (split-string (buffer-string) "\n" t)
                   when (string-match-p "\\`[^: \n]+:[0-9]+: " line)
                   collect line)
          #'string<)))

(defun heatls-test-untabify (lines)
  "LINES without the indentation after the heat.
The CLI prints a regex's line whole; the server's text starts at its
first non-blank."
  (sort (mapcar (lambda (line)
                  (replace-regexp-in-string "\\(\\] \\)[ \t]+" "\\1" line))
                lines)
        #'string<))

(defun heatls-test-search (pattern kind level &optional this-file)
  "Run `heatls-search' and wait for its answer; return its buffer."
  (let* ((done nil)
         (buffer (heatls-search pattern kind level this-file
                                (lambda (_) (setq done t)))))
    (heatls-test-wait (lambda () done))
    buffer))

(defun heatls-test-diagnostics (buffer)
  "The flymake diagnostics of BUFFER: (LINE CODE SOURCE MESSAGE TEXT) each."
  (with-current-buffer buffer
    (sort (cl-loop for d in (flymake-diagnostics)
                   for lsp = (alist-get 'eglot-lsp-diag (flymake-diagnostic-data d))
                   collect (list (line-number-at-pos (flymake-diagnostic-beg d))
                                 (plist-get lsp :code) (plist-get lsp :source)
                                 (plist-get lsp :message)
                                 (flymake-diagnostic-text d)))
          (lambda (a b) (< (car a) (car b))))))

(defun heatls-test-refresh-flymake (buffer)
  "Ask flymake to run its backends in BUFFER now (batch mode has no idle time)."
  (with-current-buffer buffer
    (flymake-start)))

;; The built-in rules that fire in hoterr/main.go, with the pattern the CLI
;; checks each with (docs/diagnostics.md).
(defvar heatls-test-rules
  '(("go-errors-new-return" . "return $*_, errors.New($s)")
    ("go-errorf-constant" . "fmt.Errorf($s)")
    ("go-sprint-one" . "fmt.Sprint($x)")))

(defun heatls-test-run ()
  "All the checks, in order."
  (make-directory (expand-file-name "wordfreq" heatls-test-dir) t)
  (dolist (file '("main.go" "go.mod"))
    (copy-file (expand-file-name (concat "programs/hoterr/" file) heatls-test-testdata)
               (expand-file-name file heatls-test-dir) t))
  ;; Not wordfreq's main.go: the CLI would map it onto the profile's
  ;; main.go by its base name, while the server maps that to hoterr's only.
  (dolist (file '("count.go" "tokenize.go"))
    (copy-file (expand-file-name (concat "programs/wordfreq/" file) heatls-test-testdata)
               (expand-file-name (concat "wordfreq/" file) heatls-test-dir) t))

  (require 'heatls)
  (heatls-test-check "heatls-search has an autoload cookie"
                     (with-temp-buffer
                       (insert-file-contents (locate-library "heatls.el"))
                       (search-forward ";;;###autoload\n(defun heatls-search (" nil t)))
  (customize-set-variable 'heatls-modes '(heatls-test-go-mode))
  (customize-set-variable 'heatls-server-command (list heatls-test-bin "--stdio"))
  (let ((main (find-file-noselect (expand-file-name "main.go" heatls-test-dir))))
    (switch-to-buffer main)
    (heatls-test-go-mode)
    (apply #'eglot (eglot--guess-contact))
    (heatls-test-check "eglot starts heatls on main.go"
                       (heatls-test-wait
                        (lambda () (with-current-buffer main
                                     (and (eglot-managed-p)
                                          (heatls--heatls-server-p (eglot-current-server)))))
                        20))

    ;; Before a profile, a hot search says why it cannot run.
    (let ((buffer (heatls-test-search "fmt.Errorf($_)" "pattern" 1)))
      (heatls-test-check "a hot search without a profile fails with the server's reason"
                         (with-current-buffer buffer
                           (string-match-p "heatls search failed: no profile is loaded"
                                           (buffer-string)))
                         (with-current-buffer buffer (buffer-string))))

    (with-current-buffer main
      (heatls-load-profile heatls-test-profile))

    ;; heatls-search against the CLI.
    (dolist (case '(("fmt.$f($*_)" "pattern" 1 nil "a hot code pattern")
                    ("append($*_)" "pattern" 0 ("--min-level" "0") "every match, with its heat")
                    ("$*_ := $_" "pattern" 5 ("--min-level" "5") "level 5")
                    ("return .*err" "regex" 1 ("--regex") "a regex")
                    ("((call_expression function: (selector_expression field: (field_identifier) @f)) @c (#match? @f \"^(Errorf|New|Sprint)$\"))"
                     "query" 1 ("--query") "a query with a predicate")))
      (pcase-let ((`(,pattern ,kind ,level ,flags ,name) case))
        (let ((want (heatls-test-cli flags pattern))
              (buffer (with-current-buffer main (heatls-test-search pattern kind level))))
          (heatls-test-check (format "%s: the CLI finds something" name) want)
          (heatls-test-equal (format "%s: the buffer's lines are the CLI's" name)
                             (heatls-test-untabify want)
                             (heatls-test-untabify (heatls-test-search-lines buffer))))))
    (let ((buffer (get-buffer "*heatls search*")))
      (heatls-test-check "the *heatls search* buffer is in grep-mode"
                         (with-current-buffer buffer (derived-mode-p 'grep-mode)))
      (heatls-test-check "it says the search finished"
                         (with-current-buffer buffer
                           (string-match-p "^heatls search finished with [0-9]+ match"
                                           (buffer-string))))
      ;; next-error visits the first match.
      (let* ((first (with-current-buffer buffer
                      (goto-char (point-min))
                      (re-search-forward "^\\([^:\n]+\\):\\([0-9]+\\): ")
                      (list (expand-file-name (match-string 1) heatls-test-dir)
                            (string-to-number (match-string 2))))))
        (with-current-buffer buffer (goto-char (point-min)))
        (next-error)
        (heatls-test-equal "next-error visits the first match"
                           first (list (buffer-file-name) (line-number-at-pos)))))
    (switch-to-buffer main)

    ;; The current file only, as edited: an unsaved line is found.
    (with-current-buffer main
      (goto-char (point-max))
      (insert "var _ = append([]int{}, 1)\n"))
    (let* ((want (append (heatls-test-cli '("--min-level" "0") "append($*_)" "main.go")
                         (list (format "main.go:%d: [- G0 L0] append([]int{}, 1)"
                                       (with-current-buffer main
                                         (1- (line-number-at-pos (point-max))))))))
           (buffer (with-current-buffer main
                     (heatls-test-search "append($*_)" "pattern" 0 t))))
      (heatls-test-equal "this file only, as edited" (sort want #'string<)
                         (heatls-test-search-lines buffer)))
    (with-current-buffer main
      (goto-char (point-max))
      (delete-region (line-beginning-position 0) (point-max)))

    ;; The diagnostics, through eglot into flymake.
    (let (want)
      (dolist (rule heatls-test-rules)
        (dolist (line (heatls-test-cli '("--min-level" "3") (cdr rule) "main.go"))
          (when (string-match "\\`main.go:\\([0-9]+\\): \\[\\([^ ]+\\) G\\([0-5]\\) " line)
            (push (list (string-to-number (match-string 1 line)) (car rule) "heatls"
                        (format "(%s, G%s)" (match-string 2 line) (match-string 3 line)))
                  want))))
      (setq want (sort want (lambda (a b) (< (car a) (car b)))))
      (heatls-test-equal "the CLI finds the three rules hot in main.go" 3 (length want))
      (heatls-test-check "flymake has the diagnostics"
                         (heatls-test-wait
                          (lambda ()
                            (heatls-test-refresh-flymake main)
                            (= (length (heatls-test-diagnostics main)) (length want)))))
      (heatls-test-equal
       "flymake-diagnostics: the line, the rule as code, source heatls, the line's time"
       want
       (cl-loop for (line code source message text) in (heatls-test-diagnostics main)
                for w in want
                collect (list line code source
                              (if (and (string-match-p (regexp-quote (nth 3 w)) message)
                                       (string-match-p (regexp-quote message) text))
                                  (nth 3 w)
                                (list message text)))))

      ;; An edit that removes the fmt.Errorf: its diagnostic goes.
      (let ((line (car (cl-find "go-errorf-constant" want :key #'cadr :test #'equal))))
        (with-current-buffer main
          (goto-char (point-min))
          (forward-line (1- line))
          (re-search-forward "fmt\\.Errorf([^)]*)" (line-end-position))
          (replace-match "errEmpty" t t)
          ;; eglot sends the change when Emacs is idle, which batch mode
          ;; never is: do what its idle timer would.
          (eglot--signal-textDocument/didChange)))
      (heatls-test-check "the edit removes the fmt.Errorf diagnostic"
                         (heatls-test-wait
                          (lambda ()
                            (heatls-test-refresh-flymake main)
                            (= (length (heatls-test-diagnostics main)) 2))))
      (heatls-test-equal "the other two stay"
                         '("go-errors-new-return" "go-sprint-one")
                         (mapcar #'cadr (heatls-test-diagnostics main))))

    ;; Cleared: none left.
    (with-current-buffer main
      (heatls-clear-profile))
    (heatls-test-check "no diagnostics after the profile is cleared"
                       (heatls-test-wait
                        (lambda ()
                          (heatls-test-refresh-flymake main)
                          (null (heatls-test-diagnostics main)))))))

(heatls-test-main #'heatls-test-run)

;;; test_search.el ends here
