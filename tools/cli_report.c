/* ctune report: the HTML report of a results file or a study (docs/report.md). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage_report(FILE *f)
{
    fprintf(f, "usage: ctune report RESULTS.json|STUDY -o REPORT.html\n"
               "\n"
               "Writes one self-contained HTML page (inline SVG and CSS, no script, no\n"
               "external file) with the plots of a search: optimization history,\n"
               "parallel coordinates, slices, parameter importances, learning curves\n"
               "and rungs when recorded, pruned trials, and the ranked table.\n"
               "\n"
               "  RESULTS.json         results written by 'ctune search --results FILE.json'\n"
               "  STUDY                or a study file ('ctune search --study FILE'), told\n"
               "                       by its content; read only, also while in progress\n"
               "  -o, --output FILE    the page to write (replaced atomically)\n");
}

int cli_cmd_report(int argc, char **argv)
{
    const char *input = NULL, *output = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage_report(stdout);
            return CLI_OK;
        }
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("report", "%s needs a file name", a);
            if (output)
                return cli_usage_error("report", "the output is given twice");
            output = argv[++i];
        } else if (strncmp(a, "--output=", 9) == 0) {
            if (output)
                return cli_usage_error("report", "the output is given twice");
            output = a + 9;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("report", "unknown option '%s'", a);
        } else if (input) {
            return cli_usage_error("report", "unexpected argument '%s' (one results file or study)",
                                   a);
        } else {
            input = a;
        }
    }
    if (!input)
        return cli_usage_error("report", "needs a results file (RESULTS.json) or a study file");
    if (!output)
        return cli_usage_error("report", "needs -o REPORT.html");
    if (cli_is_stdout(output))
        return cli_usage_error("report", "the report is a file: give -o REPORT.html");
    const cli_path in[] = {{"results", input, 0}};
    const cli_path out[] = {{"output", output, 0}};
    int rc = cli_check_paths("report", in, 1, out, 1);
    if (rc != CLI_OK)
        return rc;
    if (ctune_report_write(input, output) != CTUNE_OK)
        return cli_fail("report");
    return CLI_OK;
}
