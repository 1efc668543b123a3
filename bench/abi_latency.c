/*
 * abi_latency: times provisionOnDemand calls made through the MgProvisioning C ABI, one by one.
 *
 *   MG_ACCESS_TOKEN=<token> abi_latency <graph-endpoint> <application-id> <job-id> <parameters-json> <calls> [warm-up]
 *
 * Makes <warm-up> untimed calls (default 20), then <calls> timed ones, and prints the wall time
 * of each timed call in microseconds, one a line. A call is timed from mg_call_start to the
 * outcome JSON in hand and the call freed, the same work the PowerShell module does per call.
 * The envelope turns pacing off, so the core sends each call at once.
 *
 * ffi/provision.c is the example to read for using the ABI; this program differs from it only in
 * the pacing member, the timing and the output. Exits with 0 when every call returned
 * MG_STATUS_OK, 1 when a call failed (its outcome goes to standard error), and 2 for bad usage.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mg_provisioning.h"

static double now_microseconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Builds the envelope. The ids are inserted as they are, so they must not need JSON escaping. */
static char *build_envelope(const char *application_id, const char *job_id, const char *parameters_json) {
    const char *format =
        "{\"command\":\"New-MgBetaApplicationSynchronizationJobOnDemand\",\"parameterSet\":\"ProvisionExpanded\","
        "\"apiVersion\":\"beta\",\"root\":\"applications\",\"id\":\"%s\",\"synchronizationJobId\":\"%s\","
        "\"parameters\":%s,\"pacing\":{\"enabled\":false,\"limit\":5,\"windowSeconds\":10}}";
    size_t size = strlen(format) + strlen(application_id) + strlen(job_id) + strlen(parameters_json) + 1;
    char *envelope = malloc(size);
    if (envelope) snprintf(envelope, size, format, application_id, job_id, parameters_json);
    return envelope;
}

/* Runs one call to the end and frees it. On failure the outcome goes to standard error. */
static MgStatus run_call(const MgContext *context, const char *envelope) {
    MgCall *call = NULL;
    MgStatus status = mg_call_start(context, envelope, &call);
    if (status != MG_STATUS_OK) return status;

    do {
        status = mg_call_wait(call, 100);
    } while (status == MG_STATUS_PENDING);

    char *outcome = NULL;
    if (mg_call_outcome(call, &outcome) == MG_STATUS_OK) {
        if (status != MG_STATUS_OK) fprintf(stderr, "%s\n", outcome);
        mg_string_free(outcome);
    }
    mg_call_free(call);
    return status;
}

int main(int argc, char **argv) {
    if (argc < 6 || argc > 7) {
        fprintf(stderr, "usage: MG_ACCESS_TOKEN=<token> %s <graph-endpoint> <application-id> <job-id> <parameters-json> <calls> [warm-up]\n", argv[0]);
        return 2;
    }
    const char *token = getenv("MG_ACCESS_TOKEN");
    if (!token || !*token) {
        fprintf(stderr, "error: MG_ACCESS_TOKEN is not set; export the access token first.\n");
        return 2;
    }
    long calls = strtol(argv[5], NULL, 10);
    long warm_up = argc == 7 ? strtol(argv[6], NULL, 10) : 20;
    if (calls < 1 || warm_up < 0) {
        fprintf(stderr, "error: calls '%s' must be a positive number and warm-up a number of 0 or more.\n", argv[5]);
        return 2;
    }

    MgContext *context = NULL;
    MgStatus status = mg_context_new(argv[1], token, "MgProvisioning-abi-latency/1.0", &context);
    if (status != MG_STATUS_OK) {
        fprintf(stderr, "error: mg_context_new failed with status %d for endpoint '%s'.\n", (int)status, argv[1]);
        return 1;
    }
    char *envelope = build_envelope(argv[2], argv[3], argv[4]);
    if (!envelope) {
        fprintf(stderr, "error: out of memory building the envelope.\n");
        mg_context_free(context);
        return 2;
    }

    int failed = 0;
    for (long i = 0; i < warm_up; i++) {
        if (run_call(context, envelope) != MG_STATUS_OK) failed = 1;
    }

    double *samples = malloc(sizeof(double) * (size_t)calls);
    if (!samples) {
        fprintf(stderr, "error: out of memory for %ld samples.\n", calls);
        free(envelope);
        mg_context_free(context);
        return 2;
    }
    for (long i = 0; i < calls; i++) {
        double started = now_microseconds();
        if (run_call(context, envelope) != MG_STATUS_OK) failed = 1;
        samples[i] = now_microseconds() - started;
    }
    for (long i = 0; i < calls; i++) printf("%.1f\n", samples[i]);

    free(samples);
    free(envelope);
    mg_context_free(context);
    return failed;
}
