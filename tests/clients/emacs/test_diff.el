;;; test_diff.el --- heatls.el in a diff against a base, against the real server  -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by run.sh with `emacs --batch -Q -l test_diff.el' and the
;; environment of test_heatls.el (HEATLS_BIN, HEATLS_TESTDATA,
;; HEATLS_EMACS_DIR, HEATLS_TMP).
;;
;; Visits Go standard library files of Debian's GOROOT (the golden
;; profiles name them under /usr/lib/go-1.19/src) in a stand-in Go mode,
;; starts eglot with heatls on them (one project: the GOROOT's src), then:
;; `heatls-load-profiles' merges the bytes and strings golden profiles;
;; `heatls-compare-with-base' compares them with the sort profile, plain
;; and normalized; `heatls-clear-base' removes the base.  After each step
;; every file must show what `heatls dump' says of the same inputs: which
;; lines have a heatls overlay and its face (`heatls-level-N' for a level
;; N > 0, `heatls-improvement-N' for -N), the inlay hints' texts (built
;; from the dump's values: eglot's own hints on Emacs 30, heatls.el's on
;; Emacs 28) and, in a diff, the mode line with the net change that
;; `heatls info' prints.  Last, a base set through the settings
;; (workspace/didChangeConfiguration): the mode line, which no command
;; answer updates then, must follow the diff decorations.  Prints "N
;; passed, M failed", exits 1 on a failure.

;;; Code:

(load (expand-file-name "harness.el" (file-name-directory load-file-name)) nil t)

(defvar heatls-test-golden (expand-file-name "golden" heatls-test-testdata))
(defvar heatls-test-profiles
  (list (expand-file-name "bytes/bytes.pb.gz" heatls-test-golden)
        (expand-file-name "strings/strings.pb.gz" heatls-test-golden)))
(defvar heatls-test-base (expand-file-name "sort/sort.pb.gz" heatls-test-golden))
(defvar heatls-test-goroot "/usr/lib/go-1.19/src/"
  "Where the profiles' Go standard library files are.")
(defvar heatls-test-src (and (file-directory-p heatls-test-goroot)
                             (file-name-as-directory
                              (file-truename heatls-test-goroot)))
  "The real folder of `heatls-test-goroot'.")
(defvar heatls-test-files '("runtime/proc.go" "runtime/mstats.go"
                            "testing/benchmark.go")
  "Files with regressions and improvements in this diff.")
(setq heatls-test-wait-seconds 15)

(defun heatls-test-buffer (file)
  "The buffer visiting FILE of the GOROOT."
  (get-file-buffer (expand-file-name file heatls-test-src)))

(setq heatls-test-redisplay-function #'heatls-test-redisplay)

;;;; What `heatls dump' says

(defun heatls-test-signed (level)
  "LEVEL as a diff hint writes it: +3, -2, 0."
  (if (> level 0) (format "+%d" level) (format "%d" level)))

(defun heatls-test-dump (&rest args)
  "What `heatls dump ARGS' says of `heatls-test-files'.
An alist (FILE . ROWS), ROWS an alist (LINE . POINTS), 1-based lines,
each point a plist (:face FACE :hint TEXT) with what it should show
in mode both.  In a diff (ARGS with -base) a P line is: line flat
cum baseFlat baseCum flatDelta cumDelta local global."
  (let ((result (mapcar #'list heatls-test-files))
        file)
    (dolist (row (apply #'process-lines heatls-test-bin "dump" args))
      (let ((f (split-string row "\t")))
        (pcase (car f)
          ("F" (let ((path (json-parse-string (nth 5 f))))
                 (setq file (and (string-prefix-p heatls-test-goroot path)
                                 (assoc (substring path (length heatls-test-goroot))
                                        result)))))
          ("P"
           (when file
             (let* ((n (mapcar #'string-to-number (cdr f)))
                    (line (nth 0 n))
                    global local hint)
               (if (>= (length n) 9)
                   (let ((cum (nth 2 n)) (base-cum (nth 4 n)) (delta (nth 6 n)))
                     (setq local (nth 7 n) global (nth 8 n))
                     (unless (and (zerop global) (zerop local))
                       (setq hint (format "G%s L%s · %+.2fs (%s)"
                                          (heatls-test-signed global)
                                          (heatls-test-signed local)
                                          (/ delta 1e6)
                                          (cond ((zerop base-cum) "new")
                                                ((zerop cum) "gone")
                                                (t (format "%+.1f%%"
                                                           (/ (* 100.0 delta)
                                                              base-cum))))))))
                 (setq local (nth 3 n) global (nth 4 n))
                 (when (or (> global 0) (> local 0))
                   (setq hint (format "G%d L%d · %.2fs" global local
                                      (/ (nth 2 n) 1e6)))))
               (push (list :face (cond ((> global 0)
                                        (intern (format "heatls-level-%d" global)))
                                       ((< global 0)
                                        (intern (format "heatls-improvement-%d"
                                                        (- global)))))
                           :hint hint)
                     (alist-get line (cdr file)))))))))
    result))

;;;; What Emacs shows

(defun heatls-test-mismatch (shown rows key)
  "Why SHOWN ((LINE . VALUE) ...) is not what ROWS allow for KEY, or nil.
A line shows the KEY of one of its points (several functions can
share a line; the server shows one), and nothing only when one of
its points has nothing."
  (or (cl-loop for (line . value) in shown
               unless (cl-some (lambda (p) (equal (plist-get p key) value))
                               (alist-get line rows))
               return (format "line %d shows %S" line value))
      (cl-loop for (line . points) in rows
               unless (or (assq line shown)
                          (cl-some (lambda (p) (null (plist-get p key))) points))
               return (format "line %d shows nothing, wants %S"
                              line (plist-get (car points) key)))))

(defun heatls-test-check-files (want what)
  "Wait until the files show WANT (`heatls-test-dump'), then check them."
  (dolist (file heatls-test-files)
    (let ((buffer (heatls-test-buffer file))
          (rows (cdr (assoc file want))))
      (heatls-test-wait
       (lambda ()
         (not (or (heatls-test-mismatch (heatls-test-faces buffer) rows :face)
                  (heatls-test-mismatch (heatls-test-hints buffer) rows :hint)))))
      (let ((why (heatls-test-mismatch (heatls-test-faces buffer) rows :face)))
        (heatls-test-check (format "%s, %s: painted lines and faces" what file)
                           (null why) why))
      (let ((why (heatls-test-mismatch (heatls-test-hints buffer) rows :hint)))
        (heatls-test-check (format "%s, %s: inlay hint texts (%s)" what file
                                   (if heatls-test-eglot-hints-p "eglot's"
                                     "heatls.el's own"))
                           (null why)
                           (format "%s\n  %S" why (heatls-test-hints buffer)))))))

(defun heatls-test-faces-named (prefix)
  "How many lines of the test files have a face whose name starts with PREFIX."
  (cl-loop for file in heatls-test-files
           sum (cl-count-if (lambda (entry)
                              (and (symbolp (cdr entry))
                                   (string-prefix-p prefix (symbol-name (cdr entry)))))
                            (heatls-test-faces (heatls-test-buffer file)))))

(defun heatls-test-net (&rest args)
  "The net change that `heatls info ARGS' prints: \"+136.70s, +718.72%\"."
  (cl-loop for line in (apply #'process-lines heatls-test-bin "info" args)
           when (string-match "^net change: +\\([^ ]+\\) (\\([^%]+\\)% of the base)"
                              line)
           return (format "%s, %+.2f%%" (match-string 1 line)
                          (string-to-number (match-string 2 line)))))

(defun heatls-test-mode-line ()
  "The diff's mode line text of the first test file (\"\" when none).
Batch mode formats no mode line (`format-mode-line' gives \"\"): this is
what the entry of `mode-line-misc-info' shows, checked apart."
  (with-current-buffer (heatls-test-buffer (car heatls-test-files))
    (or (heatls-mode-line-string) "")))

;;;; The session

(defun heatls-test-project (dir)
  "The GOROOT's src as one project for the files under it (DIR)."
  (when (string-prefix-p heatls-test-src (file-truename dir))
    (cons 'transient heatls-test-src)))

(defun heatls-test-compare (normalize what)
  "Compare with the base (NORMALIZE as the prefix argument); check WHAT.
Returns non-nil when the server answered."
  (let ((summary (with-current-buffer (heatls-test-buffer (car heatls-test-files))
                   (heatls-compare-with-base (list heatls-test-base) normalize)))
        (args (append heatls-test-profiles (list "-base" heatls-test-base)
                      (and normalize '("-normalize")))))
    (when (heatls-test-check (format "%s answers a diff summary" what)
                             (and summary (eq (plist-get summary :diff) t))
                             (format "%S / %S" summary heatls-test-last-message))
      (heatls-test-check-files (apply #'heatls-test-dump args) what)
      (heatls-test-check (format "%s: regressions and improvements are painted" what)
                         (and (> (heatls-test-faces-named "heatls-level-") 0)
                              (> (heatls-test-faces-named "heatls-improvement-") 0)))
      (heatls-test-equal (format "%s: the mode line shows the diff and its net change"
                                 what)
                         (format " diff: bytes.pb.gz + strings.pb.gz vs sort.pb.gz (%s)"
                                 (apply #'heatls-test-net args))
                         (heatls-test-mode-line))
      (heatls-test-equal (format "%s: heatls-status reports the base" what)
                         (list t (vector heatls-test-base) (if normalize t :json-false))
                         (let ((s (with-current-buffer
                                      (heatls-test-buffer (car heatls-test-files))
                                    (heatls-status))))
                           (list (plist-get s :diff) (plist-get s :base)
                                 (plist-get s :normalize))))
      t)))

(cl-defun heatls-test-run ()
  "All the checks, in order."
  (unless (heatls-test-check (format "the profiles' GOROOT is here: %s"
                                     heatls-test-goroot)
                             heatls-test-src)
    (cl-return-from heatls-test-run))
  (require 'heatls)
  ;; Batch mode's frame has no colours: compare the faces' definitions.
  (dotimes (i 5)
    (let ((face (intern (format "heatls-improvement-%d" (1+ i))))
          (heat (intern (format "heatls-level-%d" (1+ i)))))
      (heatls-test-check (format "%s is a face with colours apart from %s" face heat)
                         (and (facep face)
                              (not (equal (face-default-spec face)
                                          (face-default-spec heat)))))))
  (heatls-test-check "the diff's text is in the mode line of heatls-mode buffers"
                     (member '(heatls-mode (:eval (heatls-mode-line-string)))
                             mode-line-misc-info))
  (customize-set-variable 'heatls-modes '(heatls-test-go-mode))
  (customize-set-variable 'heatls-server-command (list heatls-test-bin "--stdio"))
  (customize-set-variable 'heatls-initialization-options
                          '(:threshold 0.5 :localScope "function"))
  (add-hook 'project-find-functions #'heatls-test-project)
  (global-heatls-mode 1)
  (dolist (file heatls-test-files)
    (with-current-buffer (find-file-noselect (expand-file-name file heatls-test-src))
      (heatls-test-go-mode)))
  (with-current-buffer (heatls-test-buffer (car heatls-test-files))
    (apply #'eglot (eglot--guess-contact)))
  (heatls-test-check
   "eglot starts one heatls for the three files"
   (heatls-test-wait
    (lambda ()
      (let ((servers (mapcar (lambda (f)
                               (with-current-buffer (heatls-test-buffer f)
                                 (and (eglot-managed-p) (eglot-current-server))))
                             heatls-test-files)))
        (and (car servers) (heatls--heatls-server-p (car servers))
             (cl-every (lambda (s) (eq s (car servers))) servers))))
    20))

  ;; Two profiles, merged.
  (let* ((summary (with-current-buffer (heatls-test-buffer (car heatls-test-files))
                    (heatls-load-profiles heatls-test-profiles)))
         (shown heatls-test-last-message))
    (unless (heatls-test-equal "heatls-load-profiles answers both paths"
                               (vconcat heatls-test-profiles)
                               (plist-get summary :paths))
      (message "  shown: %s" shown)
      (cl-return-from heatls-test-run)))
  (let ((plain (apply #'heatls-test-dump heatls-test-profiles)))
    (dolist (file heatls-test-files)
      (heatls-test-check (format "heatls dump of the merge has points in %s" file)
                         (cdr (assoc file plain))))
    (heatls-test-check-files plain "merged")
    (heatls-test-equal "no diff in the mode line" "" (heatls-test-mode-line))

    (when (heatls-test-compare nil "heatls-compare-with-base")
      (heatls-test-compare t "heatls-compare-with-base, normalized"))

    ;; The base removed: the merged heat is back.
    (let ((summary (with-current-buffer (heatls-test-buffer (car heatls-test-files))
                     (heatls-clear-base))))
      (heatls-test-check "heatls-clear-base answers a summary without a diff"
                         (and summary (not (eq (plist-get summary :diff) t)))
                         (format "%S" summary)))
    (heatls-test-check-files plain "after heatls-clear-base")
    (heatls-test-equal "no improvement face after heatls-clear-base"
                       0 (heatls-test-faces-named "heatls-improvement-"))
    (heatls-test-equal "no diff in the mode line after heatls-clear-base"
                       "" (heatls-test-mode-line))

    ;; A base set through the settings: no command answers with a summary,
    ;; so the mode line follows the decorations (diff: true) by asking.
    (let ((want " diff: bytes.pb.gz + strings.pb.gz vs sort.pb.gz"))
      (jsonrpc-notify (with-current-buffer (heatls-test-buffer (car heatls-test-files))
                        (eglot-current-server))
                      :workspace/didChangeConfiguration
                      (list :settings (list :heatls (list :base (vector heatls-test-base)))))
      (heatls-test-check "a base set in the settings shows in the mode line"
                         (heatls-test-wait
                          (lambda () (string-prefix-p want (heatls-test-mode-line))))
                         (heatls-test-mode-line))
      (heatls-test-check "a base set in the settings paints improvements"
                         (> (heatls-test-faces-named "heatls-improvement-") 0)))))

(heatls-test-main #'heatls-test-run)

;;; test_diff.el ends here
