;;; test_heatls.el --- heatls.el in a real Emacs, against the real server  -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by run.sh with `emacs --batch -Q -l test_heatls.el' and these
;; environment variables:
;;   HEATLS_BIN        the heatls binary
;;   HEATLS_TESTDATA   the repository's testdata folder
;;   HEATLS_EMACS_DIR  editors/emacs
;;   HEATLS_TMP        a fresh scratch folder outside any repository
;;   HEATLS_PPROFSVC   the Go service of testdata/programs/pprofsvc
;;
;; Copies testdata/programs/wordfreq/*.go into the scratch folder (the
;; profile names them /home/ci/work/wordfreq/...: heatls has to map them),
;; visits them in a Go major mode (go-mode when installed, else a stand-in
;; registered through `heatls-modes'), turns `global-heatls-mode' on, starts
;; eglot with heatls as M-x eglot would, loads wordfreq/cpu.pb.gz with
;; `heatls-load-profile', and compares what Emacs shows with what
;; `heatls dump' says of the profile (per line its hottest point):
;; - which lines have a heatls overlay (the whole line and its newline) and
;;   with which face, in each mode that `heatls-toggle-level' goes through
;;   (both, global, local, off, both again);
;; - the inlay hints, "G5 L4 · 2.50s" at the end of each hot line: with
;;   eglot 1.9 (Emacs 28) the end-of-line overlays of heatls.el; with eglot
;;   1.12+ (Emacs 30) eglot's own overlays.  Batch mode has no redisplay, and
;;   eglot asks for hints from jit-lock, so the test does what redisplay and
;;   jit-lock's idle timer would each time it waits (`heatls-test-redisplay').
;;   One hot line ends with characters outside the BMP: its hint must still
;;   land at the line's end in utf-16 (eglot 1.9) and utf-8 (eglot 1.17);
;; - the `heatls-hotspots' buffer of the profile and of count.go alone,
;;   `compile-goto-error' and `next-error';
;; - an edit above the hot lines; a profile that fails to load;
;;   `heatls-status'; `heatls-mode' off and on; `heatls-clear-profile';
;; - a capture from a running service: pprofsvc serves net/http/pprof on
;;   127.0.0.1, its main.go takes the place of wordfreq's, and
;;   `heatls-capture-profile' takes 2 s of CPU from it: the progress (the
;;   capture's seconds and the end; eglot's own reporter on eglot 1.10+,
;;   heatls.el's in the echo area before), the source in the summary and
;;   `heatls-status', and the painted lines of main.go against what
;;   heatls.hotspots says of that document for the same capture; then
;;   `heatls-reload-profile' and `heatls-cancel-capture'.
;; Prints "N passed, M failed", exits 1 on a failure.

;;; Code:

(load (expand-file-name "harness.el" (file-name-directory load-file-name)) nil t)

(defvar heatls-test-dir heatls-test-scratch)
(defvar heatls-test-profile
  (expand-file-name "programs/wordfreq/cpu.pb.gz" heatls-test-testdata))
(defvar heatls-test-files '("count.go" "main.go" "tokenize.go"))

(defun heatls-test-settle (&optional seconds)
  "Read messages for SECONDS (0.3): let late notifications in."
  (let ((deadline (+ (float-time) (or seconds 0.3))))
    (while (< (float-time) deadline)
      (accept-process-output nil 0.05))))

;;;; What `heatls dump' says

(defun heatls-test-dump ()
  "The profile's points of the wordfreq files, from `heatls dump'.
An alist (BASE-NAME . LINES), LINES an alist (LINE GLOBAL LOCAL CUM)
with 1-based lines, one per line: its hottest point (largest cum)."
  (let (file result)
    (dolist (row (process-lines heatls-test-bin "dump" heatls-test-profile))
      (let ((fields (split-string row "\t")))
        (pcase (car fields)
          ("F" (let ((path (json-parse-string (nth 5 fields))))
                 (setq file (and (string-prefix-p "/home/ci/work/wordfreq/" path)
                                 (file-name-nondirectory path)))))
          ("P" (when file
                 (let* ((line (string-to-number (nth 1 fields)))
                        (cum (string-to-number (nth 3 fields)))
                        (local (string-to-number (nth 4 fields)))
                        (global (string-to-number (nth 5 fields)))
                        (entry (assoc file result))
                        (old (assq line (cdr entry))))
                   (unless entry
                     (push (setq entry (list file)) result))
                   (when (or (null old) (> cum (nth 3 old)))
                     (setf (alist-get line (cdr entry)) (list global local cum)))))))))
    result))

(defvar heatls-test-points (heatls-test-dump))

(defun heatls-test-level (point mode)
  "The painted level of POINT (GLOBAL LOCAL CUM) in MODE."
  (pcase mode
    ("local" (nth 1 point))
    ("off" 0)
    (_ (nth 0 point))))

(defun heatls-test-expected-faces (file mode)
  "The (LINE . FACE) that FILE should show in MODE, by line."
  (sort (cl-loop for (line . point) in (cdr (assoc file heatls-test-points))
                 for level = (heatls-test-level point mode)
                 when (> level 0)
                 collect (cons line (intern (format "heatls-level-%d" level))))
        (lambda (a b) (< (car a) (car b)))))

(defun heatls-test-value (cum)
  "CUM in microseconds, as the server writes it: seconds, 2 decimals."
  (format "%.2fs" (/ cum 1e6)))

(defun heatls-test-expected-hints (file mode)
  "The (LINE . LABEL) of the inlay hints FILE should show in MODE."
  (sort (cl-loop for (line . point) in (cdr (assoc file heatls-test-points))
                 for (global local cum) = point
                 for value = (heatls-test-value cum)
                 for label = (pcase mode
                               ("both" (and (or (> global 0) (> local 0))
                                            (format "G%d L%d · %s"
                                                    global local value)))
                               ("global" (and (> global 0)
                                              (format "G%d · %s" global value)))
                               ("local" (and (> local 0)
                                             (format "L%d · %s" local value))))
                 when label collect (cons line label))
        (lambda (a b) (< (car a) (car b)))))

;;;; What Emacs shows

(defun heatls-test-buffer (file)
  "The buffer visiting FILE of the scratch folder."
  (get-file-buffer (expand-file-name file heatls-test-dir)))

(setq heatls-test-redisplay-function #'heatls-test-redisplay)

(defun heatls-test-shows (mode)
  "Non-nil when every buffer shows the faces and hints of MODE."
  (cl-every (lambda (file)
              (let ((buffer (heatls-test-buffer file)))
                (and (equal (heatls-test-faces buffer)
                            (heatls-test-expected-faces file mode))
                     (equal (heatls-test-hints buffer)
                            (heatls-test-expected-hints file mode)))))
            heatls-test-files))

(defun heatls-test-check-mode (mode)
  "Wait until the buffers show MODE, then check each file's faces and hints."
  (heatls-test-wait (lambda () (heatls-test-shows mode)))
  (dolist (file heatls-test-files)
    (let ((buffer (heatls-test-buffer file)))
      (heatls-test-equal (format "%s: %s mode is announced" file mode)
                         mode (buffer-local-value 'heatls--mode buffer))
      (heatls-test-equal (format "%s: faces in %s mode" file mode)
                         (heatls-test-expected-faces file mode)
                         (heatls-test-faces buffer))
      (heatls-test-equal (format "%s: inlay hints in %s mode (%s)" file mode
                                 (if heatls-test-eglot-hints-p "eglot's"
                                   "heatls.el's own"))
                         (heatls-test-expected-hints file mode)
                         (heatls-test-hints buffer)))))

;;;; The hotspots buffer

(defun heatls-test-hotspot-rows (buffer)
  "The rows of the hotspots BUFFER: (FILE LINE GLOBAL LOCAL TIME), in order."
  (with-current-buffer buffer
    (cl-loop for line in (split-string (buffer-string) "\n")
             when (string-match
                   "^\\([^:\n]+\\):\\([0-9]+\\): G\\([0-5]\\) L\\([0-5]\\) \\([0-9.]+s\\) \\(.+\\)$"
                   line)
             collect (list (match-string 1 line)
                           (string-to-number (match-string 2 line))
                           (string-to-number (match-string 3 line))
                           (string-to-number (match-string 4 line))
                           (match-string 5 line)))))

;;;; The session

;; A Go major mode: go-mode when installed, else the stand-in.
(defvar heatls-test-mode
  (if (require 'go-mode nil t) 'go-mode 'heatls-test-go-mode))

(defun heatls-test-run ()
  "All the checks, in order."
  (heatls-test-check "heatls dump lists the three wordfreq files"
                     (= 3 (length heatls-test-points))
                     (format "%S" (mapcar #'car heatls-test-points)))

  ;; The sources, where the profile's paths are not.  One hot line gets a
  ;; comment with characters outside the BMP and Latin-1 at its end: its
  ;; hint must still land at the line's end, whatever the position encoding.
  (dolist (file heatls-test-files)
    (copy-file (expand-file-name (concat "programs/wordfreq/" file)
                                 heatls-test-testdata)
               (expand-file-name file heatls-test-dir) t))
  (with-temp-file (expand-file-name "count.go" heatls-test-dir)
    (insert-file-contents (expand-file-name "count.go" heatls-test-dir))
    (goto-char (point-min))
    (forward-line 23)                   ; line 24: c.counts[w]++
    (end-of-line)
    (insert " // 🔥 héat"))

  (require 'heatls)
  (customize-set-variable 'heatls-modes (list heatls-test-mode))
  (customize-set-variable 'heatls-server-command
                          (list heatls-test-bin "--stdio"))
  ;; The defaults, said again: the levels below are those of `heatls dump'.
  (customize-set-variable 'heatls-initialization-options
                          '(:threshold 0.5 :localScope "function"))
  (heatls-test-check "heatls-modes is registered in eglot-server-programs"
                     (equal (car eglot-server-programs)
                            (cons (list heatls-test-mode) 'heatls-eglot-contact)))
  (global-heatls-mode 1)

  (dolist (file heatls-test-files)
    (with-current-buffer (find-file-noselect
                          (expand-file-name file heatls-test-dir))
      (funcall heatls-test-mode)))
  (heatls-test-check "global-heatls-mode turns heatls-mode on in the Go buffers"
                     (cl-every (lambda (f)
                                 (buffer-local-value 'heatls-mode
                                                     (heatls-test-buffer f)))
                               heatls-test-files))

  ;; eglot, as M-x eglot would start it.
  (with-current-buffer (heatls-test-buffer "main.go")
    (apply #'eglot (eglot--guess-contact)))
  (heatls-test-check
   "eglot starts heatls and manages the three buffers"
   (heatls-test-wait
    (lambda ()
      (cl-every (lambda (f)
                  (with-current-buffer (heatls-test-buffer f)
                    (and (eglot-managed-p)
                         (heatls--heatls-server-p (eglot-current-server)))))
                heatls-test-files))
    20))
  (let ((server (with-current-buffer (heatls-test-buffer "main.go")
                  (eglot-current-server))))
    (heatls-test-check "the server is a heatls-lsp-server"
                       (object-of-class-p server 'heatls-lsp-server)
                       (format "%S" (type-of server)))
    (heatls-test-equal "the initializationOptions are heatls-initialization-options"
                       '(:threshold 0.5 :localScope "function")
                       (eglot-initialization-options server))
    (heatls-test-equal "the client announces workspace/inlayHint/refresh"
                       '(:refreshSupport t)
                       (plist-get (plist-get (eglot-client-capabilities server)
                                             :workspace)
                                  :inlayHint))

    ;; Load the profile, as M-x heatls-load-profile.
    (let* ((summary (with-current-buffer (heatls-test-buffer "main.go")
                      (heatls-load-profile heatls-test-profile)))
           (shown heatls-test-last-message))
      (heatls-test-check "heatls-load-profile answers a summary"
                         (and summary (equal (plist-get summary :path)
                                             heatls-test-profile))
                         (format "%S" summary))
      (heatls-test-equal "the summary counts the three open documents"
                         3 (plist-get summary :documents))
      (heatls-test-check "the summary is shown in the echo area"
                         (string-match-p "cpu\\.pb\\.gz loaded (cpu, total"
                                         (or shown ""))
                         shown))
    (heatls-test-check-mode "both")

    ;; The levels, through the cycle both -> global -> local -> off -> both.
    (dolist (mode '("global" "local" "off" "both"))
      (let ((next (with-current-buffer (heatls-test-buffer "count.go")
                    (heatls-toggle-level))))
        (heatls-test-equal (format "heatls-toggle-level goes to %s" mode)
                           mode next))
      (heatls-test-check-mode mode))

    ;; The hotspots buffer.
    (let* ((buffer (with-current-buffer (heatls-test-buffer "count.go")
                     (heatls-hotspots)))
           (rows (heatls-test-hotspot-rows buffer))
           (local-rows (cl-remove-if-not
                        (lambda (row) (member (car row) heatls-test-files))
                        rows)))
      (heatls-test-check "the hotspots buffer is in a compilation-derived mode"
                         (with-current-buffer buffer
                           (derived-mode-p 'compilation-mode)))
      (heatls-test-equal "the hotspots buffer's folder is the scratch folder"
                         heatls-test-dir
                         (buffer-local-value 'default-directory buffer))
      (heatls-test-check "the hotspots buffer lists the limit of hot lines"
                         (= (length rows) heatls-hotspots-limit)
                         (format "%d rows" (length rows)))
      (heatls-test-equal "the hotspots of the scratch files name the three files"
                         (sort (copy-sequence heatls-test-files) #'string<)
                         (sort (delete-dups (mapcar #'car local-rows)) #'string<))
      (heatls-test-check
       "each hotspot of a scratch file has the line, levels and time of dump"
       (and local-rows
            (cl-every (lambda (row)
                        (let ((point (cdr (assq (nth 1 row)
                                                (cdr (assoc (nth 0 row)
                                                            heatls-test-points))))))
                          (equal (list (nth 0 point) (nth 1 point)
                                       (heatls-test-value (nth 2 point)))
                                 (list (nth 2 row) (nth 3 row) (nth 4 row)))))
                      local-rows))
       (format "%S" local-rows))
      (heatls-test-check "the hottest line comes first"
                         (and rows (= 5 (nth 2 (car rows))))
                         (format "%S" (car rows)))
      ;; next-error visits the first hotspot that is a scratch file.
      (let* ((first (car local-rows))
             (index (cl-position first rows)))
        (heatls-test-equal "compile-goto-error visits the hotspot's file and line"
                           (list (expand-file-name (nth 0 first) heatls-test-dir)
                                 (nth 1 first))
                           (with-current-buffer buffer
                             (goto-char (point-min))
                             (forward-line (+ 2 index))
                             (compile-goto-error)
                             (list (buffer-file-name) (line-number-at-pos))))
        ;; next-error from the top visits the first hotspot.  The whole
        ;; profile's first row may name a file that exists only on some
        ;; machines (Go's runtime sources), and next-error would ask where
        ;; it is: this is done on the hotspots of count.go alone, the list
        ;; that `heatls-hotspots' with a prefix argument shows.
        (let* ((count-buffer (with-current-buffer (heatls-test-buffer "count.go")
                               (heatls-hotspots t)))
               (count-rows (heatls-test-hotspot-rows count-buffer)))
          (heatls-test-equal "the hotspots of count.go name count.go only"
                             '("count.go")
                             (delete-dups (mapcar #'car count-rows)))
          (heatls-test-equal
           "the hotspots of count.go start with its first row of the whole list"
           (assoc "count.go" local-rows) (car count-rows))
          (with-current-buffer count-buffer (goto-char (point-min)))
          (let ((next-error-last-buffer count-buffer))
            (next-error 1 t))
          ;; next-error shows the file in the selected window; the current
          ;; buffer is the one of before.
          (heatls-test-equal "next-error visits the first hotspot"
                             (list (expand-file-name "count.go" heatls-test-dir)
                                   (nth 1 (car count-rows)))
                             (with-current-buffer (window-buffer)
                               (list (buffer-file-name)
                                     (line-number-at-pos (window-point))))))))

    ;; An edit: two lines inserted at the top of count.go move its heat.
    (let ((buffer (heatls-test-buffer "count.go"))
          (expected (mapcar (lambda (face) (cons (+ 2 (car face)) (cdr face)))
                            (heatls-test-expected-faces "count.go" "both")))
          (expected-hints (mapcar (lambda (hint) (cons (+ 2 (car hint)) (cdr hint)))
                                  (heatls-test-expected-hints "count.go" "both"))))
      (with-current-buffer buffer
        (goto-char (point-min))
        (insert "// inserted\n// inserted\n")
        ;; eglot sends the change when Emacs is idle, which batch mode never
        ;; is: send it now.
        (eglot--signal-textDocument/didChange))
      (heatls-test-check
       "after an edit, the server's decorations move with the lines"
       (heatls-test-wait
        (lambda ()
          (equal (mapcar (lambda (l) (1+ (plist-get l :line)))
                         (buffer-local-value 'heatls--lines buffer))
                 (mapcar (lambda (p) (+ 2 (car p)))
                         (sort (cl-remove-if-not
                                (lambda (p) (or (> (nth 1 p) 0) (> (nth 2 p) 0)))
                                (copy-sequence
                                 (cdr (assoc "count.go" heatls-test-points))))
                               (lambda (a b) (< (car a) (car b))))))))
       (format "%S" (buffer-local-value 'heatls--lines buffer)))
      (heatls-test-equal "after an edit, the faces are two lines down"
                         expected (heatls-test-faces buffer))
      (heatls-test-wait (lambda () (equal (heatls-test-hints buffer)
                                          expected-hints)))
      (heatls-test-equal "after an edit, the hints are two lines down"
                         expected-hints (heatls-test-hints buffer)))

    ;; A profile that cannot be loaded: an error message; the heat stays.
    (let* ((missing (expand-file-name "missing.pb.gz" heatls-test-dir))
           (before (heatls-test-faces (heatls-test-buffer "main.go")))
           (summary (with-current-buffer (heatls-test-buffer "main.go")
                      (heatls-load-profile missing)))
           (shown heatls-test-last-message))
      (heatls-test-check "loading a missing profile returns nil" (null summary))
      (heatls-test-check "loading a missing profile shows the server's error"
                         (string-match-p (concat "^heatls: .*"
                                                 (regexp-quote "missing.pb.gz"))
                                         (or shown ""))
                         shown)
      (heatls-test-settle)
      (heatls-test-equal "after a failed load the previous heat stays"
                         before (heatls-test-faces (heatls-test-buffer "main.go"))))

    (heatls-test-equal "heatls-status tells the loaded profile"
                       heatls-test-profile
                       (plist-get (with-current-buffer (heatls-test-buffer "main.go")
                                    (heatls-status))
                                  :path))

    ;; heatls-mode off and on again in one buffer.
    (with-current-buffer (heatls-test-buffer "main.go")
      (heatls-mode -1)
      (heatls-test-equal "heatls-mode off removes the buffer's overlays"
                         nil (heatls-test-faces (current-buffer)))
      (heatls-mode 1)
      (heatls-test-equal "heatls-mode on paints the last decorations again"
                         (heatls-test-expected-faces "main.go" "both")
                         (heatls-test-faces (current-buffer))))

    ;; Clear.
    (heatls-test-check "heatls-clear-profile succeeds"
                       (with-current-buffer (heatls-test-buffer "main.go")
                         (heatls-clear-profile)))
    (heatls-test-wait
     (lambda ()
       (cl-every (lambda (f) (let ((b (heatls-test-buffer f)))
                               (and (null (heatls-test-faces b))
                                    (null (heatls-test-hints b)))))
                 heatls-test-files)))
    (dolist (file heatls-test-files)
      (let ((buffer (heatls-test-buffer file)))
        (heatls-test-equal (format "%s: no heat overlays after clearing" file)
                           nil (heatls-test-faces buffer))
        (heatls-test-equal (format "%s: no inlay hints after clearing" file)
                           nil (heatls-test-hints buffer))))
    (heatls-test-equal "heatls-status tells that no profile is loaded"
                       nil (with-current-buffer (heatls-test-buffer "main.go")
                             (heatls-status)))))

;;;; A capture from a running service

(defun heatls-test-hotspot-lines (server buffer)
  "Per line of BUFFER (1-based), the hotspots of its hottest points.
An alist (LINE . ENTRIES) from heatls.hotspots of that document:
the server's index of the same capture, a way apart from the
decorations.  Ties in cum keep every entry."
  (let ((entries (heatls--execute
                  server "heatls.hotspots"
                  (list :limit 10000 :scope "file"
                        :uri (with-current-buffer buffer
                               (plist-get (eglot--TextDocumentIdentifier) :uri)))))
        best)
    (seq-doseq (entry entries)
      (let* ((line (1+ (plist-get entry :line)))
             (old (assq line best)))
        (cond ((null old) (push (list line entry) best))
              ((> (plist-get entry :cum) (plist-get (cadr old) :cum))
               (setcdr old (list entry)))
              ((= (plist-get entry :cum) (plist-get (cadr old) :cum))
               (setcdr old (cons entry (cdr old)))))))
    best))

(defun heatls-test-painted-as (faces best)
  "Nil if FACES (LINE . FACE) are those of BEST; else what differs."
  (or (cl-loop for (line . face) in faces
               unless (cl-some (lambda (e) (eq face (heatls-level-face
                                                     (plist-get e :global))))
                               (cdr (assq line best)))
               collect (list 'painted line face))
      (cl-loop for (line . entries) in best
               when (and (> (plist-get (car entries) :global) 0)
                         (not (assq line faces)))
               collect (list 'not-painted line (plist-get (car entries) :global)))))

(defun heatls-test-progress (token)
  "The progress reports on TOKEN, oldest first."
  (reverse (cl-remove-if-not (lambda (r) (equal (plist-get r :token) token))
                             heatls--progress-log)))

(defun heatls-test-captured (what server buffer source start)
  "Check the capture WHAT that START began: progress, SOURCE, painting.
START is called with a callback and returns the progress token."
  (let* ((summary 'waiting)
         (messages-before (length heatls-test-messages))
         (eglot-saw nil)
         (own-saw nil)
         (token (with-current-buffer buffer
                  (funcall start (lambda (s) (setq summary s))))))
    (heatls-test-wait
     (lambda ()
       (when (and (fboundp 'eglot--progress-reporters)
                  (gethash token (eglot--progress-reporters server)))
         (setq eglot-saw t))
       (when (nth 2 (gethash token heatls--progress-open))
         (setq own-saw t))
       (not (eq summary 'waiting)))
     30)
    (heatls-test-equal (format "%s: the summary names the source" what)
                       source (and (listp summary) (plist-get summary :path)))
    (let* ((reports (heatls-test-progress token))
           (shown (seq-take heatls-test-messages
                            (- (length heatls-test-messages) messages-before))))
      (heatls-test-check (format "%s: progress begins" what)
                         (equal (plist-get (car reports) :title)
                                "heatls: fetching profile")
                         (format "%S" reports))
      (heatls-test-check
       (format "%s: progress counts the capture's seconds" what)
       (cl-some (lambda (r)
                  (string-match-p "\\`capturing CPU profile: [0-9]+ s of 2\\'"
                                  (or (plist-get r :message) "")))
                reports)
       (format "%S" reports))
      (heatls-test-equal (format "%s: progress ends \"loaded\"" what)
                         '("end" "loaded")
                         (let ((last (car (last reports))))
                           (list (plist-get last :kind) (plist-get last :message))))
      (if (heatls--own-progress-p)
          (heatls-test-check
           (format "%s: heatls.el's progress reporter shows it (eglot 1.9)" what)
           own-saw)
        (heatls-test-check (format "%s: eglot's progress reporter shows it" what)
                           eglot-saw))
      (heatls-test-check (format "%s: the summary is shown" what)
                         (cl-some (lambda (m) (string-prefix-p
                                               (format "heatls: %s loaded (cpu, total" source)
                                               m))
                                  shown)
                         (format "%S" shown)))
    (let ((best (heatls-test-hotspot-lines server buffer))
          diff)
      (heatls-test-wait
       (lambda () (null (setq diff (heatls-test-painted-as
                                    (heatls-test-faces buffer) best))))
       5)
      (heatls-test-check (format "%s: the capture has lines of main.go" what)
                         best)
      (heatls-test-check
       (format "%s: painted lines and levels are those of heatls.hotspots" what)
       (null diff)
       (format "%S\n  painted %S\n  hotspots %S" diff (heatls-test-faces buffer) best)))))

(defun heatls-test-capture ()
  "Capture from pprofsvc, reload, cancel."
  (let ((svc (getenv "HEATLS_PPROFSVC"))
        port process)
    (unless (heatls-test-check "HEATLS_PPROFSVC is the built service"
                               (and svc (file-executable-p svc)) svc)
      (cl-return-from heatls-test-capture))
    ;; It ends when its stdin closes (Emacs exits) or after -life.
    (setq process
          (make-process :name "pprofsvc" :command (list svc "-life" "100s")
                        :connection-type 'pipe :noquery t
                        :filter (lambda (_p out)
                                  (when (string-match "port \\([0-9]+\\)" out)
                                    (setq port (match-string 1 out))))))
    (unless (heatls-test-check "pprofsvc listens on 127.0.0.1"
                               (heatls-test-wait (lambda () port) 10))
      (cl-return-from heatls-test-capture))
    ;; The service's main.go takes the place of wordfreq's (same folder,
    ;; so the same project and server; one main.go open).
    (kill-buffer (heatls-test-buffer "main.go"))
    (copy-file (expand-file-name "programs/pprofsvc/main.go" heatls-test-testdata)
               (expand-file-name "main.go" heatls-test-dir) t)
    (let ((buffer (find-file-noselect (expand-file-name "main.go" heatls-test-dir)))
          (source (format "live: 127.0.0.1:%s cpu 2s" port))
          (url (format "127.0.0.1:%s" port)))
      (with-current-buffer buffer (funcall heatls-test-mode))
      (heatls-test-check "eglot manages the service's main.go"
                         (heatls-test-wait
                          (lambda () (with-current-buffer buffer
                                       (and (eglot-managed-p) heatls-mode)))))
      (let ((server (with-current-buffer buffer (eglot-current-server))))
        (heatls-test-captured
         "heatls-capture-profile" server buffer source
         (lambda (done) (heatls-capture-profile url 2 nil done)))
        (let* ((status (with-current-buffer buffer (heatls-status)))
               (shown heatls-test-last-message))
          (heatls-test-equal "heatls-status names the source"
                             source (plist-get status :path))
          (heatls-test-check "heatls-status shows the source"
                             (string-prefix-p (format "heatls: %s loaded" source)
                                              (or shown ""))
                             shown))
        (heatls-test-captured
         "heatls-reload-profile" server buffer source
         (lambda (done) (heatls-reload-profile done)))
        ;; A 5 s capture cancelled once it reports: the capture stays.
        (let* ((summary 'waiting)
               (token (with-current-buffer buffer
                        (heatls-capture-profile
                         (concat url "/debug/pprof/profile") 5 nil
                         (lambda (s) (setq summary s))))))
          (heatls-test-check
           "a 5 s capture reports progress"
           (heatls-test-wait
            (lambda () (cl-some (lambda (r) (equal (plist-get r :kind) "report"))
                                (heatls-test-progress token)))))
          (heatls-test-equal "heatls-cancel-capture cancels one capture"
                             1 (with-current-buffer buffer (heatls-cancel-capture)))
          (heatls-test-wait (lambda () (not (eq summary 'waiting))))
          (let ((shown heatls-test-last-message))
            (heatls-test-equal "the cancelled capture ends without a summary"
                               nil summary)
            (heatls-test-equal "the cancel is shown"
                               "heatls: cancelled; the previous profile stays"
                               shown))
          (heatls-test-equal "its progress ends"
                             "end" (plist-get (car (last (heatls-test-progress token)))
                                              :kind))
          (heatls-test-equal "after the cancel the previous capture stays"
                             source (plist-get (with-current-buffer buffer
                                                 (heatls-status))
                                               :path)))
        ;; C-u: again and again, on tokens the server makes, until cancelled.
        ;; Go stops the cancelled capture's profiling when it notices the
        ;; closed connection: until then a new CPU capture gets "cpu
        ;; profiling already in use", which would end the repetition.
        (heatls-test-settle 1.5)
        (let* ((before heatls--progress-log)
               (rounds (lambda ()
                         (let (tokens)
                           (cl-loop for r in heatls--progress-log
                                    until (eq r (car before))
                                    when (and (equal (plist-get r :kind) "end")
                                              (equal (plist-get r :message) "loaded"))
                                    do (cl-pushnew (plist-get r :token) tokens
                                                   :test #'equal))
                           (length tokens)))))
          (with-current-buffer buffer
            (heatls-capture-profile url 1 t))
          (heatls-test-check
           "a repeated capture runs three rounds, each with its progress"
           (heatls-test-wait (lambda () (>= (funcall rounds) 3)) 30)
           (format "%d rounds\n  %S\n  %S" (funcall rounds)
                   (cl-loop for r in heatls--progress-log
                            until (eq r (car before)) collect r)
                   (seq-take heatls-test-messages 6)))
          (with-current-buffer buffer (heatls-cancel-capture))
          (heatls-test-settle 0.3)
          (let ((stopped (funcall rounds)))
            (heatls-test-settle 2.5)
            (heatls-test-equal "heatls-cancel-capture ends the repetition"
                               stopped (funcall rounds))))))
    (delete-process process)))

(heatls-test-main (lambda ()
                   (heatls-test-run)
                   (heatls-test-capture)))

;;; test_heatls.el ends here
