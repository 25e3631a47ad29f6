/*
 * lsp_main.h: the language server's entry point.
 */
#ifndef HEATLS_SRV_LSP_MAIN_H
#define HEATLS_SRV_LSP_MAIN_H

/* 1 when argv asks for the language server: no arguments, or a first
 * argument of --stdio, --log-level or --max-message. */
int srv_lsp_is_invocation(int argc, char **argv);

/* Serves LSP on stdin/stdout until exit; returns the exit status. */
int srv_lsp_main(int argc, char **argv);

#endif
