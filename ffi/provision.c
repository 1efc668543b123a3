/*
 * provision: calls the MgProvisioning C ABI from C, as any language that can call C would.
 *
 *   MG_ACCESS_TOKEN=<token> provision <graph-endpoint> <application-id> <job-id> <parameters-json> [repeat]
 *
 * Sends <repeat> provisionOnDemand calls (default 1) in the ProvisionExpanded parameter set
 * and prints the outcome JSON of the last one. The token comes from the environment so that it
 * never shows in a process list. Exits with 0 when every call returned MG_STATUS_OK, 1 when a
 * call failed, and 2 for bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_provisioning.h"

/* Appends `text` to `out` as a JSON string literal; returns the new length or -1 if it does not fit. */
static long append_json_string(char *out, size_t size, size_t used, const char *text) {
    if (used + 1 >= size) return -1;
    out[used++] = '"';
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        char escaped[8];
        size_t n;
        if (*p == '"' || *p == '\\') {
            escaped[0] = '\\'; escaped[1] = (char)*p; n = 2;
        } else if (*p < 0x20) {
            n = (size_t)snprintf(escaped, sizeof escaped, "\\u%04x", *p);
        } else {
            escaped[0] = (char)*p; n = 1;
        }
        if (used + n + 2 >= size) return -1;
        memcpy(out + used, escaped, n);
        used += n;
    }
    out[used++] = '"';
    out[used] = '\0';
    return (long)used;
}

/* Builds the request envelope for the ProvisionExpanded parameter set. */
static char *build_envelope(const char *application_id, const char *job_id, const char *parameters_json) {
    size_t size = strlen(application_id) * 6 + strlen(job_id) * 6 + strlen(parameters_json) + 256;
    char *envelope = malloc(size);
    if (!envelope) return NULL;

    long used = snprintf(envelope, size, "{\"parameterSet\":\"ProvisionExpanded\",\"id\":");
    used = append_json_string(envelope, size, (size_t)used, application_id);
    if (used < 0) goto too_long;
    used += snprintf(envelope + used, size - (size_t)used, ",\"synchronizationJobId\":");
    used = append_json_string(envelope, size, (size_t)used, job_id);
    if (used < 0) goto too_long;
    snprintf(envelope + used, size - (size_t)used, ",\"parameters\":%s}", parameters_json);
    return envelope;

too_long:
    free(envelope);
    return NULL;
}

/* Runs one call to the end, waiting in slices so that a caller could stop in between. */
static MgStatus run_call(const MgContext *context, const char *envelope, char **outcome_out) {
    MgCall *call = NULL;
    MgStatus status = mg_call_start(context, envelope, &call);
    if (status != MG_STATUS_OK) return status;

    do {
        status = mg_call_wait(call, 250);
    } while (status == MG_STATUS_PENDING);

    if (mg_call_outcome(call, outcome_out) != MG_STATUS_OK) *outcome_out = NULL;
    mg_call_free(call);
    return status;
}

int main(int argc, char **argv) {
    if (argc < 5 || argc > 6) {
        fprintf(stderr, "usage: MG_ACCESS_TOKEN=<token> %s <graph-endpoint> <application-id> <job-id> <parameters-json> [repeat]\n", argv[0]);
        return 2;
    }
    const char *token = getenv("MG_ACCESS_TOKEN");
    if (!token || !*token) {
        fprintf(stderr, "error: MG_ACCESS_TOKEN is not set; export the access token first.\n");
        return 2;
    }
    long repeat = argc == 6 ? strtol(argv[5], NULL, 10) : 1;
    if (repeat < 1) {
        fprintf(stderr, "error: repeat '%s' is not a positive number.\n", argv[5]);
        return 2;
    }

    MgContext *context = NULL;
    MgStatus status = mg_context_new(argv[1], token, "MgProvisioning-ffi-example/1.0", &context);
    if (status != MG_STATUS_OK) {
        fprintf(stderr, "error: mg_context_new failed with status %d for endpoint '%s'.\n", (int)status, argv[1]);
        return 1;
    }
    char *envelope = build_envelope(argv[2], argv[3], argv[4]);
    if (!envelope) {
        fprintf(stderr, "error: the request is too large to build.\n");
        mg_context_free(context);
        return 2;
    }

    int failed = 0;
    char *outcome = NULL;
    for (long i = 0; i < repeat; i++) {
        mg_string_free(outcome);
        outcome = NULL;
        status = run_call(context, envelope, &outcome);
        if (status != MG_STATUS_OK) failed = 1;
    }
    printf("%s\n", outcome ? outcome : "null");
    fprintf(stderr, "last status: %d\n", (int)status);

    mg_string_free(outcome);
    free(envelope);
    mg_context_free(context);
    return failed;
}
