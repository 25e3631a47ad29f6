;;; setup.el --- Common start of the Emacs tests of heatls.el  -*- lexical-binding: t; -*-

;;; Commentary:

;; Loaded first by compile.el and by harness.el, which every test_*.el
;; loads (through run.sh, with `emacs --batch -Q').  Makes eglot
;; loadable: Emacs 29 and later have it built in; on Emacs 28 it is
;; Debian's elpa-eglot 1.9, a package under
;; /usr/share/emacs/site-lisp/elpa that `emacs -Q' does not activate.
;; Puts editors/emacs (HEATLS_EMACS_DIR) first on `load-path'.

;;; Code:

(require 'package)

(unless (locate-library "eglot")
  (add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
  (package-initialize))

(unless (locate-library "eglot")
  (message "FAIL: eglot cannot be found (apt-get install elpa-eglot on Emacs 28)")
  (kill-emacs 1))

;; A native-compiling Emacs would compile the .elc files it loads to native
;; code in the background, and a trampoline for each advised primitive (the
;; tests advise `message'): seconds of gcc for nothing.
(dolist (var '(native-comp-jit-compilation
               native-comp-enable-subr-trampolines
               comp-enable-subr-trampolines))
  (when (boundp var)
    (set var nil)))

(defvar heatls-test-elisp-dir (getenv "HEATLS_EMACS_DIR")
  "The folder of heatls.el.")

(unless (and heatls-test-elisp-dir (file-directory-p heatls-test-elisp-dir))
  (message "FAIL: HEATLS_EMACS_DIR is not a folder: %S" heatls-test-elisp-dir)
  (kill-emacs 1))

(add-to-list 'load-path heatls-test-elisp-dir)

(message "Emacs %s, eglot from %s" emacs-version (locate-library "eglot"))

;;; setup.el ends here
