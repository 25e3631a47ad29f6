/*
 * cli_pyroscope.h: `heatls pyroscope --list [flags] URL`, what a Grafana
 * Pyroscope server has: one line per service name ("service\tNAME") and
 * per profile type ("type\tID\tNAME", NAME the Go SDK's or "-"), by the
 * same HTTP driver and calls as the language server's.
 */
#ifndef HEATLS_CLI_PYROSCOPE_H
#define HEATLS_CLI_PYROSCOPE_H

/* argv[0..argc) are the words after "pyroscope". The exit status: 0, 1
 * when the server could not be asked, 2 on a usage error. */
int cli_pyroscope_main(int argc, char **argv);

#endif
