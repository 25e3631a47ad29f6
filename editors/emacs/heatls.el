;;; heatls.el --- Profile heat on source lines, through eglot  -*- lexical-binding: t; -*-

;; Copyright (C) 2025 The heatls authors

;; Author: The heatls authors
;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: tools, languages, convenience

;; This file is not part of GNU Emacs.  It is part of heatls, and
;; distributed under the same terms as the rest of heatls.

;;; Commentary:

;; heatls is a language server that reads pprof profiles and tells
;; which source lines are hot: each profiled line gets a global level
;; (among all lines of the profile) and a local level (among the
;; lines of its function), from 0 (cold) to 5 (hottest).  This package
;; is its Emacs client, on top of eglot:
;;
;; - it registers heatls with eglot for the major modes in
;;   `heatls-modes', so that M-x eglot starts "heatls --stdio" there;
;; - `heatls-mode' (or `global-heatls-mode') paints each hot line with
;;   the face `heatls-level-1' .. `heatls-level-5', from the
;;   `heatls/decorations' notifications of the server; in a diff
;;   against a base (`heatls-compare-with-base'), the lines that got
;;   cheaper with `heatls-improvement-1' .. `heatls-improvement-5';
;; - `heatls-load-profile', `heatls-capture-profile' (from a running
;;   service's URL, with progress), `heatls-load-pyroscope' (from a
;;   Grafana Pyroscope server), `heatls-reload-profile',
;;   `heatls-cancel-capture', `heatls-clear-profile', `heatls-status',
;;   `heatls-load-profiles' (several, merged), `heatls-compare-with-base',
;;   `heatls-clear-base',
;;   `heatls-hotspots' (a `next-error' buffer of the hottest lines)
;;   and `heatls-toggle-level' (both -> global -> local -> off) drive
;;   the server;
;; - `heatls-search' finds code by its shape where the profile says it
;;   is hot, into a `grep-mode' buffer; heatls's hot-path diagnostics
;;   show through flymake like any server's;
;; - inlay hints ("G5 L4 · 2.50s" at the end of a hot line) are shown
;;   by eglot itself when it can (eglot 1.12 and later, Emacs 29+);
;;   with older eglot, `heatls-mode' asks for them and shows them as
;;   end-of-line overlays in the face `heatls-hint'.
;;
;; Quick start:
;;
;;   (require 'heatls)
;;   (global-heatls-mode 1)
;;
;; then M-x eglot in a Go (C, Rust, ...) buffer and
;; M-x heatls-load-profile RET path/to/cpu.pb.gz RET.
;;
;; Settings of the server (threshold, localScope, pathMappings, ...;
;; see docs/protocol.md of heatls) go in `heatls-initialization-options'
;; or in the :heatls section of `eglot-workspace-configuration'.

;;; Code:

(require 'cl-lib)
(require 'seq)
(require 'subr-x)
(require 'compile)
(require 'url-parse)
(require 'url-util)
(require 'jsonrpc)
(require 'eglot)

(defgroup heatls nil
  "Profile heat on source lines, from the heatls language server."
  :group 'tools
  :prefix "heatls-")

;;;; Options

(defcustom heatls-server-command '("heatls" "--stdio")
  "The command that starts the heatls language server, as a list of strings.
The first element is the program (looked up in the variable
`exec-path' unless it is absolute), the others are its arguments."
  :type '(repeat string))

(defun heatls-register ()
  "Make eglot start heatls for the major modes in `heatls-modes'.
Replaces the entry of `eglot-server-programs' that an earlier call
added, if any.  Loading heatls calls it; call it again after
changing `heatls-modes' with `setq'."
  (setq eglot-server-programs
        (cl-remove-if (lambda (entry) (eq (cdr-safe entry) 'heatls-eglot-contact))
                      eglot-server-programs))
  (when (bound-and-true-p heatls-modes)
    (push (cons (copy-sequence heatls-modes) 'heatls-eglot-contact)
          eglot-server-programs)))

(defcustom heatls-modes
  '(go-mode go-ts-mode
    c-mode c-ts-mode c++-mode c++-ts-mode
    rust-mode rust-ts-mode rustic-mode
    python-mode python-ts-mode
    java-mode java-ts-mode)
  "Major modes for which eglot starts heatls.
These are the languages whose programs usually have pprof
profiles: Go (runtime/pprof), C and C++ (gperftools, or perf
data through perf_to_profile), Rust (pprof-rs), Python and Java,
through profilers that write pprof.  A mode derived from one of
them matches too.

Eglot runs one server per buffer, and an entry added here comes
first in `eglot-server-programs': in these modes \\[eglot] starts
heatls instead of gopls, clangd and so on.  Use a shorter list if
you want your usual server in some of them, or nil and an entry
of your own in `eglot-server-programs'.  Setting this option
through Customize, `customize-set-variable' or `setopt' updates
`eglot-server-programs' at once; after `setq', call `heatls-register'."
  :type '(repeat (symbol :tag "Major mode"))
  :set (lambda (symbol value)
         (set-default symbol value)
         (heatls-register)))

(defcustom heatls-initialization-options nil
  "Settings of heatls sent as the LSP initializationOptions, as a plist.
For example
  (:threshold 0.3 :localScope \"file\"
   :pathMappings [(:from \"/home/ci/work\" :to \"~/src\")])
The keys are those of the Settings section of heatls's
docs/protocol.md.  They apply to servers started through
`heatls-modes'.  Settings that change while a server runs go
through the :heatls section of `eglot-workspace-configuration'."
  :type '(plist :key-type symbol :value-type sexp))

(defcustom heatls-own-hints 'auto
  "Whether `heatls-mode' shows inlay hints itself.
`auto': only when eglot cannot show inlay hints (eglot before 1.12,
as on Emacs 28); t: always (turn `eglot-inlay-hints-mode' off then,
or the hints show twice); nil: never."
  :type '(choice (const :tag "When eglot cannot" auto)
                 (const :tag "Always" t)
                 (const :tag "Never" nil)))

(defcustom heatls-hint-delay 0.5
  "Seconds after the last edit before own inlay hints are asked again."
  :type 'number)

(defcustom heatls-hotspots-limit 50
  "How many lines `heatls-hotspots' lists (at most 10000)."
  :type 'natnum)

(defcustom heatls-request-timeout 120
  "Seconds to wait for the server to answer a command such as a profile load."
  :type 'number)

(defcustom heatls-capture-seconds 30
  "The length of a capture that `heatls-capture-profile' proposes, in seconds.
For a CPU profile, the time it samples; for heap, allocs, mutex,
block and goroutine, the window of a delta profile."
  :type 'natnum)

(defcustom heatls-profile-file-regexp
  "\\.\\(?:pb\\.gz\\|pprof\\|prof\\|pb\\)\\'"
  "File names that `heatls-load-profile' offers for completion."
  :type 'regexp)

;;;; Faces

(defmacro heatls--defface-heat (face light dark tty doc)
  "Define FACE, a whole-line background for a heat level or a diff level.
LIGHT and DARK are its background on light and dark frames, TTY
on terminals with 8 or 16 colours.  DOC is the docstring."
  `(defface ,face
     '((((class color) (min-colors 88) (background light))
        :background ,light :extend t)
       (((class color) (min-colors 88) (background dark))
        :background ,dark :extend t)
       (((class color) (min-colors 8))
        :background ,tty :foreground "black" :extend t)
       (t :inverse-video t :extend t))
     ,doc))

(heatls--defface-heat heatls-level-1 "#fdf6d8" "#3b3522" "yellow"
  "Face of lines at heat level 1 (warm), the whole line.")
(heatls--defface-heat heatls-level-2 "#fde9b0" "#4d4020" "yellow"
  "Face of lines at heat level 2, the whole line.")
(heatls--defface-heat heatls-level-3 "#fdd29a" "#5e3d1c" "yellow"
  "Face of lines at heat level 3, the whole line.")
(heatls--defface-heat heatls-level-4 "#fcb28a" "#70301c" "red"
  "Face of lines at heat level 4, the whole line.")
(heatls--defface-heat heatls-level-5 "#f98a84" "#86221f" "red"
  "Face of lines at heat level 5 (hottest), the whole line.")

(defface heatls-hint
  '((t :inherit shadow :height 0.9))
  "Face of the inlay hints that `heatls-mode' shows itself.")

(defun heatls-level-face (level)
  "The face for heat LEVEL (1..5), or nil for another LEVEL.
In a diff against a base, levels -1..-5 (improvements) get
`heatls-improvement-face'."
  (cond ((not (integerp level)) nil)
        ((<= 1 level 5) (intern (format "heatls-level-%d" level)))
        ((<= -5 level -1) (heatls-improvement-face level))))

;;;; The server

(defclass heatls-lsp-server (eglot-lsp-server) ()
  :documentation "An eglot connection to heatls.
Sends `heatls-initialization-options' and tells the server that
inlay hints can be refreshed, which `heatls-mode' does.")

(defun heatls-eglot-contact (&optional _interactive)
  "The eglot contact for heatls: `heatls-server-command' and the class.
For an entry of `eglot-server-programs' of your own:
  (add-to-list \='eglot-server-programs
               \='((my-mode other-mode) . heatls-eglot-contact))"
  (cons 'heatls-lsp-server heatls-server-command))

(defun heatls--plist-merge (base over)
  "A copy of plist BASE with the keys of plist OVER set to their values there."
  (let ((result (copy-sequence base)))
    (cl-loop for (key value) on over by #'cddr
             do (setq result (plist-put result key value)))
    result))

(cl-defmethod eglot-initialization-options ((_server heatls-lsp-server))
  "Add `heatls-initialization-options' to what eglot would send."
  (let ((base (cl-call-next-method)))
    (cond ((null heatls-initialization-options) base)
          ((and base (listp base))
           (heatls--plist-merge base heatls-initialization-options))
          (t heatls-initialization-options))))

(cl-defmethod eglot-client-capabilities :around ((_server heatls-lsp-server))
  "Announce workspace/inlayHint/refresh, which heatls sends after a load.
Also window.workDoneProgress, which eglot 1.9 does not announce: the
rounds of a repeated capture report progress on tokens the server
creates (see `heatls--handle-progress')."
  (let* ((caps (copy-tree (cl-call-next-method)))
         (workspace (plist-get caps :workspace))
         (window (plist-get caps :window)))
    (unless (plist-get workspace :inlayHint)
      (setq caps (plist-put caps :workspace
                            (plist-put workspace :inlayHint
                                       (list :refreshSupport t)))))
    (unless (plist-get window :workDoneProgress)
      (setq caps (plist-put caps :window
                            (plist-put window :workDoneProgress t))))
    caps))

(defun heatls--heatls-server-p (server)
  "Non-nil if SERVER is a live connection that has heatls's commands."
  (and server
       (jsonrpc-running-p server)
       (let ((commands (plist-get (plist-get (eglot--capabilities server)
                                             :executeCommandProvider)
                                  :commands)))
         (seq-contains-p commands "heatls.loadProfile"))))

(defun heatls--server ()
  "The heatls connection for the current buffer.
The buffer's own eglot server when it is heatls, else the only
running heatls server; a `user-error' when there is none."
  (let ((current (eglot-current-server)))
    (if (heatls--heatls-server-p current)
        current
      (let ((others (cl-remove-if-not
                     #'heatls--heatls-server-p
                     (apply #'append
                            (hash-table-values eglot--servers-by-project)))))
        (cond ((= (length others) 1) (car others))
              ((null others)
               (user-error "No heatls server: start one with M-x eglot \
in a buffer of `heatls-modes'"))
              (t (user-error "This buffer has no heatls server, and \
%d others run: use this command from one of their buffers"
                             (length others))))))))

(defun heatls--execute (server command &rest arguments)
  "Ask SERVER to run COMMAND with ARGUMENTS and return its answer.
Signals `jsonrpc-error' if the server answers with an error."
  (jsonrpc-request server :workspace/executeCommand
                   (list :command command
                         :arguments (apply #'vector arguments))
                   :timeout heatls-request-timeout))

(defun heatls--error-message (err)
  "The message of the `jsonrpc-error' ERR."
  (or (alist-get 'jsonrpc-error-message (cdr err))
      (error-message-string err)))

(defun heatls--uri-to-path (uri)
  "The local file name of the file: URI URI, or nil for other URIs."
  (when (stringp uri)
    (let ((url (url-generic-parse-url uri)))
      (when (equal (url-type url) "file")
        (decode-coding-string (url-unhex-string (url-filename url))
                              'utf-8)))))

(defun heatls--server-root (server)
  "The project root of SERVER, a directory name."
  (file-name-as-directory (expand-file-name
                           (project-root (eglot--project server)))))

(defun heatls--uri-buffer (server uri)
  "The buffer that SERVER manages under URI, or nil."
  (or (cl-find-if (lambda (buffer)
                    (and (buffer-live-p buffer)
                         (with-current-buffer buffer
                           (equal (plist-get (eglot--TextDocumentIdentifier)
                                             :uri)
                                  uri))))
                  (eglot--managed-buffers server))
      (let ((path (heatls--uri-to-path uri)))
        (and path
             (find-buffer-visiting
              (concat (file-remote-p (heatls--server-root server)) path))))))

;;;; Painting

(defvar-local heatls--lines nil
  "The lines of the last `heatls/decorations' for this buffer, a vector.")

(defvar-local heatls--mode "both"
  "The `mode' of the last `heatls/decorations' for this buffer.")

(defvar heatls--server-modes (make-hash-table :test #'eq :weakness 'key)
  "The hints mode that each heatls connection last announced or was set to.")

(defvar heatls-mode)

(defun heatls--unpaint ()
  "Remove the line overlays of heatls from the current buffer."
  (save-restriction
    (widen)
    (remove-overlays (point-min) (point-max) 'heatls t)))

(defun heatls--paint ()
  "Paint `heatls--lines' in the current buffer, when `heatls-mode' is on.
Each line whose level is not 0 gets an overlay from its start
to the start of the next line, with the face of the level.  The
level is the global one, or the local one when the mode is
\"local\"; nothing is painted when it is \"off\"."
  (heatls--unpaint)
  (when (and heatls-mode heatls--lines (not (equal heatls--mode "off")))
    (let ((key (if (equal heatls--mode "local") :local :global))
          (current 0))
      (save-excursion
        (save-restriction
          (widen)
          (goto-char (point-min))
          (seq-doseq (entry heatls--lines)
            (let* ((line (plist-get entry :line))
                   (face (heatls-level-face (plist-get entry key))))
              (when (and face (natnump line))
                (when (< line current)
                  (goto-char (point-min))
                  (setq current 0))
                (when (zerop (forward-line (- line current)))
                  (setq current line)
                  (let ((overlay (make-overlay
                                  (point)
                                  (min (point-max)
                                       (1+ (line-end-position))))))
                    (overlay-put overlay 'heatls t)
                    (overlay-put overlay 'heatls-level (plist-get entry key))
                    (overlay-put overlay 'face face)
                    (overlay-put overlay 'priority -60)
                    (overlay-put overlay 'evaporate t)))))))))))

(cl-defmethod eglot-handle-notification
  (server (_method (eql heatls/decorations))
          &key uri lines mode diff &allow-other-keys)
  "Paint the heat of URI's LINES for MODE; SERVER sent them.
DIFF is true when the levels are a diff's, against a base."
  (heatls--diff-decorations server (heatls--true-p diff))
  (when (stringp mode)
    (puthash server mode heatls--server-modes))
  (let ((buffer (heatls--uri-buffer server uri))
        (mode (if (stringp mode) mode "both")))
    (when buffer
      (with-current-buffer buffer
        (let ((moved (and (equal mode heatls--mode)
                          (heatls--same-heat-p heatls--lines lines))))
          (setq heatls--lines lines
                heatls--mode mode)
          (heatls--paint)
          ;; After an edit that only moved the hot lines, the hints have
          ;; moved with the text: asking again would only cost.
          (unless moved
            (heatls--refresh-hints)))))))

(defun heatls--same-heat-p (old new)
  "Non-nil if the decoration lines OLD and NEW differ only in line numbers."
  (and (= (length old) (length new))
       (cl-every (lambda (a b)
                   (cl-every (lambda (key)
                               (equal (plist-get a key) (plist-get b key)))
                             '(:local :global :flat :cum :cumDelta :baseCum)))
                 old new)))

;;;; Inlay hints

(defvar-local heatls--hint-timer nil
  "The timer that will ask for this buffer's own inlay hints.")

(defun heatls--own-hints-p ()
  "Non-nil if `heatls-mode' is to show inlay hints itself here."
  (if (eq heatls-own-hints 'auto)
      (not (fboundp 'eglot-inlay-hints-mode))
    heatls-own-hints))

(defun heatls--remove-hints ()
  "Remove the own inlay hints of the current buffer."
  (save-restriction
    (widen)
    (remove-overlays (point-min) (point-max) 'heatls-hint t)))

(defun heatls--label-string (label)
  "The text of the InlayHint LABEL: a string or a vector of label parts."
  (if (stringp label)
      label
    (mapconcat (lambda (part) (or (plist-get part :value) "")) label "")))

(defun heatls--tooltip-string (tooltip)
  "The text of TOOLTIP: a string or a MarkupContent, or nil."
  (cond ((stringp tooltip) tooltip)
        ((and (listp tooltip) (stringp (plist-get tooltip :value)))
         (plist-get tooltip :value))))

(defun heatls--true-p (value)
  "Non-nil if the JSON VALUE is true."
  (and value (not (eq value :json-false))))

(defun heatls--show-hints (hints)
  "Show the InlayHint vector HINTS in the current buffer."
  (heatls--remove-hints)
  (when (and heatls-mode (heatls--own-hints-p))
    (save-excursion
      (save-restriction
        (widen)
        (seq-doseq (hint hints)
          (let ((position (plist-get hint :position))
                (label (heatls--label-string (plist-get hint :label))))
            (when (and position (not (string-empty-p label)))
              (goto-char (eglot--lsp-position-to-point position))
              (let ((text (concat (if (heatls--true-p (plist-get hint :paddingLeft))
                                      " " "")
                                  (propertize label 'face 'heatls-hint)
                                  (if (heatls--true-p (plist-get hint :paddingRight))
                                      " " "")))
                    (tooltip (heatls--tooltip-string (plist-get hint :tooltip)))
                    (overlay (make-overlay (point) (point))))
                (when tooltip
                  (setq text (propertize text 'help-echo tooltip)))
                (overlay-put overlay 'heatls-hint t)
                (overlay-put overlay 'after-string text)))))))))

(defun heatls--request-hints (buffer)
  "Ask the server for the inlay hints of BUFFER and show them there."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (setq heatls--hint-timer nil)
      (let ((server (and heatls-mode (heatls--own-hints-p)
                         (eglot-current-server))))
        (when (heatls--heatls-server-p server)
          (jsonrpc-async-request
           server :textDocument/inlayHint
           (list :textDocument (eglot--TextDocumentIdentifier)
                 :range (list :start (list :line 0 :character 0)
                              :end (eglot--pos-to-lsp-position
                                    (save-restriction (widen) (point-max)))))
           :success-fn (lambda (hints)
                         (when (buffer-live-p buffer)
                           (with-current-buffer buffer
                             (heatls--show-hints hints))))
           :error-fn (lambda (error)
                       (message "heatls: inlay hints failed: %s"
                                (plist-get error :message)))
           :timeout-fn #'ignore
           ;; Like eglot's own requests: wait for pending edits to be
           ;; sent, and let a newer request replace a waiting one.
           :deferred 'heatls--request-hints))))))

(defun heatls--schedule-hints (&optional delay)
  "Ask for this buffer's own inlay hints in DELAY seconds (default 0).
A later call before then postpones it."
  (when (and heatls-mode (heatls--own-hints-p))
    (when (timerp heatls--hint-timer)
      (cancel-timer heatls--hint-timer))
    ;; An ordinary timer, not an idle one: the hints come when the
    ;; server's messages are read, also while a command waits for one.
    (setq heatls--hint-timer
          (run-at-time (or delay 0) nil
                       #'heatls--request-hints (current-buffer)))))

(defvar eglot--outstanding-inlay-hints-last-region)

(defun heatls--refresh-eglot-hints ()
  "Make eglot ask again for the inlay hints of the current buffer.
Eglot (1.12 and later) asks for the hints of the text that
jit-lock displays, and does not handle workspace/inlayHint/refresh:
mark the buffer for display again, and forget the last region
eglot asked for, which it would not ask for again."
  (when (bound-and-true-p eglot-inlay-hints-mode)
    (when (boundp 'eglot--outstanding-inlay-hints-last-region)
      (setq eglot--outstanding-inlay-hints-last-region nil))
    (jit-lock-refontify)))

(defun heatls--refresh-hints ()
  "Show up-to-date inlay hints in the current buffer, own or eglot's."
  (if (heatls--own-hints-p)
      (heatls--schedule-hints 0)
    (heatls--refresh-eglot-hints)))

(cl-defmethod eglot-handle-request
  ((server heatls-lsp-server) (_method (eql workspace/inlayHint/refresh))
   &rest _params)
  "Ask again for the inlay hints of the buffers of SERVER."
  (dolist (buffer (eglot--managed-buffers server))
    (when (buffer-live-p buffer)
      (with-current-buffer buffer
        (heatls--refresh-hints))))
  nil)

(defun heatls--after-change (&rest _)
  "Ask for own inlay hints again when the edits have settled."
  (when heatls--lines
    (heatls--schedule-hints heatls-hint-delay)))

;;;; Progress

;; While a profile is fetched or captured the server reports work-done
;; progress ($/progress): "capturing CPU profile: 12 s of 30", then the
;; bytes received, then "loaded", "failed" or "cancelled".  Eglot 1.10
;; and later show it themselves (`eglot-report-progress': in the mode
;; line, or in *Messages*); with older eglot (1.9, Emacs 28) heatls.el
;; shows it with a progress reporter of its own in the echo area.  Every
;; report is also kept in `heatls--progress-log', and open tokens in
;; `heatls--progress-open', for `heatls-cancel-capture'.

(defvar heatls--progress-log nil
  "The progress reports received, newest first (at most 200).
Each is a plist (:token :kind :title :message :percentage).")

(defvar heatls--progress-open (make-hash-table :test #'equal)
  "The open progress tokens: token -> (SERVER TITLE REPORTER).")

(defvar heatls--cancel-next nil
  "(SERVER . TIME) of a cancel that found no progress open, or nil.
Between two rounds of a repeated capture none is open: the next
round to begin on SERVER (on a token of the server's) within 2 s is
cancelled.")

(defvar heatls--progress-counter 0
  "The number of the last progress token that heatls.el made.")

(defun heatls--progress-token ()
  "A fresh work-done token for a request of heatls.el."
  (format "heatls-emacs-%d" (cl-incf heatls--progress-counter)))

(defun heatls--own-progress-p ()
  "Non-nil if heatls.el shows progress itself: eglot does not (before 1.10)."
  (not (boundp 'eglot-report-progress)))

(defun heatls--progress-text (title message)
  "TITLE and MESSAGE of a progress report, for people."
  (string-join (delq nil (list (and (stringp title)
                                    (string-remove-prefix "heatls: " title))
                               (and (stringp message) message)))
               ": "))

(defun heatls--handle-progress (server token value)
  "Keep and show the progress report VALUE for TOKEN from SERVER."
  (let* ((kind (plist-get value :kind))
         (message (plist-get value :message))
         (percentage (plist-get value :percentage))
         (entry (gethash token heatls--progress-open))
         (title (if (equal kind "begin") (plist-get value :title) (nth 1 entry))))
    (push (list :token token :kind kind :title title :message message
                :percentage percentage)
          heatls--progress-log)
    (when (nthcdr 200 heatls--progress-log)
      (setcdr (nthcdr 199 heatls--progress-log) nil))
    (pcase kind
      ("begin"
       (when (and heatls--cancel-next
                  (eq (car heatls--cancel-next) server)
                  (< (- (float-time) (cdr heatls--cancel-next)) 2)
                  (not (and (stringp token)
                            (string-prefix-p "heatls-emacs-" token))))
         (setq heatls--cancel-next nil)
         (jsonrpc-notify server :window/workDoneProgress/cancel
                         (list :token token)))
       (let ((reporter
              (and (heatls--own-progress-p)
                   (make-progress-reporter
                    (concat "heatls: " (heatls--progress-text title message) " ")
                    0 100))))
         (puthash token (list server title reporter) heatls--progress-open)))
      ("report"
       (let ((reporter (nth 2 entry)))
         (when reporter
           (progress-reporter-force-update
            reporter (or percentage 0)
            (concat "heatls: " (heatls--progress-text title message) " ")))))
      ("end"
       (remhash token heatls--progress-open)
       (when (and (nth 2 entry) message)
         (message "heatls: %s" (heatls--progress-text title message)))))))

(cl-defmethod eglot-handle-notification
  ((server heatls-lsp-server) (_method (eql $/progress)) &key token value)
  "Keep and show the progress VALUE on TOKEN; let eglot show it too."
  (heatls--handle-progress server token value)
  (unless (heatls--own-progress-p)
    (cl-call-next-method)))

(cl-defmethod eglot-handle-request
  ((_server heatls-lsp-server) (_method (eql window/workDoneProgress/create))
   &rest _params)
  "Accept a progress token that the server makes (a repeated capture's)."
  nil)

;;;; Modes

;;;###autoload
(define-minor-mode heatls-mode
  "Paint the heat of profiled lines in this buffer.
The heat comes from the heatls language server (start it with
\\[eglot], load a profile with \\[heatls-load-profile]).  Each hot
line gets the face `heatls-level-1' .. `heatls-level-5' (in a diff
against a base, a line that got cheaper `heatls-improvement-1' ..
`heatls-improvement-5'); when eglot cannot show inlay hints itself,
the levels and the time of each hot line are shown at its end, in
the face `heatls-hint'."
  :lighter " Heat"
  :group 'heatls
  (cond
   (heatls-mode
    (add-hook 'after-change-functions #'heatls--after-change nil t)
    (heatls--paint)
    (heatls--schedule-hints 0))
   (t
    (remove-hook 'after-change-functions #'heatls--after-change t)
    (when (timerp heatls--hint-timer)
      (cancel-timer heatls--hint-timer))
    (setq heatls--hint-timer nil)
    (heatls--unpaint)
    (heatls--remove-hints))))

(defun heatls--turn-on ()
  "Turn `heatls-mode' on in a file buffer of `heatls-modes' or of heatls."
  (when (and buffer-file-name
             (not heatls-mode)
             (or (cl-some (lambda (mode) (provided-mode-derived-p major-mode mode))
                          heatls-modes)
                 (and (eglot-managed-p)
                      (heatls--heatls-server-p (eglot-current-server)))))
    (heatls-mode 1)))

;;;###autoload
(define-globalized-minor-mode global-heatls-mode heatls-mode heatls--turn-on
  :group 'heatls)

(defun heatls--managed-mode-change ()
  "Follow eglot starting or stopping to manage the current buffer."
  (if (eglot-managed-p)
      (when global-heatls-mode
        (heatls--turn-on))
    (setq heatls--lines nil)
    (heatls--unpaint)
    (heatls--remove-hints)))

(add-hook 'eglot-managed-mode-hook #'heatls--managed-mode-change)

;;;; Commands

(defun heatls--source-name (path)
  "The profile source PATH for people: a file's name, or a URL's live: name.
A Pyroscope source's name (pyroscope: checkout cpu now-1h) is whole too."
  (cond ((null path) "?")
        ((string-prefix-p "live: " path) path)
        ((string-prefix-p "pyroscope: " path) path)
        (t (file-name-nondirectory path))))

(defun heatls--summary-string (summary)
  "A line for people about the profile SUMMARY that the server sent."
  (if (heatls--true-p (plist-get summary :diff))
      (heatls--diff-summary-string summary)
    (heatls--plain-summary-string summary)))

(defun heatls--plain-summary-string (summary)
  "A line for people about the SUMMARY of a profile without a base."
  (format "heatls: %s loaded (%s, total %s): %d lines, %d functions, \
%d files; %d open %s lit"
          (heatls--source-names summary)
          (or (plist-get summary :sampleType) "?")
          (or (plist-get summary :totalText) "?")
          (or (plist-get summary :lines) 0)
          (or (plist-get summary :functions) 0)
          (or (plist-get summary :files) 0)
          (or (plist-get summary :documents) 0)
          (if (eql (plist-get summary :documents) 1) "document" "documents")))

(defun heatls--profile-file-p (file)
  "Non-nil if FILE is a directory or has the name of a pprof profile."
  (or (file-directory-p file)
      (string-match-p heatls-profile-file-regexp file)))

;;;###autoload
(defun heatls-load-profile (file)
  "Load the pprof profile FILE into the heatls server and paint its heat.
Returns the summary the server answers (a plist), or nil when the
profile could not be loaded; the message area tells which."
  (interactive
   (list (read-file-name "Load profile: " nil nil 'confirm nil
                         #'heatls--profile-file-p)))
  (let ((server (heatls--server))
        (path (file-local-name (expand-file-name file))))
    (condition-case err
        (let ((summary (heatls--execute server "heatls.loadProfile" path)))
          (message "%s" (heatls--summary-string summary))
          summary)
      (jsonrpc-error
       (message "heatls: %s" (heatls--error-message err))
       nil))))

;;;###autoload
(defun heatls-clear-profile ()
  "Unload the profile from the heatls server, and so remove the heat."
  (interactive)
  (let ((server (heatls--server)))
    (condition-case err
        (progn (heatls--execute server "heatls.clearProfile")
               (message "heatls: profile cleared")
               t)
      (jsonrpc-error
       (message "heatls: %s" (heatls--error-message err))
       nil))))

(defvar heatls-url-history nil
  "The URLs given to `heatls-capture-profile', newest first.")

(defun heatls--load-async (server command arguments on-summary)
  "Ask SERVER to run the load COMMAND with ARGUMENTS, not waiting for it.
The request carries a progress token of its own.  When the answer
comes, show it, and call ON-SUMMARY, if non-nil, with the summary,
or nil when the load failed or was cancelled.  Returns the token."
  (let ((token (heatls--progress-token)))
    (jsonrpc-async-request
     server :workspace/executeCommand
     (list :command command :arguments (apply #'vector arguments)
           :workDoneToken token)
     :success-fn (lambda (summary)
                   (message "%s" (heatls--summary-string summary))
                   (when on-summary (funcall on-summary summary)))
     :error-fn (lambda (error)
                 (message "heatls: %s"
                          (if (eql (plist-get error :code) -32800)
                              "cancelled; the previous profile stays"
                            (plist-get error :message)))
                 (when on-summary (funcall on-summary nil)))
     ;; A capture takes its seconds, then the download: no timeout of
     ;; ours, the server's own applies (1.5 x the capture, or 60 s).
     :timeout nil)
    token))

(defun heatls--read-url ()
  "Read a profile URL, proposing the last one."
  (let* ((last (car heatls-url-history))
         (url (read-string (if last
                               (format "Capture from URL (default %s): " last)
                             "Capture from URL (e.g. localhost:6060): ")
                           nil 'heatls-url-history last)))
    (when (string-empty-p (string-trim url))
      (user-error "No URL given"))
    (string-trim url)))

;;;###autoload
(defun heatls-capture-profile (url &optional seconds repeat on-summary)
  "Capture a profile from URL, a running service, and paint its heat.
URL is what `go tool pprof' takes: \"localhost:6060\" (a Go
program's net/http/pprof: a CPU profile),
\"http://host:6060/debug/pprof/heap\", https://...  SECONDS is the
length of the capture (for heap, allocs, mutex, block and goroutine,
the window of a delta profile); nil or 0 leaves it to the server's
`seconds' setting (by default none: a heap snapshot, or pprof's 30 s
of CPU).  With REPEAT (interactively, a prefix argument),
capture again as soon as each capture is shown, until
`heatls-clear-profile', another load or `heatls-cancel-capture'.

Does not wait: the progress shows while the capture runs, then the
summary, whose source reads \"live: 127.0.0.1:6060 cpu 30s\".
ON-SUMMARY, if non-nil, is called with the summary, or nil when the
capture failed or was cancelled.  Returns the progress token."
  (interactive
   (let ((url (heatls--read-url)))
     (list url
           (read-number "Seconds: " heatls-capture-seconds)
           current-prefix-arg)))
  (let ((server (heatls--server))
        (argument (list :path url)))
    (when (and seconds (> seconds 0))
      (setq argument (plist-put argument :seconds seconds)))
    (when repeat
      (setq argument (plist-put argument :repeat t)))
    (heatls--load-async server "heatls.loadProfile" (list argument)
                        on-summary)))

;;;###autoload
(defun heatls-reload-profile (&optional on-summary)
  "Load the loaded profile's source again: read its file, or capture again.
Does not wait; ON-SUMMARY as for `heatls-capture-profile'.  Returns
the progress token."
  (interactive)
  (heatls--load-async (heatls--server) "heatls.reloadProfile" nil on-summary))

;;;###autoload
(defun heatls-cancel-capture ()
  "Cancel the captures in progress and end a repeated capture.
The previous profile stays.  Between two rounds of a repeated
capture, the next round is cancelled when it begins.  Returns how
many were cancelled."
  (interactive)
  (let ((server (heatls--server))
        (count 0))
    (maphash (lambda (token entry)
               (when (eq (car entry) server)
                 (jsonrpc-notify server :window/workDoneProgress/cancel
                                 (list :token token))
                 (cl-incf count)))
             heatls--progress-open)
    (setq heatls--cancel-next (and (zerop count) (cons server (float-time))))
    (when (zerop count)
      (message "heatls: no capture in progress (the next round of a \
repeated one is cancelled if it begins)"))
    count))

;;;###autoload
(defun heatls-status ()
  "Tell which profile the heatls server has loaded; return its summary."
  (interactive)
  (let ((summary (heatls--execute (heatls--server) "heatls.status")))
    (message "%s" (if summary
                      (heatls--summary-string summary)
                    "heatls: no profile loaded"))
    summary))

(defconst heatls--cycle '("both" "global" "local" "off")
  "The hints modes that `heatls-toggle-level' goes through, in order.")

;;;###autoload
(defun heatls-toggle-level (&optional mode)
  "Show the next level: both -> global -> local -> off -> both.
With MODE (one of \"both\", \"global\", \"local\", \"off\"), show that.
This sets the `hints' setting of the server, which sends the
decorations and hints again: lines are painted by their global
level in \"both\" and \"global\", by their local level in
\"local\", not at all in \"off\"."
  (interactive)
  (let* ((server (heatls--server))
         (current (gethash server heatls--server-modes "both"))
         (next (or mode
                   (cadr (member current heatls--cycle))
                   (car heatls--cycle))))
    (unless (member next heatls--cycle)
      (user-error "No such heatls mode: %S" next))
    (puthash server next heatls--server-modes)
    (jsonrpc-notify server :workspace/didChangeConfiguration
                    (list :settings (list :heatls (list :hints next))))
    (message "heatls: %s" (pcase next
                            ("both" "global level painted, both levels in hints")
                            ("global" "global level")
                            ("local" "local level (within the function)")
                            (_ "heat hidden")))
    next))

;;;; Grafana Pyroscope
;;
;; `heatls-load-pyroscope': a merged profile from a Grafana Pyroscope
;; server (docs/protocol.md, "Profiles from Pyroscope").  The server's
;; URL is read with its history, then the service and the profile type
;; are read with `completing-read' from what the server has
;; (heatls.pyroscopeServices), then the range.  The load is
;; heatls.loadProfile with a pyroscope+http(s):// source, with its
;; progress reported as a capture's.

(defvar heatls-pyroscope-history nil
  "The Pyroscope servers given to `heatls-load-pyroscope', newest first.")

(defconst heatls-pyroscope-ranges
  '(("last 15 minutes" . "now-15m")
    ("last hour" . "now-1h")
    ("last 6 hours" . "now-6h")
    ("last 24 hours" . "now-24h")
    ("custom" . nil))
  "The ranges `heatls-load-pyroscope' offers, with their from.")

(defun heatls-pyroscope-source (server service type from &optional until)
  "The pyroscope+ source of SERVICE's TYPE from FROM to UNTIL on SERVER.
SERVER is an http(s):// or pyroscope+http(s):// URL, possibly with
?tenant=...; TYPE a short name (cpu, alloc_space...) or a profile
type id; FROM and UNTIL times as the server reads them (now-1h, unix
seconds, RFC 3339); UNTIL nil is now."
  (let* ((parts (split-string server "?"))
         (base (string-trim-right (car parts) "/+"))
         (params (delq nil (list (and (cadr parts) (not (string-empty-p (cadr parts)))
                                      (cadr parts))))))
    (dolist (kv (list (cons "service" service) (cons "type" type)
                      (cons "from" from) (cons "until" until)))
      (when (and (cdr kv) (not (string-empty-p (cdr kv))))
        (setq params (append params
                             (list (concat (car kv) "="
                                           (url-hexify-string (cdr kv))))))))
    (concat (if (string-prefix-p "pyroscope+" base) "" "pyroscope+")
            base "/?" (mapconcat #'identity params "&"))))

(defun heatls--pyroscope-read ()
  "Read a server, then its service, type and range, for `heatls-load-pyroscope'."
  (let* ((server (heatls--server))
         (last (car heatls-pyroscope-history))
         (url (string-trim
               (read-string (format "Pyroscope server (default %s): "
                                    (or last "http://localhost:4040"))
                            nil 'heatls-pyroscope-history
                            (or last "http://localhost:4040"))))
         (has (condition-case err
                  (heatls--execute server "heatls.pyroscopeServices" url)
                (jsonrpc-error
                 (user-error "heatls: %s" (heatls--error-message err)))))
         (services (append (plist-get has :services) nil))
         (types (mapcar (lambda (type)
                          (let ((name (plist-get type :name)))
                            (if (stringp name) name (plist-get type :id))))
                        (append (plist-get has :types) nil))))
    (unless services
      (user-error "heatls: the server has no services in the last 24 hours"))
    (let* ((service (completing-read "Service: " services nil t))
           (type (completing-read "Profile type: " types nil t))
           (range (completing-read "Range: " heatls-pyroscope-ranges nil t))
           (from (cdr (assoc range heatls-pyroscope-ranges)))
           (until nil))
      (unless from
        (setq from (read-string "From (now-2h, unix seconds, RFC 3339): "
                                nil nil "now-2h")
              until (read-string "Until: " nil nil "now")))
      (list url service type from until))))

;;;###autoload
(defun heatls-load-pyroscope (server service type from &optional until on-summary)
  "Load SERVICE's profile TYPE from FROM to UNTIL from the Pyroscope SERVER.
SERVER is the Pyroscope server's URL (http://host:4040, or
http://user:password@host:4040?tenant=team-a for basic auth and a
tenant); TYPE a short name (cpu, alloc_space, inuse_space,
mutex_duration...) or a profile type id; FROM and UNTIL times as
\"now-1h\", unix seconds or RFC 3339; UNTIL nil is now.
Interactively, the server is read with its history, then the service
and the type are completed from what the server has, then the range.

Does not wait: the progress shows while the server answers, then the
summary, whose source reads \"pyroscope: checkout cpu now-1h\".
ON-SUMMARY, if non-nil, is called with the summary, or nil when the
load failed or was cancelled.  Returns the progress token."
  (interactive (heatls--pyroscope-read))
  (heatls--load-async (heatls--server) "heatls.loadProfile"
                      (list (list :path (heatls-pyroscope-source
                                         server service type from
                                         (and until (not (equal until "now"))
                                              until))))
                      on-summary))

;;;; Keys

(defvar heatls-command-map
  (let ((map (make-sparse-keymap)))
    (define-key map "l" #'heatls-load-profile)
    (define-key map "u" #'heatls-capture-profile)
    (define-key map "p" #'heatls-load-pyroscope)
    (define-key map "r" #'heatls-reload-profile)
    (define-key map "k" #'heatls-cancel-capture)
    (define-key map "c" #'heatls-clear-profile)
    (define-key map "h" #'heatls-hotspots)
    (define-key map "t" #'heatls-toggle-level)
    (define-key map "s" #'heatls-status)
    (define-key map "m" #'heatls-mode)
    map)
  "The heatls commands, for a prefix key of your choice.
For example: (global-set-key (kbd \"C-c h\") \='heatls-command-map)")
(fset 'heatls-command-map heatls-command-map)

;;;; Hotspots

(defvar-local heatls--hotspots-server nil
  "The connection whose hotspots this buffer lists.")

(defvar-local heatls--hotspots-arguments nil
  "The argument of heatls.hotspots that this buffer lists.")

(define-derived-mode heatls-hotspots-mode compilation-mode "heatls-hotspots"
  "Major mode of the `heatls-hotspots' buffer.
One hot line of the profile per line, hottest first:
FILE:LINE: G<global> L<local> <cum> <function>.  \\[next-error] and
\\[compile-goto-error] visit them; \\[revert-buffer] asks again."
  (setq-local compilation-error-regexp-alist
              '(("^\\([^:\n]+\\):\\([0-9]+\\): G[0-5] L[0-5] " 1 2)))
  (setq-local compilation-error-face 'compilation-info)
  (setq-local revert-buffer-function #'heatls--hotspots-revert))

(defun heatls--hotspot-file (entry root)
  "The file name to show for the hotspot ENTRY, relative to ROOT if inside."
  (let ((path (heatls--uri-to-path (plist-get entry :uri))))
    (cond ((null path) (or (plist-get entry :path) "?"))
          ((file-in-directory-p path root) (file-relative-name path root))
          (t path))))

(defun heatls--hotspots-fill (server arguments)
  "Fill the current buffer with the hotspots of SERVER for ARGUMENTS."
  (let* ((entries (heatls--execute server "heatls.hotspots" arguments))
         (root (heatls--server-root server))
         (summary (ignore-errors (heatls--execute server "heatls.status")))
         (inhibit-read-only t))
    (erase-buffer)
    (setq default-directory root)
    (insert (format "heatls hotspots of %s (%s, total %s), hottest first\n\n"
                    (or (plist-get summary :path) "the profile")
                    (or (plist-get summary :sampleType) "?")
                    (or (plist-get summary :totalText) "?")))
    (seq-doseq (entry entries)
      (insert (format "%s:%d: G%d L%d %s %s\n"
                      (heatls--hotspot-file entry root)
                      (1+ (or (plist-get entry :line) 0))
                      (or (plist-get entry :global) 0)
                      (or (plist-get entry :local) 0)
                      (or (plist-get entry :cumText) "?")
                      (or (plist-get entry :function) "?"))))
    (goto-char (point-min))))

(defun heatls--hotspots-revert (&rest _)
  "Ask the server for the hotspots of this buffer again."
  (heatls--hotspots-fill heatls--hotspots-server heatls--hotspots-arguments))

;;;###autoload
(defun heatls-hotspots (&optional this-file)
  "List the hottest lines of the loaded profile, in a `next-error' buffer.
With a prefix argument THIS-FILE, only those of the current file.
Returns the buffer."
  (interactive "P")
  (let* ((server (heatls--server))
         (arguments (list :limit heatls-hotspots-limit)))
    (when this-file
      (unless (eglot-managed-p)
        (user-error "This buffer is not managed by eglot"))
      (setq arguments (append arguments
                              (list :scope "file"
                                    :uri (plist-get (eglot--TextDocumentIdentifier)
                                                    :uri)))))
    (let ((buffer (get-buffer-create "*heatls hotspots*")))
      (with-current-buffer buffer
        (let ((inhibit-read-only t))
          (condition-case err
              (progn
                (heatls-hotspots-mode)
                (setq heatls--hotspots-server server
                      heatls--hotspots-arguments arguments)
                (heatls--hotspots-fill server arguments))
            (jsonrpc-error
             (user-error "heatls: %s" (heatls--error-message err))))))
      (setq next-error-last-buffer buffer)
      (when (called-interactively-p 'interactive)
        (display-buffer buffer))
      buffer)))

;;;; Compare and combine: several profiles merged, a diff against a base

;; `heatls-load-profiles' loads several profiles merged into one heat
;; map; `heatls-compare-with-base' compares the loaded profile with a
;; base (heatls.compare), `heatls-clear-base' removes the base.  In a
;; diff the server sends signed levels: lines that got more expensive
;; get 1..5 and the `heatls-level-N' faces, lines that got cheaper
;; -1..-5 and the `heatls-improvement-N' faces below; the inlay hints,
;; hover and code lenses come from the server as always.  The mode line
;; of a `heatls-mode' buffer shows the diff and its net change, from
;; the last summary of its server.

(heatls--defface-heat heatls-improvement-1 "#e0f5f5" "#1a2e33" "cyan"
  "Face of lines at diff level -1 (a little cheaper than the base).")
(heatls--defface-heat heatls-improvement-2 "#c2ecef" "#163d47" "cyan"
  "Face of lines at diff level -2.")
(heatls--defface-heat heatls-improvement-3 "#a3dde6" "#134a5c" "cyan"
  "Face of lines at diff level -3.")
(heatls--defface-heat heatls-improvement-4 "#85c8e0" "#145770" "blue"
  "Face of lines at diff level -4.")
(heatls--defface-heat heatls-improvement-5 "#6aaee0" "#1c5f8a" "blue"
  "Face of lines at diff level -5 (the largest improvements).")

(defun heatls-improvement-face (level)
  "The face for the diff LEVEL -1..-5 (an improvement), or nil."
  (and (integerp level) (<= -5 level -1)
       (intern (format "heatls-improvement-%d" (- level)))))

(defvar heatls--summaries (make-hash-table :test #'eq :weakness 'key)
  "The last summary of each heatls connection (nil: no profile).")

(defvar heatls--summary-asked (make-hash-table :test #'eq :weakness 'key)
  "The connections asked for their summary by `heatls--diff-decorations'.")

(defun heatls--note-summary (server summary)
  "Keep SUMMARY as the current one of SERVER, and show it in mode lines."
  (puthash server summary heatls--summaries)
  (force-mode-line-update t)
  summary)

(defun heatls--diff-decorations (server diff)
  "Follow `heatls/decorations' from SERVER, DIFF non-nil in a diff.
When that differs from SERVER's last summary (a base set through
the settings, a load with a base), ask for the current summary."
  (let ((summary (gethash server heatls--summaries)))
    (unless (or (gethash server heatls--summary-asked)
                (eq (and diff t)
                    (and summary (heatls--true-p (plist-get summary :diff)) t)))
      (puthash server t heatls--summary-asked)
      (jsonrpc-async-request
       server :workspace/executeCommand
       (list :command "heatls.status" :arguments [])
       :success-fn (lambda (answer)
                     (remhash server heatls--summary-asked)
                     (heatls--note-summary server answer))
       :error-fn (lambda (_) (remhash server heatls--summary-asked))
       :timeout-fn (lambda () (remhash server heatls--summary-asked))))))

(defun heatls--names (paths noun)
  "PATHS (a string or a sequence) for people: one or two base names
joined with \" + \", or how many there are, then NOUN."
  (let ((paths (if (stringp paths) (list paths) (append paths nil))))
    (cond ((null paths) "?")
          ((> (length paths) 2) (format "%d %s" (length paths) noun))
          (t (mapconcat #'heatls--source-name paths " + ")))))

(defun heatls--source-names (summary)
  "The profiles of SUMMARY for people: its `paths' when several, else its `path'."
  (let ((paths (plist-get summary :paths)))
    (if (and paths (> (length paths) 1))
        (heatls--names paths "profiles")
      (heatls--source-name (plist-get summary :path)))))

(defun heatls--net-string (summary)
  "The net change of the diff SUMMARY: \"+7.40s, +9.98%\"."
  (let ((net (or (plist-get summary :netText)
                 (format "%s" (plist-get summary :net))))
        (percent (plist-get summary :netPercent)))
    (if (numberp percent)
        (format "%s, %+.2f%%" net percent)
      net)))

(defun heatls--diff-short-string (summary)
  "The diff SUMMARY in short: \"diff: a.pb.gz vs base.pb.gz (+1.80s, +6.20%)\"."
  (format "diff: %s vs %s (%s)"
          (heatls--source-names summary)
          (heatls--names (plist-get summary :base) "bases")
          (heatls--net-string summary)))

(defun heatls--diff-summary-string (summary)
  "A line for people about the diff SUMMARY that the server sent."
  (format "heatls: %s%s: %s %s vs base %s, %d regressions, \
%d improvements; %d open %s lit"
          (heatls--diff-short-string summary)
          (if (heatls--true-p (plist-get summary :normalize)) ", normalized" "")
          (or (plist-get summary :sampleType) "?")
          (or (plist-get summary :totalText) "?")
          (or (plist-get summary :baseTotalText) "?")
          (or (plist-get summary :regressions) 0)
          (or (plist-get summary :improvements) 0)
          (or (plist-get summary :documents) 0)
          (if (eql (plist-get summary :documents) 1) "document" "documents")))

(defun heatls-mode-line-string ()
  "The mode line text of the current buffer's diff, or nil outside one.
For example \" diff: cpu.pb.gz vs base.pb.gz (+1.80s, +6.20%)\"."
  (let* ((server (and heatls-mode (eglot-current-server)))
         (summary (and server (gethash server heatls--summaries))))
    (when (and summary (heatls--true-p (plist-get summary :diff)))
      (concat " " (heatls--diff-short-string summary)))))

(add-to-list 'mode-line-misc-info
             '(heatls-mode (:eval (heatls-mode-line-string))))

(defun heatls--profile-argument (file)
  "FILE as the server takes a profile: a URL as is, else a local path.
A glob (*, ?, [...]) is left for the server to expand."
  (if (string-match-p "\\`[a-zA-Z][a-zA-Z0-9+.-]*://" file)
      file
    (file-local-name (expand-file-name file))))

(defun heatls--read-profiles (prompt)
  "Read profile files with PROMPT, one at a time, until an empty answer."
  (let (files file)
    (while (progn
             (setq file (read-file-name
                         (format "%s %d (RET alone ends): " prompt
                                 (1+ (length files)))
                         nil "" nil nil #'heatls--profile-file-p))
             (not (or (string-empty-p file) (file-directory-p file))))
      (push file files))
    (or (nreverse files) (user-error "No profile given"))))

(defun heatls--summary-command (command &rest arguments)
  "Run COMMAND with ARGUMENTS, show the summary it answers and return it.
Keeps the summary for the mode line.  On an error, shows it and
returns nil."
  (let ((server (heatls--server)))
    (condition-case err
        (let ((summary (apply #'heatls--execute server command arguments)))
          (heatls--note-summary server summary)
          (message "%s" (heatls--summary-string summary))
          summary)
      (jsonrpc-error
       (message "heatls: %s" (heatls--error-message err))
       nil))))

;;;###autoload
(defun heatls-load-profiles (files)
  "Load the pprof profiles FILES merged into one, and paint their heat.
FILES are file names, globs (\"prof/*.pb.gz\", expanded by the
server) or URLs; interactively, read one at a time.  Returns the
summary the server answers, or nil when the load failed."
  (interactive (list (heatls--read-profiles "Load profile")))
  (heatls--summary-command
   "heatls.loadProfile"
   (list :paths (vconcat (mapcar #'heatls--profile-argument files)))))

;;;###autoload
(defun heatls-compare-with-base (bases &optional normalize)
  "Compare the loaded profile with the base profiles BASES (merged).
Lines that got more expensive than in the base are painted with
the faces `heatls-level-N', lines that got cheaper with
`heatls-improvement-N'; the inlay hints show the change.  With
NORMALIZE (interactively, a prefix argument), the base is first
scaled to the profile's total, so that only the shape is compared.
Returns the summary, or nil when the base could not be used."
  (interactive (list (heatls--read-profiles "Base profile")
                     current-prefix-arg))
  (heatls--summary-command
   "heatls.compare"
   (list :base (vconcat (mapcar #'heatls--profile-argument
                                (if (stringp bases) (list bases) bases)))
         :normalize (if normalize t :json-false))))

;;;###autoload
(defun heatls-clear-base ()
  "Stop comparing with a base: paint the loaded profile's own heat again.
Returns the summary."
  (interactive)
  (heatls--summary-command "heatls.compare"))

(define-key heatls-command-map "L" #'heatls-load-profiles)
(define-key heatls-command-map "d" #'heatls-compare-with-base)
(define-key heatls-command-map "D" #'heatls-clear-base)

;;;; Search
;;
;; Profile-guided code search: `heatls-search' asks the server's
;; heatls.search for code by its shape (gogrep's metavariables), a
;; tree-sitter query or a regex, over the workspace or the current
;; file, and lists the hot matches in a `grep-mode' buffer, one
;; "FILE:LINE: [CUM GN LN] TEXT" line each (as `heatls search --sort
;; heat' prints them), so that \[next-error] visits them.  Nothing
;; above this section depends on it.

(require 'grep)

(defcustom heatls-search-min-level 1
  "The level (1-5) a match's hottest line must reach for `heatls-search'.
0 lists every match, hot or not (no profile needed)."
  :type 'integer)

(defcustom heatls-search-limit 1000
  "The most matches `heatls-search' lists."
  :type 'integer)

(defvar heatls-search-history nil
  "The patterns given to `heatls-search', newest first.")

(defconst heatls--search-kinds '("pattern" "query" "regex")
  "The kinds of pattern that heatls.search takes.")

(defvar-local heatls--search-server nil
  "The connection whose search this buffer lists.")

(defvar-local heatls--search-argument nil
  "The argument of heatls.search that this buffer lists.")

(defvar-local heatls--search-request nil
  "The id of the request this buffer waits for, or nil.")

(defun heatls--search-heat (match)
  "The heat of MATCH (a result of heatls.search) as \"[0.86s G5 L5]\".
A line the profile has no time on reads \"[- G0 L0]\"."
  (let ((global (or (plist-get match :global) 0))
        (local (or (plist-get match :local) 0))
        (cum (or (plist-get match :cum) 0)))
    (format "[%s G%d L%d]"
            (if (and (eql cum 0) (eql global 0) (eql local 0))
                "-"
              (or (plist-get match :cumText) (format "%s" cum)))
            global local)))

(defun heatls--search-line (match root)
  "The grep-style line of MATCH, its file relative to ROOT if inside."
  (let ((path (heatls--uri-to-path (plist-get match :uri))))
    (format "%s:%d: %s %s\n"
            (cond ((null path) "?")
                  ((file-in-directory-p path root) (file-relative-name path root))
                  (t path))
            (1+ (or (plist-get (plist-get (plist-get match :range) :start) :line) 0))
            (heatls--search-heat match)
            (or (plist-get match :text) ""))))

(defun heatls--search-finish (buffer text)
  "Append the last line TEXT to the search BUFFER and mark it done."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (let ((inhibit-read-only t))
        (setq heatls--search-request nil)
        (goto-char (point-max))
        (insert "\n" text "\n")
        (goto-char (point-min))
        (forward-line 2)))))

(defun heatls--search-start (buffer on-done)
  "Run the search of BUFFER (a `heatls-search-mode' buffer) again.
ON-DONE, if non-nil, is called with BUFFER when the answer is in."
  (with-current-buffer buffer
    (let* ((server heatls--search-server)
           (argument heatls--search-argument)
           (root (heatls--server-root server))
           (inhibit-read-only t))
      (erase-buffer)
      (setq default-directory root)
      (insert (format "heatls search: %s (%s%s, %s)\n\n"
                      (plist-get argument :pattern)
                      (plist-get argument :kind)
                      (let ((level (plist-get argument :minLevel)))
                        (if (eql level 0) ", every match"
                          (format ", hot at G%d+" level)))
                      (if (equal (plist-get argument :scope) "workspace")
                          "workspace"
                        (or (heatls--uri-to-path (plist-get argument :scope)) "?"))))
      (let ((request
             (jsonrpc-async-request
              server :workspace/executeCommand
              (list :command "heatls.search" :arguments (vector argument)
                    :workDoneToken (heatls--progress-token))
              :success-fn
              (lambda (matches)
                (when (buffer-live-p buffer)
                  (with-current-buffer buffer
                    (let ((inhibit-read-only t))
                      (goto-char (point-max))
                      (seq-doseq (match matches)
                        (insert (heatls--search-line match root)))
                      (heatls--search-finish
                       buffer (format "heatls search finished with %d match%s"
                                      (length matches)
                                      (if (= (length matches) 1) "" "es"))))))
                (message "heatls: %d match%s" (length matches)
                         (if (= (length matches) 1) "" "es"))
                (when on-done (funcall on-done buffer)))
              :error-fn
              (lambda (error)
                (let ((text (if (eql (plist-get error :code) -32800)
                                "search cancelled"
                              (plist-get error :message))))
                  (heatls--search-finish buffer (concat "heatls search failed: " text))
                  (message "heatls: %s" text))
                (when on-done (funcall on-done buffer)))
              :timeout nil)))
        (setq heatls--search-request (car request))))))

(define-derived-mode heatls-search-mode grep-mode "heatls-search"
  "Major mode of the `heatls-search' buffer.
One match per line: FILE:LINE: [CUM G<global> L<local>] TEXT, the
heat of the match's hottest line, then its first line.
\\[next-error] and \\[compile-goto-error] visit them;
\\[revert-buffer] searches again; \\[heatls-search-cancel] cancels."
  (setq-local revert-buffer-function
              (lambda (&rest _) (heatls--search-start (current-buffer) nil))))

(define-key heatls-search-mode-map (kbd "C-c C-k") #'heatls-search-cancel)

(defun heatls--search-read-arguments ()
  "The interactive arguments of `heatls-search'.
With a prefix argument, ask for the kind, the level and the scope too."
  (let* ((kind (if current-prefix-arg
                   (completing-read "Kind: " heatls--search-kinds nil t nil nil
                                    "pattern")
                 "pattern"))
         (pattern (read-string
                   (format "heatls search %s%s: "
                           (pcase kind ("pattern" "(e.g. fmt.Errorf($_))")
                                  ("query" "(a tree-sitter query)")
                                  (_ "(a regex)"))
                           (if heatls-search-history
                               (format " [%s]" (car heatls-search-history))
                             ""))
                   nil 'heatls-search-history (car heatls-search-history))))
    (list pattern kind
          (if current-prefix-arg
              (read-number "Minimum level (0 = every match): " heatls-search-min-level)
            heatls-search-min-level)
          (and current-prefix-arg (eglot-managed-p)
               (y-or-n-p "This file only? ")))))

;;;###autoload
(defun heatls-search (pattern &optional kind min-level this-file on-done)
  "Search the workspace for PATTERN and list the hot matches.
PATTERN is code with gogrep's metavariables ($x, $_, $*_), or, by
KIND, a tree-sitter query (\"query\") or a POSIX regex per line
(\"regex\").  A match is listed when its hottest line reaches
MIN-LEVEL (default `heatls-search-min-level'; 0 lists every match)
in the loaded profile.  With THIS-FILE, only the current buffer (as
edited) is searched.  Interactively, the last patterns are in the
history; a prefix argument asks for the kind, the level and the
scope.  The matches go to the *heatls search* buffer, in
`grep-mode' (\\[next-error] visits them) with each match's heat.
Does not wait: ON-DONE, if non-nil, is called with the buffer when
the answer is in.  Returns the buffer."
  (interactive (heatls--search-read-arguments))
  (when (string-empty-p pattern)
    (user-error "No pattern given"))
  (let* ((kind (or kind "pattern"))
         (server (heatls--server))
         (argument (list :pattern pattern :kind kind
                         :minLevel (or min-level heatls-search-min-level)
                         :scope "workspace"
                         :limit heatls-search-limit)))
    (unless (member kind heatls--search-kinds)
      (user-error "No such kind of pattern: %S (pattern, query or regex)" kind))
    (when this-file
      (unless (eglot-managed-p)
        (user-error "This buffer is not managed by eglot"))
      (setq argument (plist-put argument :scope
                                (plist-get (eglot--TextDocumentIdentifier) :uri))))
    ;; Edits not sent yet (eglot sends them when Emacs is idle) go first:
    ;; open documents are searched as edited.
    (dolist (managed (eglot--managed-buffers server))
      (with-current-buffer managed
        (eglot--signal-textDocument/didChange)))
    (let ((buffer (get-buffer-create "*heatls search*")))
      (with-current-buffer buffer
        (when heatls--search-request
          (heatls-search-cancel))
        (heatls-search-mode)
        (setq heatls--search-server server
              heatls--search-argument argument))
      (heatls--search-start buffer on-done)
      (setq next-error-last-buffer buffer)
      (when (called-interactively-p 'interactive)
        (display-buffer buffer))
      buffer)))

(defun heatls-search-cancel ()
  "Cancel the search that the *heatls search* buffer waits for."
  (interactive)
  (let ((buffer (get-buffer "*heatls search*")))
    (if (not (and buffer (buffer-local-value 'heatls--search-request buffer)))
        (message "heatls: no search in progress")
      (with-current-buffer buffer
        (jsonrpc-notify heatls--search-server :$/cancelRequest
                        (list :id heatls--search-request))
        (setq heatls--search-request nil)))))

(define-key heatls-command-map "/" #'heatls-search)

(provide 'heatls)
;;; heatls.el ends here
