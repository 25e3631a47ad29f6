;;; harness.el --- What the Emacs client tests of heatls.el share  -*- lexical-binding: t; -*-

;;; Commentary:

;; Loaded first by test_heatls.el, test_diff.el, test_pyroscope.el and
;; test_search.el (run by run.sh).  Loads setup.el (eglot loadable,
;; editors/emacs on `load-path'; compile.el loads setup.el alone, since
;; it needs neither eglot started nor `message' recorded), then gives:
;; the environment run.sh sets, the checks and their counts, every
;; message recorded, a bounded wait that reads the server's messages, a
;; stand-in Go mode, the heatls overlays of a buffer, and
;; `heatls-test-main', which runs the checks, prints "N passed, M
;; failed", stops the servers and exits 1 on a failure.

;;; Code:

(load (expand-file-name "setup.el" (file-name-directory load-file-name)) nil t)

(require 'cl-lib)
(require 'subr-x)
(require 'eglot)

(defvar heatls-test-bin (getenv "HEATLS_BIN"))
(defvar heatls-test-testdata (getenv "HEATLS_TESTDATA"))
(defvar heatls-test-scratch (file-name-as-directory
                             (file-truename (getenv "HEATLS_TMP")))
  "The scratch folder, by its real name.")
(defvar heatls-test-start (float-time))

;;;; Checks

(defvar heatls-test-passed 0)
(defvar heatls-test-failed 0)

(defun heatls-test-check (name ok &optional detail)
  "Count the check NAME as passed when OK, else print DETAIL.  Return OK."
  (let ((at (- (float-time) heatls-test-start)))
    (if ok
        (progn (setq heatls-test-passed (1+ heatls-test-passed))
               (message "ok: %s [%.2f s]" name at))
      (setq heatls-test-failed (1+ heatls-test-failed))
      (message "FAIL: %s [%.2f s]%s" name at
               (if detail (format "\n  %s" detail) ""))))
  ok)

(defun heatls-test-equal (name expected actual)
  "Check that ACTUAL equals EXPECTED; print both when not."
  (heatls-test-check name (equal expected actual)
                     (format "expected %S\n  actual   %S" expected actual)))

(defun heatls-test-main (run)
  "Call RUN (all the checks); an error in it is a failed check.
Then print the counts, stop the servers and exit, 1 on a failure."
  (condition-case err
      (funcall run)
    (error (heatls-test-check "the test runs to its end" nil
                              (error-message-string err))))
  (message "checks done in %.2f s" (- (float-time) heatls-test-start))
  (message "%d passed, %d failed" heatls-test-passed heatls-test-failed)
  (dolist (server (apply #'append (hash-table-values eglot--servers-by-project)))
    (ignore-errors (eglot-shutdown server)))
  (kill-emacs (if (zerop heatls-test-failed) 0 1)))

;;;; Messages

(defvar heatls-test-last-message nil
  "The last message shown: batch mode has no echo area to ask.")

(defvar heatls-test-messages nil
  "Every message shown, newest first.")

(advice-add 'message :filter-return
            (lambda (text)
              (when text
                (setq heatls-test-last-message text)
                (push text heatls-test-messages))
              text))

;;;; Waits

(defvar heatls-test-wait-seconds 10
  "How long `heatls-test-wait' waits by default.")

(defvar heatls-test-poll-seconds 0.05
  "How long `heatls-test-wait' reads the server's messages between tries.")

(defvar heatls-test-eglot-hints-p (fboundp 'eglot-inlay-hints-mode)
  "Non-nil when eglot shows inlay hints itself (1.12+).")

;; A test that shows inlay hints names its files (`heatls-test-files')
;; and how to find their buffers (`heatls-test-buffer').
(defvar heatls-test-files)

(defun heatls-test-redisplay ()
  "Do for the buffers of `heatls-test-files' what redisplay would do.
Batch mode has no redisplay, so jit-lock never runs, and eglot (1.12+)
asks for inlay hints from jit-lock.  Do what jit-lock's idle timer does
after an edit (refontify the text below it), then fontify what is
marked for fontification, as redisplay would for a window showing
each whole buffer.  heatls.el marks a buffer when its heat changes."
  (when heatls-test-eglot-hints-p
    (jit-lock-context-fontify)
    (dolist (file heatls-test-files)
      (let ((buffer (heatls-test-buffer file)))
        (when buffer
          (with-current-buffer buffer
            (jit-lock-fontify-now)))))))

(defvar heatls-test-redisplay-function nil
  "When non-nil, called by `heatls-test-wait' after each read.
Batch mode has no redisplay: a test that shows inlay hints sets it to
`heatls-test-redisplay'.")

(defun heatls-test-wait (predicate &optional seconds)
  "Read the server's messages until PREDICATE is true or SECONDS pass.
SECONDS is `heatls-test-wait-seconds' by default.  Returns the last
value of PREDICATE."
  (let ((deadline (+ (float-time) (or seconds heatls-test-wait-seconds)))
        value)
    (while (and (not (setq value (funcall predicate)))
                (< (float-time) deadline))
      (accept-process-output nil heatls-test-poll-seconds)
      (when heatls-test-redisplay-function
        (funcall heatls-test-redisplay-function)))
    value))

;;;; Buffers

(define-derived-mode heatls-test-go-mode prog-mode "Go-test"
  "A stand-in for go-mode.")

(defun heatls-test-faces (buffer)
  "The (LINE . FACE) of BUFFER's heatls overlays, by line.
An overlay that does not cover its whole line and newline gets
\(LINE not-whole-line FACE)."
  (with-current-buffer buffer
    (let (result)
      (dolist (ov (overlays-in (point-min) (point-max)))
        (when (overlay-get ov 'heatls)
          (save-excursion
            (goto-char (overlay-start ov))
            (push (cons (line-number-at-pos)
                        (if (and (bolp)
                                 (= (overlay-end ov)
                                    (min (point-max) (1+ (line-end-position)))))
                            (overlay-get ov 'face)
                          (list 'not-whole-line (overlay-get ov 'face))))
                  result))))
      (sort result (lambda (a b) (< (car a) (car b)))))))

(defun heatls-test-hints (buffer)
  "The (LINE . LABEL) of the inlay hints BUFFER shows, by line.
Eglot's own overlays when it has them (1.12+: eglot puts a hint after
the character before the position, so a hint at a line's end is an
overlay that ends there), else heatls.el's.  A hint that is not at its
line's end gets (LINE not-at-eol LABEL)."
  (with-current-buffer buffer
    (let (result)
      (dolist (ov (overlays-in (point-min) (point-max)))
        (when (overlay-get ov (if heatls-test-eglot-hints-p
                                  'eglot--inlay-hint
                                'heatls-hint))
          (save-excursion
            (goto-char (if heatls-test-eglot-hints-p
                           (overlay-end ov)
                         (overlay-start ov)))
            (let ((label (string-trim
                          (substring-no-properties
                           (or (overlay-get ov 'after-string)
                               (overlay-get ov 'before-string))))))
              (push (cons (line-number-at-pos)
                          (if (eolp) label (list 'not-at-eol label)))
                    result)))))
      (sort result (lambda (a b) (< (car a) (car b)))))))

;;; harness.el ends here
