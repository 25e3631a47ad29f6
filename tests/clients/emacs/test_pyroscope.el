;;; test_pyroscope.el --- heatls-load-pyroscope in a real Emacs  -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by run.sh with `emacs --batch -Q -l test_pyroscope.el', with the
;; environment of test_heatls.el and HEATLS_PYROSCOPESVC, the stand-in for
;; Grafana Pyroscope (testdata/programs/pyroscopesvc).  Copies wordfreq's
;; sources into the scratch folder, starts eglot with heatls on count.go,
;; runs the stand-in on 127.0.0.1, then calls `heatls-load-pyroscope'
;; interactively with `read-string' and `completing-read' answered (and
;; what they offered recorded): the services and types offered must be the
;; stand-in's, the progress and `heatls-status' must name "pyroscope:
;; checkout cpu now-15m", count.go must be painted as heatls.hotspots
;; says; then the function form with every argument, and a Connect error
;; shown as it came with the profile kept.  Prints "N passed, M failed",
;; exits 1 on a failure.

;;; Code:

(load (expand-file-name "harness.el" (file-name-directory load-file-name)) nil t)

(defvar heatls-test-dir heatls-test-scratch)

(defun heatls-test-hotspot-faces (server buffer)
  "The (LINE . FACE) BUFFER should show: per line its hottest point's level."
  (let* ((uri (with-current-buffer buffer
                (plist-get (eglot--TextDocumentIdentifier) :uri)))
         (entries (heatls--execute server "heatls.hotspots"
                                   (list :limit 10000 :scope "file" :uri uri)))
         best)
    (seq-doseq (e entries)
      (let* ((line (1+ (plist-get e :line)))
             (old (assq line best)))
        (when (or (null old) (> (plist-get e :cum) (plist-get (cdr old) :cum)))
          (setf (alist-get line best) e))))
    (sort (cl-loop for (line . e) in best
                   when (> (plist-get e :global) 0)
                   collect (cons line (intern (format "heatls-level-%d"
                                                      (plist-get e :global)))))
          (lambda (a b) (< (car a) (car b))))))

(defun heatls-test-run ()
  "All the checks, in order."
  (let ((svc (getenv "HEATLS_PYROSCOPESVC"))
        (wordfreq (expand-file-name "programs/wordfreq" heatls-test-testdata))
        port)
    (unless (heatls-test-check "HEATLS_PYROSCOPESVC is the built stand-in"
                               (and svc (file-executable-p svc)) svc)
      (cl-return-from heatls-test-run))
    (make-process :name "pyroscopesvc" :connection-type 'pipe :noquery t
                  :command (list svc "-life" "100s"
                                 "-cpu" (expand-file-name "cpu.pb.gz" wordfreq)
                                 "-heap" (expand-file-name "heap.pb.gz" wordfreq)
                                 "-user" "alice" "-password" "pw-emacs"
                                 "-tenant" "t1")
                  :filter (lambda (_p out)
                            (when (string-match "port \\([0-9]+\\)" out)
                              (setq port (match-string 1 out)))))
    (unless (heatls-test-check "the stand-in listens on 127.0.0.1"
                               (heatls-test-wait (lambda () port)))
      (cl-return-from heatls-test-run))
    (dolist (file '("count.go" "main.go" "tokenize.go"))
      (copy-file (expand-file-name file wordfreq)
                 (expand-file-name file heatls-test-dir) t))
    (require 'heatls)
    (customize-set-variable 'heatls-modes '(heatls-test-go-mode))
    (customize-set-variable 'heatls-server-command (list heatls-test-bin "--stdio"))
    (global-heatls-mode 1)
    (let ((buffer (find-file-noselect (expand-file-name "count.go" heatls-test-dir))))
      (with-current-buffer buffer
        (heatls-test-go-mode)
        (apply #'eglot (eglot--guess-contact)))
      (unless (heatls-test-check
               "eglot starts heatls on count.go"
               (heatls-test-wait (lambda () (with-current-buffer buffer
                                              (eglot-managed-p)))
                                 20))
        (cl-return-from heatls-test-run))
      (let* ((server (with-current-buffer buffer (eglot-current-server)))
             (url (format "http://alice:pw-emacs@127.0.0.1:%s?tenant=t1" port))
             (name "pyroscope: checkout cpu now-15m")
             (answers `(("Pyroscope server" . ,url) ("Service" . "checkout")
                        ("Profile type" . "cpu") ("Range" . "last 15 minutes")))
             offered summary)
        ;; Interactively: the prompts answered, what they offered kept.
        (cl-letf (((symbol-function 'read-string)
                   (lambda (prompt &rest _)
                     (cdr (assoc (car (split-string prompt " (")) answers))))
                  ((symbol-function 'completing-read)
                   (lambda (prompt collection &rest _)
                     (let ((key (string-remove-suffix ": " prompt)))
                       (push (cons key (mapcar (lambda (c) (if (consp c) (car c) c))
                                               collection))
                             offered)
                       (cdr (assoc key answers))))))
          (with-current-buffer buffer
            (let ((args (call-interactively
                         (lambda (&rest a) (interactive (heatls--pyroscope-read)) a))))
              (heatls-test-equal "the answers read" (list url "checkout" "cpu" "now-15m" nil)
                                 args)
              (apply #'heatls-load-pyroscope
                     (append args (list (lambda (s) (setq summary (or s 'failed)))))))))
        (heatls-test-equal "the services offered are the server's"
                           '("checkout" "cart") (cdr (assoc "Service" offered)))
        (heatls-test-equal "the types offered, by their names"
                           '("cpu" "alloc_space" "alloc_objects" "inuse_space" "inuse_objects")
                           (cdr (assoc "Profile type" offered)))
        (heatls-test-equal "five ranges offered" 5 (length (cdr (assoc "Range" offered))))
        (heatls-test-wait (lambda () summary) 20)
        (heatls-test-equal "heatls-load-pyroscope loads the source" name
                           (and (consp summary) (plist-get summary :path)))
        (heatls-test-check "the summary is shown"
                           (cl-some (lambda (m) (string-prefix-p (format "heatls: %s loaded" name) m))
                                    heatls-test-messages)
                           (format "%S" (seq-take heatls-test-messages 5)))
        (heatls-test-check "its progress names the source"
                           (cl-some (lambda (r) (and (equal (plist-get r :kind) "begin")
                                                     (equal (plist-get r :message) name)))
                                    heatls--progress-log)
                           (format "%S" (seq-take heatls--progress-log 5)))
        (let ((want (heatls-test-hotspot-faces server buffer)))
          (heatls-test-wait (lambda () (equal want (heatls-test-faces buffer))) 5)
          (heatls-test-check "count.go is painted as heatls.hotspots says"
                             (and want (equal want (heatls-test-faces buffer)))
                             (format "want %S\n  painted %S" want (heatls-test-faces buffer))))
        (heatls-test-equal "heatls-status names the source"
                           name (plist-get (with-current-buffer buffer (heatls-status)) :path))
        ;; Every argument: nothing asked.
        (setq summary nil)
        (with-current-buffer buffer
          (heatls-load-pyroscope url "cart" "inuse_space" "now-30m" nil
                                 (lambda (s) (setq summary (or s 'failed)))))
        (heatls-test-wait (lambda () summary) 20)
        (heatls-test-equal "the function form loads" "pyroscope: cart inuse_space now-30m"
                           (and (consp summary) (plist-get summary :path)))
        ;; A Connect error as it came; the profile stays.
        (setq summary nil)
        (with-current-buffer buffer
          (heatls-load-pyroscope (format "http://alice:pw-emacs@127.0.0.1:%s/denied?tenant=t1" port)
                                 "checkout" "cpu" "now-1h" nil
                                 (lambda (s) (setq summary (or s 'failed)))))
        (heatls-test-wait (lambda () summary) 10)
        (heatls-test-equal "a Connect error fails the load" 'failed summary)
        (heatls-test-check "it is shown as it came"
                           (cl-some (lambda (m) (string-match-p "Pyroscope answered permission_denied: this tenant may not read profiles" m))
                                    heatls-test-messages)
                           (format "%S" (seq-take heatls-test-messages 5)))
        (heatls-test-equal "the previous profile stays" "pyroscope: cart inuse_space now-30m"
                           (plist-get (with-current-buffer buffer (heatls-status)) :path))
        (heatls-test-check "no message shows the password"
                           (not (cl-some (lambda (m) (string-match-p "pw-emacs" m))
                                         heatls-test-messages)))
        (heatls-test-equal "the source built from a server with a path and a tenant"
                           "pyroscope+https://h:4040/p/?tenant=a&service=a%20b&type=cpu&from=now-1h&until=2024-12-06T04%3A00%3A00Z"
                           (heatls-pyroscope-source "https://h:4040/p/?tenant=a" "a b" "cpu"
                                                    "now-1h" "2024-12-06T04:00:00Z"))))))

(heatls-test-main #'heatls-test-run)

;;; test_pyroscope.el ends here
