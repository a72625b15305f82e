/*
 * The staffing functions of libcallboard, driven from C: figures against values computed in
 * arbitrary precision (Python mpmath, closed forms), and every error path.
 */
#include "callboard.h"
#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int close_to(double actual, double expected, double relative) {
    return fabs(actual - expected) <= relative * fabs(expected);
}

static cb_erlang_query erlang_c_storm(void) {
    /* 1,200 calls an hour of 240 s: 80 erlangs; 80 % within 20 s. */
    cb_erlang_query query = {CB_MODEL_ERLANG_C, 80.0, 240.0, 0.0, 20.0};
    return query;
}

static void version_and_statuses(void) {
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", CB_VERSION_MAJOR, CB_VERSION_MINOR,
             CB_VERSION_PATCH);
    CHECK(strcmp(cb_version(), expected) == 0);
    for (uint32_t status = 0; status < 300; status++) {
        CHECK(cb_status_str(status) != NULL);
    }
    CHECK(strcmp(cb_status_str(CB_STATUS_OK), "success") == 0);
    CHECK(strcmp(cb_status_str(77), "unknown status") == 0);
}

static void evaluations(void) {
    cb_erlang_query query = erlang_c_storm();
    cb_figures figures;
    CHECK_STATUS(cb_erlang_evaluate(&query, 86.0, &figures), CB_STATUS_OK);
    CHECK(close_to(figures.p_wait, 0.402388622184180108, 1e-12));
    CHECK(close_to(figures.service_level, 0.755938963525771639, 1e-12));
    CHECK(close_to(figures.asa_seconds, 16.0955448873672043, 1e-12));
    CHECK(figures.defined == (CB_FIGURE_P_WAIT | CB_FIGURE_SERVICE_LEVEL | CB_FIGURE_ASA |
                              CB_FIGURE_MEAN_WAIT_ALL | CB_FIGURE_OCCUPANCY));
    CHECK(figures.p_abandon == 0.0 && figures.p_block == 0.0);

    cb_erlang_query trunks = {CB_MODEL_ERLANG_B, 10.0, 0.0, 0.0, -1.0};
    CHECK_STATUS(cb_erlang_evaluate(&trunks, 15.0, &figures), CB_STATUS_OK);
    CHECK(close_to(figures.p_block, 0.0364969454723707903, 1e-12));
    CHECK(figures.defined == (CB_FIGURE_P_BLOCK | CB_FIGURE_OCCUPANCY));

    double offered = -1.0, carried = -1.0;
    CHECK_STATUS(cb_erlang_b_traffic(15.0, 0.01, &offered, &carried), CB_STATUS_OK);
    CHECK(close_to(offered, 8.10804279718445186, 1e-12));
    CHECK(close_to(carried, offered * 0.99, 1e-12));

    /* Erlang A beyond saturation: 120 erlangs on 100 agents, 2-minute patience. */
    cb_erlang_query surge = {CB_MODEL_ERLANG_A, 120.0, 300.0, 120.0, 30.0};
    CHECK_STATUS(cb_erlang_evaluate(&surge, 100.0, &figures), CB_STATUS_OK);
    CHECK(figures.defined & CB_FIGURE_P_ABANDON);
    CHECK(figures.p_abandon > 1.0 / 6.0 && figures.p_abandon < 1.0);
    CHECK(close_to(figures.occupancy, 1.2 * (1.0 - figures.p_abandon), 1e-12));
}

static void staffing(void) {
    cb_erlang_query query = erlang_c_storm();
    cb_targets targets;
    memset(&targets, 0, sizeof targets);
    targets.given = CB_TARGET_SERVICE_LEVEL;
    targets.service_level = 0.8;
    cb_staffing plan;
    CHECK_STATUS(cb_erlang_staff(&query, &targets, 0.3, &plan), CB_STATUS_OK);
    CHECK(plan.agents == 87 && plan.scheduled_agents == 125);
    CHECK(plan.has_fractional && plan.agents_fractional > 86.0 && plan.agents_fractional < 87.0);
    CHECK(close_to(plan.figures.service_level, 0.810844381483902607, 1e-12));

    cb_erlang_query patient = {CB_MODEL_ERLANG_A, 80.0, 240.0, 180.0, 20.0};
    cb_staffing with_abandonment;
    CHECK_STATUS(cb_erlang_staff(&patient, &targets, 0.3, &with_abandonment), CB_STATUS_OK);
    CHECK(with_abandonment.agents < plan.agents && !with_abandonment.has_fractional);
}

static void errors_leave_outputs_alone(void) {
    cb_erlang_query query = erlang_c_storm();
    cb_targets targets;
    memset(&targets, 0, sizeof targets);
    cb_figures figures;
    memset(&figures, 0xAB, sizeof figures);
    cb_figures untouched = figures;
    cb_staffing plan;
    memset(&plan, 0xCD, sizeof plan);
    cb_staffing plan_untouched = plan;

    CHECK_STATUS(cb_erlang_evaluate(NULL, 86.0, &figures), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_erlang_evaluate(&query, 86.0, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_erlang_evaluate(&query, 80.0, &figures), CB_STATUS_MODEL_UNDEFINED);
    CHECK_STATUS(cb_erlang_evaluate(&query, -1.0, &figures), CB_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(cb_erlang_evaluate(&query, NAN, &figures), CB_STATUS_INVALID_ARGUMENT);
    cb_erlang_query bad = query;
    bad.model = 9;
    CHECK_STATUS(cb_erlang_evaluate(&bad, 86.0, &figures), CB_STATUS_INVALID_ARGUMENT);
    bad = query;
    bad.traffic_erlangs = -3.0;
    CHECK_STATUS(cb_erlang_evaluate(&bad, 86.0, &figures), CB_STATUS_INVALID_ARGUMENT);
    bad = query;
    bad.target_seconds = NAN;
    CHECK_STATUS(cb_erlang_evaluate(&bad, 86.0, &figures), CB_STATUS_INVALID_ARGUMENT);
    bad.model = CB_MODEL_ERLANG_A;
    bad.target_seconds = 20.0;
    bad.patience_seconds = 0.0;
    CHECK_STATUS(cb_erlang_evaluate(&bad, 86.0, &figures), CB_STATUS_INVALID_ARGUMENT);
    bad.patience_seconds = 60.0;
    CHECK_STATUS(cb_erlang_evaluate(&bad, 86.5, &figures), CB_STATUS_INVALID_ARGUMENT);
    bad.handle_seconds = 0.0;
    CHECK_STATUS(cb_erlang_evaluate(&bad, 86.0, &figures), CB_STATUS_MISSING_INPUT);
    CHECK(memcmp(&figures, &untouched, sizeof figures) == 0);

    /* A misaligned out-parameter is refused, not written. */
    _Alignas(cb_figures) unsigned char buffer[sizeof(cb_figures) + 8];
    memset(buffer, 0x11, sizeof buffer);
    CHECK_STATUS(cb_erlang_evaluate(&query, 86.0, (cb_figures *)(void *)(buffer + 1)),
                 CB_STATUS_MISALIGNED);
    for (size_t i = 0; i < sizeof buffer; i++) CHECK(buffer[i] == 0x11);

    CHECK_STATUS(cb_erlang_staff(NULL, &targets, 0.0, &plan), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_erlang_staff(&query, NULL, 0.0, &plan), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_erlang_staff(&query, &targets, 0.0, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_erlang_staff(&query, &targets, 0.0, &plan), CB_STATUS_MISSING_INPUT);
    targets.given = CB_TARGET_MAX_P_ABANDON;
    targets.max_p_abandon = 0.05;
    CHECK_STATUS(cb_erlang_staff(&query, &targets, 0.0, &plan), CB_STATUS_INVALID_ARGUMENT);
    targets.given = 1u << 20;
    CHECK_STATUS(cb_erlang_staff(&query, &targets, 0.0, &plan), CB_STATUS_INVALID_ARGUMENT);
    targets.given = CB_TARGET_MAX_OCCUPANCY;
    targets.max_occupancy = 1e-9;
    CHECK_STATUS(cb_erlang_staff(&query, &targets, 0.0, &plan), CB_STATUS_UNREACHABLE);
    targets.max_occupancy = 0.9;
    CHECK_STATUS(cb_erlang_staff(&query, &targets, 1.0, &plan), CB_STATUS_INVALID_ARGUMENT);
    targets.given = CB_TARGET_SERVICE_LEVEL;
    targets.service_level = 0.8;
    query.target_seconds = -1.0;
    CHECK_STATUS(cb_erlang_staff(&query, &targets, 0.0, &plan), CB_STATUS_MISSING_INPUT);
    CHECK(memcmp(&plan, &plan_untouched, sizeof plan) == 0);

    double offered = 5.0, carried = 5.0;
    CHECK_STATUS(cb_erlang_b_traffic(15.0, 0.01, NULL, &carried), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_erlang_b_traffic(0.0, 0.01, &offered, &carried), CB_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(cb_erlang_b_traffic(15.0, 1.5, &offered, &carried), CB_STATUS_INVALID_ARGUMENT);
    CHECK(offered == 5.0 && carried == 5.0);
}

int main(void) {
    version_and_statuses();
    evaluations();
    staffing();
    errors_leave_outputs_alone();
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    puts("test_erlang: all checks passed");
    return 0;
}
