;;; compile.el --- heatls.el byte-compiles without a warning and loads  -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by run.sh with `emacs --batch -Q -l compile.el'.  Compiles every .el
;; file of editors/emacs with `byte-compile-error-on-warn', into the scratch
;; folder (the source folder stays clean), loads the .elc files, and
;; generates the package's autoloads to check that the commands have their
;; cookies.  Prints "N passed, M failed"; exits 1 on a failure.

;;; Code:

(load (expand-file-name "setup.el" (file-name-directory load-file-name)) nil t)

(require 'cl-lib)

(let* ((out (expand-file-name "elc" (getenv "HEATLS_TMP")))
       (files (directory-files heatls-test-elisp-dir t "\\.el\\'"))
       (passed 0) (failed 0))
  (make-directory out t)
  (cl-flet ((check (name ok)
              (if ok
                  (progn (setq passed (1+ passed)) (message "ok: %s" name))
                (setq failed (1+ failed))
                (message "FAIL: %s" name))))
    ;; Compile: every warning is an error.
    (dolist (file files)
      (let ((byte-compile-error-on-warn t)
            (byte-compile-dest-file-function
             (lambda (f) (expand-file-name (concat (file-name-nondirectory f) "c")
                                      out))))
        (check (format "%s byte-compiles without warnings"
                       (file-name-nondirectory file))
               (eq (byte-compile-file file) t))))
    ;; Load what was compiled.
    (let ((load-path (cons out load-path)))
      (check "heatls.elc loads"
             (condition-case err
                 (progn (load (expand-file-name "heatls.elc" out) nil t)
                        (featurep 'heatls))
               (error (message "%S" err) nil))))
    ;; The autoloads name the commands and modes.
    (let ((pkg (expand-file-name "pkg" out)))
      (make-directory pkg t)
      (dolist (file files) (copy-file file (file-name-as-directory pkg) t))
      (package-generate-autoloads "heatls" pkg)
      (let ((text (with-temp-buffer
                    (insert-file-contents
                     (expand-file-name "heatls-autoloads.el" pkg))
                    (buffer-string))))
        (dolist (fn '(heatls-mode global-heatls-mode heatls-load-profile
                      heatls-clear-profile heatls-hotspots heatls-toggle-level
                      heatls-status heatls-capture-profile
                      heatls-reload-profile heatls-cancel-capture))
          (check (format "autoload for %s" fn)
                 (string-match-p (format "(autoload '%s " fn) text))))))
  (message "%d passed, %d failed" passed failed)
  (kill-emacs (if (zerop failed) 0 1)))

;;; compile.el ends here
