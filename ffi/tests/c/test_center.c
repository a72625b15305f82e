/*
 * A contact center driven from C through libcallboard: a full 311 day of calls, agents and
 * surveys, with every figure checked against counts this program keeps itself; then every
 * error path: NULL for each pointer, unknown ids, conflicts, out-of-order events, short and
 * misaligned memory, outputs left alone on failure.
 */
#include "callboard.h"
#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2026-11-23T08:00:00Z, a Monday: the center opens. */
#define OPENING_MS 1795420800000ULL
#define MINUTE_MS 60000ULL
#define POTHOLES 311u
#define CALLS 360u

static cb_event event(uint32_t kind, uint64_t at_ms) {
    cb_event e;
    memset(&e, 0, sizeof e);
    e.kind = kind;
    e.at_ms = at_ms;
    return e;
}

static cb_status call_event(cb_center *center, uint32_t kind, uint64_t at_ms, uint64_t call) {
    cb_event e = event(kind, at_ms);
    e.call = call;
    e.queue = POTHOLES;
    return cb_center_apply(center, &e);
}

/* The day's schedule: call i enters at 08:00 + 2i minutes and waits (37 i mod 100) seconds;
 * every seventh caller (i mod 7 == 3) hangs up instead of being answered. */
static uint64_t wait_s(uint32_t i) { return (37u * i) % 100u; }
static int abandons(uint32_t i) { return i % 7u == 3u; }
static uint64_t talk_s(uint32_t i) { return 60u + (53u * i) % 180u; }

typedef struct timed_event {
    cb_event event;
    size_t sequence; /* ties keep the order they were made in: entered before answered */
} timed_event;

static int by_time(const void *left, const void *right) {
    const timed_event *a = left, *b = right;
    if (a->event.at_ms != b->event.at_ms) return a->event.at_ms < b->event.at_ms ? -1 : 1;
    return a->sequence < b->sequence ? -1 : (a->sequence > b->sequence);
}

static void make_center(cb_center **center) {
    cb_center_config config;
    CHECK_STATUS(cb_center_config_default(&config), CB_STATUS_OK);
    config.csat_minimum_sample = 3;
    CHECK_STATUS(cb_center_new(&config, center), CB_STATUS_OK);
    cb_queue_config queue = {20, 0, 0, 5000}; /* 20 s threshold, 5 s short abandons */
    CHECK_STATUS(cb_center_add_queue(*center, POTHOLES, &queue), CB_STATUS_OK);
}

static void a_full_day(void) {
    cb_center *center = NULL;
    make_center(&center);

    /* Agent 7 logs in, joins the queue, goes on a break. */
    cb_event join = event(CB_EVENT_AGENT_JOINED_QUEUE, OPENING_MS - 10 * MINUTE_MS);
    join.agent = 7;
    join.queue = POTHOLES;
    CHECK_STATUS(cb_center_apply(center, &join), CB_STATUS_OK);
    cb_event ready = event(CB_EVENT_AGENT_STATE, OPENING_MS - 9 * MINUTE_MS);
    ready.agent = 7;
    ready.reason = CB_AGENT_AVAILABLE;
    CHECK_STATUS(cb_center_apply(center, &ready), CB_STATUS_OK);
    cb_queue_snapshot snapshot;
    CHECK_STATUS(cb_center_snapshot(center, POTHOLES, &snapshot), CB_STATUS_OK);
    CHECK(snapshot.agents.available == 1 && snapshot.waiting == 0 && !snapshot.has_longest_wait);
    CHECK(snapshot.sl_threshold_ms == 20000);
    cb_event lunch = ready;
    lunch.at_ms = OPENING_MS - 8 * MINUTE_MS;
    lunch.reason = CB_AGENT_NOT_READY;
    lunch.not_ready_reason = 3;
    CHECK_STATUS(cb_center_apply(center, &lunch), CB_STATUS_OK);
    CHECK_STATUS(cb_center_snapshot(center, POTHOLES, &snapshot), CB_STATUS_OK);
    CHECK(snapshot.agents.not_ready == 1 && snapshot.agents.available == 0);

    /* The ACD reports events in time order: build the day's, then sort them. */
    static timed_event events[CALLS * 3u];
    size_t count = 0;
    uint32_t answered = 0, within_sl = 0, abandoned = 0, short_abandoned = 0,
             abandoned_within_sl = 0, first_interval = 0;
    uint64_t answer_wait_s = 0, longest = 0;
    for (uint32_t i = 0; i < CALLS; i++) {
        uint64_t entered = OPENING_MS + 2u * i * MINUTE_MS;
        uint64_t left = entered + wait_s(i) * 1000u;
        cb_event e = event(CB_EVENT_CALL_ENTERED, entered);
        e.call = i + 1u;
        e.queue = POTHOLES;
        events[count].event = e;
        events[count].sequence = count;
        count++;
        if (entered < OPENING_MS + 15u * MINUTE_MS) first_interval++;
        if (wait_s(i) > longest) longest = wait_s(i);
        if (abandons(i)) {
            e = event(CB_EVENT_CALL_ABANDONED, left);
            e.call = i + 1u;
            events[count].event = e;
            events[count].sequence = count;
            count++;
            abandoned++;
            if (wait_s(i) < 5) short_abandoned++;
            else if (wait_s(i) <= 20) abandoned_within_sl++;
        } else {
            e = event(CB_EVENT_CALL_ANSWERED, left);
            e.call = i + 1u;
            events[count].event = e;
            events[count].sequence = count;
            count++;
            e = event(CB_EVENT_CALL_ENDED, left + talk_s(i) * 1000u);
            e.call = i + 1u;
            e.talk_ms = talk_s(i) * 1000u;
            events[count].event = e;
            events[count].sequence = count;
            count++;
            answered++;
            answer_wait_s += wait_s(i);
            if (wait_s(i) <= 20) within_sl++;
        }
    }
    qsort(events, count, sizeof events[0], by_time);
    for (size_t k = 0; k < count; k++) {
        CHECK_STATUS(cb_center_apply(center, &events[k].event), CB_STATUS_OK);
    }
    CHECK_STATUS(cb_center_advance_to(center, OPENING_MS + 12u * 60u * MINUTE_MS + 30u * MINUTE_MS),
                 CB_STATUS_OK);

    cb_period day;
    CHECK_STATUS(cb_center_day(center, POTHOLES, 2026, 11, 23, &day), CB_STATUS_OK);
    CHECK(day.offered == CALLS && day.answered == answered && day.abandoned == abandoned);
    CHECK(day.answered_within_sl == within_sl && day.short_abandoned == short_abandoned);
    CHECK(day.abandoned_within_sl == abandoned_within_sl && day.handled == answered);
    CHECK(day.waiting == 0);
    CHECK(day.defined & CB_PERIOD_SL_ANSWERED);
    CHECK(fabs(day.sl_answered - (double)within_sl / answered) < 1e-12);
    CHECK(fabs(day.asa_seconds - (double)answer_wait_s / answered) < 1e-9);
    CHECK(fabs(day.max_wait_seconds - (double)longest) < 1e-9);
    CHECK(fabs(day.abandon_rate - (double)(abandoned - short_abandoned) /
                                      (CALLS - short_abandoned)) < 1e-12);
    printf("day: %u offered, %u answered (%u within 20 s: SL %.1f %%), %u abandoned, ASA %.1f s\n",
           day.offered, day.answered, day.answered_within_sl, 100.0 * day.sl_answered,
           day.abandoned, day.asa_seconds);

    cb_period interval;
    CHECK_STATUS(cb_center_interval(center, POTHOLES, OPENING_MS, &interval), CB_STATUS_OK);
    CHECK(interval.offered == first_interval && interval.start_ms == OPENING_MS &&
          interval.end_ms == OPENING_MS + 15u * MINUTE_MS);

    /* Surveys about the day: two, then the next morning the board says "not enough"; a third
     * arrives late and the figure appears. */
    cb_survey survey = {OPENING_MS + 60u * MINUTE_MS, 5, {1, 1, 1, 1}, false};
    CHECK_STATUS(cb_center_record_survey(center, &survey), CB_STATUS_OK);
    survey.score = 4;
    survey.answers[2] = -1;
    CHECK_STATUS(cb_center_record_survey(center, &survey), CB_STATUS_OK);
    CHECK_STATUS(cb_center_advance_to(center, OPENING_MS + 25u * 60u * MINUTE_MS), CB_STATUS_OK);
    cb_csat csat;
    CHECK_STATUS(cb_center_previous_day_csat(center, &csat), CB_STATUS_OK);
    CHECK(csat.year == 2026 && csat.month == 11 && csat.day == 23);
    CHECK(csat.status == CB_CSAT_NOT_ENOUGH_RESPONSES && csat.responses == 2);
    CHECK(csat.minimum_sample == 3 && csat.figure == CB_CSAT_MEAN_SCORE);
    survey.score = 3;
    survey.follow_up_requested = true;
    CHECK_STATUS(cb_center_record_survey(center, &survey), CB_STATUS_OK);
    CHECK_STATUS(cb_center_previous_day_csat(center, &csat), CB_STATUS_OK);
    CHECK(csat.status == CB_CSAT_AVAILABLE && csat.responses == 3 && fabs(csat.value - 4.0) < 1e-12);

    cb_diagnostics diagnostics;
    CHECK_STATUS(cb_center_diagnostics(center, &diagnostics), CB_STATUS_OK);
    CHECK(diagnostics.applied == 3u + CALLS + answered * 2u + abandoned);
    CHECK(diagnostics.rejected == 0 && diagnostics.surveys_rejected == 0);

    /* The switch checkpoints, restarts, and restores: nothing of the day is lost. */
    size_t needed = 0, written = 0;
    CHECK_STATUS(cb_center_checkpoint(center, NULL, 0, &needed), CB_STATUS_BUFFER_TOO_SMALL);
    CHECK(needed > 16);
    unsigned char *bytes = malloc(needed);
    CHECK(bytes != NULL);
    CHECK_STATUS(cb_center_checkpoint(center, bytes, needed - 1, &written), CB_STATUS_BUFFER_TOO_SMALL);
    CHECK(written == needed);
    written = 0;
    CHECK_STATUS(cb_center_checkpoint(center, bytes, needed, &written), CB_STATUS_OK);
    CHECK(written == needed);
    cb_center *restarted = NULL;
    cb_center_config defaults;
    CHECK_STATUS(cb_center_config_default(&defaults), CB_STATUS_OK);
    CHECK_STATUS(cb_center_new(&defaults, &restarted), CB_STATUS_OK);
    CHECK_STATUS(cb_center_restore(restarted, bytes, written), CB_STATUS_OK);
    cb_period restored_day;
    CHECK_STATUS(cb_center_day(restarted, POTHOLES, 2026, 11, 23, &restored_day), CB_STATUS_OK);
    CHECK(restored_day.offered == day.offered && restored_day.answered == day.answered);
    CHECK(restored_day.answered_within_sl == day.answered_within_sl);
    CHECK(restored_day.abandoned == day.abandoned && restored_day.asa_seconds == day.asa_seconds);
    cb_csat restored_csat;
    CHECK_STATUS(cb_center_previous_day_csat(restarted, &restored_csat), CB_STATUS_OK);
    CHECK(restored_csat.status == CB_CSAT_AVAILABLE && restored_csat.value == csat.value);
    cb_diagnostics restored_diagnostics;
    CHECK_STATUS(cb_center_diagnostics(restarted, &restored_diagnostics), CB_STATUS_OK);
    CHECK(restored_diagnostics.applied == diagnostics.applied);

    /* Damaged, truncated or missing bytes are refused and change nothing. */
    bytes[written / 2] ^= 0x40;
    CHECK_STATUS(cb_center_restore(restarted, bytes, written), CB_STATUS_INVALID_CHECKPOINT);
    bytes[written / 2] ^= 0x40;
    CHECK_STATUS(cb_center_restore(restarted, bytes, written - 1), CB_STATUS_INVALID_CHECKPOINT);
    CHECK_STATUS(cb_center_restore(restarted, bytes, 0), CB_STATUS_INVALID_CHECKPOINT);
    CHECK_STATUS(cb_center_restore(restarted, NULL, written), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_restore(NULL, bytes, written), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_checkpoint(center, bytes, written, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_checkpoint(NULL, bytes, written, &written), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_day(restarted, POTHOLES, 2026, 11, 23, &restored_day), CB_STATUS_OK);
    CHECK(restored_day.offered == day.offered && restored_day.answered == day.answered);

    /* The switch archives every settled interval, oldest first: together they hold the whole
     * day, and once taken an interval is no longer kept. */
    uint32_t queue = 0, taken = 0, offered = 0, answered_taken = 0;
    uint64_t previous_end = 0;
    cb_period settled;
    CHECK_STATUS(cb_center_pop_settled_interval(restarted, NULL, &settled), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_pop_settled_interval(restarted, &queue, NULL), CB_STATUS_NULL_ARGUMENT);
    while (cb_center_pop_settled_interval(restarted, &queue, &settled) == CB_STATUS_OK) {
        CHECK(queue == POTHOLES);
        CHECK(previous_end == 0 || settled.start_ms == previous_end); /* one unbroken sequence */
        previous_end = settled.end_ms;
        offered += settled.offered;
        answered_taken += settled.answered;
        taken++;
    }
    /* The clock is 25 h after opening, so the ring of CB_MAX_INTERVALS (a day of 15 minutes)
       starts 23 h 45 min before the interval in progress: the calls of the day's first 75
       minutes were evicted (counted), and all the others are in the intervals taken. Of the
       ring, the interval in progress and the one before it (within the 2 s reorder tolerance
       of the clock, which is exactly on a boundary) are not settled yet. */
    uint64_t ring_start = OPENING_MS + 25u * 60u * MINUTE_MS - (CB_MAX_INTERVALS - 1u) * 15u * MINUTE_MS;
    uint32_t kept_calls = 0;
    for (uint32_t i = 0; i < CALLS; i++) kept_calls += OPENING_MS + 2u * i * MINUTE_MS >= ring_start;
    CHECK(taken == CB_MAX_INTERVALS - 2u && offered == kept_calls && kept_calls == CALLS - 38u);
    CHECK(previous_end == OPENING_MS + 25u * 60u * MINUTE_MS - 15u * MINUTE_MS);
    CHECK(answered_taken <= answered);
    cb_diagnostics archived;
    CHECK_STATUS(cb_center_diagnostics(restarted, &archived), CB_STATUS_OK);
    CHECK(archived.intervals_evicted > 0);
    memset(&settled, 0x77, sizeof settled);
    cb_period unwritten = settled;
    CHECK_STATUS(cb_center_pop_settled_interval(restarted, &queue, &settled), CB_STATUS_NOT_KEPT);
    CHECK(memcmp(&settled, &unwritten, sizeof settled) == 0);
    CHECK_STATUS(cb_center_interval(restarted, POTHOLES, OPENING_MS, &settled), CB_STATUS_NOT_KEPT);
    free(bytes);
    cb_center_free(restarted);
    cb_center_free(center);
}

static void errors_change_nothing(void) {
    cb_center *center = NULL;
    make_center(&center);
    cb_center_config config;
    CHECK_STATUS(cb_center_config_default(&config), CB_STATUS_OK);
    cb_queue_config queue = {20, 0, 0, 0};
    cb_event entered = event(CB_EVENT_CALL_ENTERED, OPENING_MS);
    entered.call = 1;
    entered.queue = POTHOLES;
    cb_survey survey = {OPENING_MS, 4, {-1, -1, -1, -1}, false};
    cb_queue_snapshot snapshot;
    cb_period period;
    cb_csat csat;
    cb_diagnostics diagnostics;
    cb_center *made = (cb_center *)(void *)&config; /* a sentinel: must not be overwritten */

    /* NULL for every pointer argument. */
    CHECK_STATUS(cb_center_config_default(NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_new(NULL, &made), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_new(&config, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_init(NULL, 1u << 24, &config, &made), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_add_queue(NULL, 1, &queue), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_add_queue(center, 1, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_apply(NULL, &entered), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_apply(center, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_advance_to(NULL, OPENING_MS), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_snapshot(NULL, POTHOLES, &snapshot), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_snapshot(center, POTHOLES, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_interval(NULL, POTHOLES, OPENING_MS, &period), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_interval(center, POTHOLES, OPENING_MS, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_day(NULL, POTHOLES, 2026, 11, 23, &period), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_day(center, POTHOLES, 2026, 11, 23, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_record_survey(NULL, &survey), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_record_survey(center, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_previous_day_csat(NULL, &csat), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_previous_day_csat(center, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_diagnostics(NULL, &diagnostics), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_diagnostics(center, NULL), CB_STATUS_NULL_ARGUMENT);
    cb_center_free(NULL);
    CHECK(made == (cb_center *)(void *)&config);

    /* Configurations out of range. */
    cb_center_config bad = config;
    bad.interval_minutes = 20;
    CHECK_STATUS(cb_center_new(&bad, &made), CB_STATUS_INVALID_ARGUMENT);
    bad = config;
    bad.dst_rule = 9;
    CHECK_STATUS(cb_center_new(&bad, &made), CB_STATUS_INVALID_ARGUMENT);
    bad = config;
    bad.utc_offset_minutes = 24 * 60;
    CHECK_STATUS(cb_center_new(&bad, &made), CB_STATUS_INVALID_ARGUMENT);
    bad = config;
    bad.csat_scale_lowest = 5;
    bad.csat_scale_highest = 1;
    CHECK_STATUS(cb_center_new(&bad, &made), CB_STATUS_INVALID_ARGUMENT);
    CHECK(made == (cb_center *)(void *)&config);

    /* Queues. */
    CHECK_STATUS(cb_center_add_queue(center, POTHOLES, &queue), CB_STATUS_CONFLICT);
    cb_queue_config rings = {0, 3, 0, 0};
    CHECK_STATUS(cb_center_add_queue(center, 2, &rings), CB_STATUS_INVALID_ARGUMENT);
    for (uint32_t id = 1000; id < 1000 + CB_MAX_QUEUES - 1; id++) {
        CHECK_STATUS(cb_center_add_queue(center, id, &queue), CB_STATUS_OK);
    }
    CHECK_STATUS(cb_center_add_queue(center, 5000, &queue), CB_STATUS_CAPACITY_EXCEEDED);

    /* Nothing to show before the first event. */
    memset(&snapshot, 0x5A, sizeof snapshot);
    cb_queue_snapshot untouched = snapshot;
    CHECK_STATUS(cb_center_snapshot(center, POTHOLES, &snapshot), CB_STATUS_NOT_KEPT);
    CHECK_STATUS(cb_center_previous_day_csat(center, &csat), CB_STATUS_NOT_KEPT);

    /* Events. */
    CHECK_STATUS(cb_center_apply(center, &entered), CB_STATUS_OK);
    CHECK_STATUS(cb_center_apply(center, &entered), CB_STATUS_CONFLICT);
    cb_event e = entered;
    e.call = 2;
    e.queue = 999;
    CHECK_STATUS(cb_center_apply(center, &e), CB_STATUS_UNKNOWN_ID);
    e = entered;
    e.kind = 99;
    CHECK_STATUS(cb_center_apply(center, &e), CB_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(call_event(center, CB_EVENT_CALL_ANSWERED, OPENING_MS + 1000, 77), CB_STATUS_UNKNOWN_ID);
    e = event(CB_EVENT_CALL_DEQUEUED, OPENING_MS + 1000);
    e.call = 1;
    e.reason = 42;
    CHECK_STATUS(cb_center_apply(center, &e), CB_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(call_event(center, CB_EVENT_CALL_ABANDONED, OPENING_MS - 60u * MINUTE_MS, 1),
                 CB_STATUS_OUT_OF_ORDER);
    e = event(CB_EVENT_AGENT_STATE, OPENING_MS + 2000);
    e.agent = 9;
    e.reason = 17;
    CHECK_STATUS(cb_center_apply(center, &e), CB_STATUS_INVALID_ARGUMENT);
    /* The clock never moves back: advancing to the past changes nothing. */
    CHECK_STATUS(cb_center_advance_to(center, OPENING_MS - 60u * MINUTE_MS), CB_STATUS_OK);
    CHECK_STATUS(cb_center_advance_to(center, UINT64_MAX), CB_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(cb_center_snapshot(center, 999, &snapshot), CB_STATUS_UNKNOWN_ID);
    CHECK(memcmp(&snapshot, &untouched, sizeof snapshot) == 0);
    CHECK_STATUS(cb_center_snapshot(center, POTHOLES, &snapshot), CB_STATUS_OK);
    CHECK(snapshot.waiting == 1); /* the refused events changed nothing */

    memset(&period, 0x3C, sizeof period);
    cb_period period_untouched = period;
    CHECK_STATUS(cb_center_interval(center, 999, OPENING_MS, &period), CB_STATUS_UNKNOWN_ID);
    CHECK_STATUS(cb_center_interval(center, POTHOLES, OPENING_MS + 7u, &period), CB_STATUS_NOT_KEPT);
    CHECK_STATUS(cb_center_day(center, POTHOLES, 2026, 2, 30, &period), CB_STATUS_INVALID_ARGUMENT);
    CHECK(memcmp(&period, &period_untouched, sizeof period) == 0);
    /* A queue kept today without a call has a day of zeros, not an error... */
    CHECK_STATUS(cb_center_day(center, 1000, 2026, 11, 23, &period), CB_STATUS_OK);
    CHECK(period.offered == 0 && period.defined == 0);
    memset(&period, 0x3C, sizeof period);
    /* ...but a day before the center's first event is not kept: never a day of zeros. */
    CHECK_STATUS(cb_center_day(center, POTHOLES, 2025, 1, 1, &period), CB_STATUS_NOT_KEPT);
    CHECK(memcmp(&period, &period_untouched, sizeof period) == 0);

    survey.score = 9;
    CHECK_STATUS(cb_center_record_survey(center, &survey), CB_STATUS_INVALID_ARGUMENT);
    survey.score = 4;
    survey.answers[0] = 2;
    CHECK_STATUS(cb_center_record_survey(center, &survey), CB_STATUS_INVALID_ARGUMENT);

    CHECK_STATUS(cb_center_diagnostics(center, &diagnostics), CB_STATUS_OK);
    /* Every event tried is counted once: 1 applied, 7 refused, the unknown kind and the two
       unknown codes among them; both refused surveys too (a score off the scale, an answer
       that is none). */
    CHECK(diagnostics.applied == 1 && diagnostics.rejected == 7 && diagnostics.surveys_rejected == 2);
    cb_center_free(center);
}

static cb_status agent_event(cb_center *center, uint32_t kind, uint64_t at_ms, uint32_t agent,
                             uint32_t state) {
    cb_event e = event(kind, at_ms);
    e.agent = agent;
    e.queue = POTHOLES;
    e.reason = state;
    return cb_center_apply(center, &e);
}

static int near(uint64_t got, uint64_t expected) {
    double d = (double)got - (double)expected;
    return fabs(d) <= 0.01 * (double)expected;
}

/* Expected waits: unknown until the inputs exist, then the queue-length arithmetic, for a new
 * caller and for each caller in line; the measured line rate (the default); Asterisk's
 * announcement as the baseline. */
static void expected_waits(void) {
    cb_center *center = NULL;
    make_center(&center);
    uint64_t t0 = OPENING_MS, ms = 0;
    CHECK_STATUS(cb_center_expected_wait(center, POTHOLES, CB_WAIT_QUEUE_LENGTH_ABANDONMENT, &ms),
                 CB_STATUS_NOT_KEPT);
    for (uint32_t agent = 7; agent <= 8; agent++) {
        CHECK_STATUS(agent_event(center, CB_EVENT_AGENT_JOINED_QUEUE, t0, agent, 0), CB_STATUS_OK);
        CHECK_STATUS(agent_event(center, CB_EVENT_AGENT_STATE, t0, agent, CB_AGENT_AVAILABLE),
                     CB_STATUS_OK);
    }
    /* Two idle agents, no one waiting: no wait. */
    CHECK_STATUS(cb_center_expected_wait(center, POTHOLES, CB_WAIT_QUEUE_LENGTH_ABANDONMENT, &ms),
                 CB_STATUS_OK);
    CHECK(ms == 0);
    /* A caller waits while both agents are still "available": no one serves, so no figure. */
    CHECK_STATUS(call_event(center, CB_EVENT_CALL_ENTERED, t0, 1), CB_STATUS_OK);
    cb_queue_snapshot snapshot;
    CHECK_STATUS(cb_center_snapshot(center, POTHOLES, &snapshot), CB_STATUS_OK);
    CHECK(!snapshot.has_expected_wait);
    ms = 12345;
    CHECK_STATUS(cb_center_expected_wait(center, POTHOLES, CB_WAIT_QUEUE_LENGTH, &ms),
                 CB_STATUS_MISSING_INPUT);
    CHECK(ms == 12345);
    /* Both agents take calls; call 1 ends after 240 s and 30 s of wrap-up: 1/μ = 270 s. */
    cb_event answer = event(CB_EVENT_CALL_ANSWERED, t0 + 30000);
    answer.call = 1;
    answer.agent = 7;
    answer.has_agent = true;
    CHECK_STATUS(cb_center_apply(center, &answer), CB_STATUS_OK);
    CHECK_STATUS(agent_event(center, CB_EVENT_AGENT_STATE, t0 + 30000, 7, CB_AGENT_ON_CALL),
                 CB_STATUS_OK);
    CHECK_STATUS(call_event(center, CB_EVENT_CALL_ENTERED, t0 + 40000, 2), CB_STATUS_OK);
    answer.call = 2;
    answer.agent = 8;
    answer.at_ms = t0 + 45000;
    CHECK_STATUS(cb_center_apply(center, &answer), CB_STATUS_OK);
    CHECK_STATUS(agent_event(center, CB_EVENT_AGENT_STATE, t0 + 45000, 8, CB_AGENT_ON_CALL),
                 CB_STATUS_OK);
    cb_event ended = event(CB_EVENT_CALL_ENDED, t0 + 270000);
    ended.call = 1;
    ended.talk_ms = 240000;
    CHECK_STATUS(cb_center_apply(center, &ended), CB_STATUS_OK);
    CHECK_STATUS(agent_event(center, CB_EVENT_AGENT_STATE, t0 + 270000, 7, CB_AGENT_AFTER_CALL_WORK),
                 CB_STATUS_OK);
    CHECK_STATUS(agent_event(center, CB_EVENT_AGENT_STATE, t0 + 300000, 7, CB_AGENT_ON_CALL),
                 CB_STATUS_OK);
    /* Three callers wait behind two busy agents. */
    for (uint64_t call = 3; call <= 5; call++) {
        CHECK_STATUS(call_event(center, CB_EVENT_CALL_ENTERED, t0 + 300000 + call * 1000, call),
                     CB_STATUS_OK);
    }
    /* No one has given up: θ = 0; a new caller is 4th: 4 × 270 s / 2 agents = 540 s. */
    CHECK_STATUS(cb_center_expected_wait(center, POTHOLES, CB_WAIT_QUEUE_LENGTH, &ms), CB_STATUS_OK);
    CHECK(near(ms, 540000));
    /* The line itself moved faster than that: it had callers for 30 + 5 s and two were
     * answered, one every 17.5 s (17.45 s, the older answer weighing a little less). The
     * default estimator goes by the line: 4 × 17.45 s; the snapshot and the boards show it. */
    CHECK_STATUS(cb_center_expected_wait(center, POTHOLES, CB_WAIT_LINE_RATE, &ms), CB_STATUS_OK);
    CHECK(near(ms, 69800));
    CHECK_STATUS(cb_center_snapshot(center, POTHOLES, &snapshot), CB_STATUS_OK);
    CHECK(snapshot.waiting == 3 && snapshot.has_expected_wait && snapshot.expected_wait_ms == ms);
    CHECK_STATUS(cb_center_expected_wait(center, POTHOLES, CB_WAIT_DEFAULT, &ms), CB_STATUS_OK);
    CHECK(ms == snapshot.expected_wait_ms);
    CHECK_STATUS(cb_center_call_expected_wait(center, 3, CB_WAIT_QUEUE_LENGTH_ABANDONMENT, &ms), CB_STATUS_OK);
    CHECK(near(ms, 135000));
    CHECK_STATUS(cb_center_call_expected_wait(center, 5, CB_WAIT_QUEUE_LENGTH, &ms), CB_STATUS_OK);
    CHECK(near(ms, 405000));
    /* Asterisk's holdtime after waits of 30 and 5 s: 7, then 6 s; (6 + 30) / 60 = 0 minutes. */
    CHECK_STATUS(cb_center_expected_wait(center, POTHOLES, CB_WAIT_ASTERISK, &ms), CB_STATUS_OK);
    CHECK(ms == 0);
    /* Errors: unknown estimator, queue, call; a call not waiting; NULLs. */
    ms = 777;
    CHECK_STATUS(cb_center_expected_wait(center, POTHOLES, 99, &ms), CB_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(cb_center_expected_wait(center, 999, CB_WAIT_QUEUE_LENGTH, &ms), CB_STATUS_UNKNOWN_ID);
    CHECK_STATUS(cb_center_call_expected_wait(center, 999, CB_WAIT_QUEUE_LENGTH, &ms), CB_STATUS_UNKNOWN_ID);
    CHECK_STATUS(cb_center_call_expected_wait(center, 2, CB_WAIT_QUEUE_LENGTH, &ms), CB_STATUS_CONFLICT);
    CHECK(ms == 777);
    CHECK_STATUS(cb_center_expected_wait(NULL, POTHOLES, CB_WAIT_QUEUE_LENGTH, &ms), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_expected_wait(center, POTHOLES, CB_WAIT_QUEUE_LENGTH, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_call_expected_wait(NULL, 3, CB_WAIT_QUEUE_LENGTH, &ms), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_center_call_expected_wait(center, 3, CB_WAIT_QUEUE_LENGTH, NULL), CB_STATUS_NULL_ARGUMENT);
    cb_center_free(center);
}

static void caller_memory(void) {
    cb_center_config config;
    CHECK_STATUS(cb_center_config_default(&config), CB_STATUS_OK);
    size_t size = cb_center_size();
    size_t align = cb_center_align();
    CHECK(size > 0 && align > 0 && (align & (align - 1)) == 0);
    /* Room for the center plus slack to test misalignment. */
    size_t len = size + 2 * align;
    size_t rounded = (len + align - 1) / align * align;
    unsigned char *memory = aligned_alloc(align, rounded);
    CHECK(memory != NULL);
    cb_center *center = NULL;

    CHECK_STATUS(cb_center_init(memory + 1, size + 1, &config, &center), CB_STATUS_MISALIGNED);
    CHECK_STATUS(cb_center_init(memory, size - 1, &config, &center), CB_STATUS_BUFFER_TOO_SMALL);
    CHECK_STATUS(cb_center_init(memory, size, &config, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK(center == NULL);
    CHECK_STATUS(cb_center_init(memory, size, &config, &center), CB_STATUS_OK);
    CHECK(center == (cb_center *)(void *)memory);
    cb_queue_config queue = {20, 3, 6000, 0}; /* "by the third ring" */
    CHECK_STATUS(cb_center_add_queue(center, POTHOLES, &queue), CB_STATUS_OK);
    CHECK_STATUS(call_event(center, CB_EVENT_CALL_ENTERED, OPENING_MS, 1), CB_STATUS_OK);
    cb_queue_snapshot snapshot;
    CHECK_STATUS(cb_center_snapshot(center, POTHOLES, &snapshot), CB_STATUS_OK);
    CHECK(snapshot.waiting == 1 && snapshot.sl_threshold_ms == 18000);
    CHECK_STATUS(cb_center_advance_to(center, OPENING_MS + 4000), CB_STATUS_OK);
    CHECK_STATUS(cb_center_snapshot(center, POTHOLES, &snapshot), CB_STATUS_OK);
    CHECK(snapshot.has_longest_wait && snapshot.longest_wait_ms == 4000);
    cb_center_free(center); /* caller memory: left alone */
    /* Re-initializing the same memory gives an empty center. */
    CHECK_STATUS(cb_center_init(memory, size, &config, &center), CB_STATUS_OK);
    CHECK_STATUS(cb_center_snapshot(center, POTHOLES, &snapshot), CB_STATUS_UNKNOWN_ID);
    free(memory);
}

/* A switch that does not measure talk time ends its calls with CB_TALK_FROM_ANSWER: the talk
 * is from the answer to the end, less the hold. */
static void talk_from_the_answer(void) {
    cb_center *center;
    make_center(&center);
    const uint64_t t0 = 1795420800000ULL; /* 2026-11-23 08:00 UTC */
    CHECK_STATUS(call_event(center, CB_EVENT_CALL_ENTERED, t0, 1), CB_STATUS_OK);
    CHECK_STATUS(call_event(center, CB_EVENT_CALL_ANSWERED, t0 + 10000, 1), CB_STATUS_OK);
    cb_event ended = event(CB_EVENT_CALL_ENDED, t0 + 190000);
    ended.call = 1;
    ended.talk_ms = CB_TALK_FROM_ANSWER;
    ended.hold_ms = 30000;
    CHECK_STATUS(cb_center_apply(center, &ended), CB_STATUS_OK);
    cb_queue_snapshot snapshot;
    CHECK_STATUS(cb_center_snapshot(center, POTHOLES, &snapshot), CB_STATUS_OK);
    CHECK(snapshot.today.handled == 1);
    CHECK((snapshot.today.defined & CB_PERIOD_AHT) != 0);
    /* Handle time is talk and hold: 150 s + 30 s, the 180 s from the answer. */
    CHECK(snapshot.today.aht_seconds == 180.0);
    /* A talk longer than the call is still refused. */
    CHECK_STATUS(call_event(center, CB_EVENT_CALL_ENTERED, t0 + 200000, 2), CB_STATUS_OK);
    CHECK_STATUS(call_event(center, CB_EVENT_CALL_ANSWERED, t0 + 201000, 2), CB_STATUS_OK);
    ended = event(CB_EVENT_CALL_ENDED, t0 + 211000);
    ended.call = 2;
    ended.talk_ms = CB_TALK_FROM_ANSWER - 1;
    CHECK(cb_center_apply(center, &ended) != CB_STATUS_OK);
    cb_center_free(center);
}

int main(void) {
    a_full_day();
    talk_from_the_answer();
    errors_change_nothing();
    caller_memory();
    expected_waits();
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    puts("test_center: all checks passed");
    return 0;
}
