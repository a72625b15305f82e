/*
 * replay_events.c: a recorded replay fed through the C ABI, for the differential test
 * (tests/differential.rs).
 *
 * Reads from stdin what `callboard report`'s replay handed its center, one item a line:
 *   C utc_offset_minutes dst_rule interval_minutes attribution reorder_tolerance_ms max_jump_ms
 *   Q queue sl_seconds short_abandon_ms
 *   E at_ms kind call queue has_queue agent has_agent priority reason not_ready talk hold taken
 * then the periods to print, among the events:
 *   T now_ms                  the clock moved to now_ms with no event (cb_center_advance_to)
 *   I queue start_ms          an interval
 *   D queue year month day    a local day
 * and prints each period's counts and figures on one line ("nan" for a figure not defined).
 * Every event must be taken or refused as the Rust replay's center did: a disagreement is
 * printed and the program exits 1.
 */
#include "callboard.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_period(const char *what, const cb_period *p) {
    const double figures[10] = {p->sl_answered, p->sl_offered, p->sl_abandons_ignored,
                                p->sl_abandons_positive, p->asa_seconds, p->aht_seconds,
                                p->average_abandon_seconds, p->max_wait_seconds,
                                p->abandon_rate, p->occupancy};
    printf("%s %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32
           " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32,
           what, p->offered, p->answered, p->answered_within_sl, p->abandoned, p->short_abandoned,
           p->abandoned_within_sl, p->dequeued, p->transferred_out, p->waiting,
           p->waiting_past_sl, p->handled);
    for (int i = 0; i < 10; i++) {
        if (p->defined & (1u << i)) {
            printf(" %.17g", figures[i]);
        } else {
            printf(" nan");
        }
    }
    printf("\n");
}

int main(void) {
    cb_center *center = NULL;
    char line[512];
    unsigned long events = 0, disagreements = 0;
    while (fgets(line, sizeof line, stdin)) {
        if (line[0] == 'C') {
            cb_center_config config;
            long offset;
            unsigned dst, minutes, attribution;
            unsigned long long tolerance, jump;
            if (sscanf(line, "C %ld %u %u %u %llu %llu", &offset, &dst, &minutes, &attribution,
                       &tolerance, &jump) != 6 ||
                cb_center_config_default(&config) != CB_STATUS_OK) {
                fprintf(stderr, "bad line: %s", line);
                return 2;
            }
            config.utc_offset_minutes = (int32_t)offset;
            config.dst_rule = dst;
            config.interval_minutes = minutes;
            config.attribution = attribution;
            config.reorder_tolerance_ms = tolerance;
            config.max_clock_jump_ms = jump;
            cb_status status = cb_center_new(&config, &center);
            if (status != CB_STATUS_OK) {
                fprintf(stderr, "cb_center_new: %s\n", cb_status_str(status));
                return 2;
            }
        } else if (line[0] == 'Q') {
            unsigned queue, sl_seconds;
            unsigned long long short_abandon;
            cb_queue_config config;
            memset(&config, 0, sizeof config);
            if (sscanf(line, "Q %u %u %llu", &queue, &sl_seconds, &short_abandon) != 3) {
                fprintf(stderr, "bad line: %s", line);
                return 2;
            }
            config.sl_seconds = sl_seconds;
            config.short_abandon_ms = short_abandon;
            cb_status status = cb_center_add_queue(center, queue, &config);
            if (status != CB_STATUS_OK) {
                fprintf(stderr, "cb_center_add_queue %u: %s\n", queue, cb_status_str(status));
                return 1;
            }
        } else if (line[0] == 'E') {
            cb_event e;
            unsigned long long at, call, talk, hold;
            unsigned kind, queue, has_queue, agent, has_agent, priority, reason, not_ready, taken;
            memset(&e, 0, sizeof e);
            if (sscanf(line, "E %llu %u %llu %u %u %u %u %u %u %u %llu %llu %u", &at, &kind, &call,
                       &queue, &has_queue, &agent, &has_agent, &priority, &reason, &not_ready,
                       &talk, &hold, &taken) != 13) {
                fprintf(stderr, "bad line: %s", line);
                return 2;
            }
            e.at_ms = at;
            e.kind = kind;
            e.call = call;
            e.queue = queue;
            e.has_queue = has_queue != 0;
            e.agent = agent;
            e.has_agent = has_agent != 0;
            e.priority = (uint8_t)priority;
            e.reason = reason;
            e.not_ready_reason = (uint16_t)not_ready;
            e.talk_ms = talk;
            e.hold_ms = hold;
            cb_status status = cb_center_apply(center, &e);
            events++;
            if ((status == CB_STATUS_OK) != (taken != 0)) {
                disagreements++;
                printf("disagree at event %lu: %s, the replay %s it\n", events,
                       cb_status_str(status), taken ? "took" : "refused");
            }
        } else if (line[0] == 'T') {
            unsigned long long now;
            if (sscanf(line, "T %llu", &now) != 1) return 2;
            cb_status status = cb_center_advance_to(center, now);
            if (status != CB_STATUS_OK) {
                printf("T %llu %s\n", now, cb_status_str(status));
                disagreements++;
            }
        } else if (line[0] == 'I') {
            unsigned queue;
            unsigned long long start;
            cb_period period;
            char what[64];
            if (sscanf(line, "I %u %llu", &queue, &start) != 2) return 2;
            cb_status status = cb_center_interval(center, queue, start, &period);
            snprintf(what, sizeof what, "I %u %llu", queue, start);
            if (status != CB_STATUS_OK) {
                printf("%s %s\n", what, cb_status_str(status));
            } else {
                print_period(what, &period);
            }
        } else if (line[0] == 'D') {
            unsigned queue, month, day;
            int year;
            cb_period period;
            char what[64];
            if (sscanf(line, "D %u %d %u %u", &queue, &year, &month, &day) != 4) return 2;
            cb_status status =
                cb_center_day(center, queue, year, (uint8_t)month, (uint8_t)day, &period);
            snprintf(what, sizeof what, "D %u %d %u %u", queue, year, month, day);
            if (status != CB_STATUS_OK) {
                printf("%s %s\n", what, cb_status_str(status));
            } else {
                print_period(what, &period);
            }
        }
    }
    fprintf(stderr, "%lu events, %lu disagreements\n", events, disagreements);
    cb_center_free(center);
    return disagreements == 0 ? 0 : 1;
}
