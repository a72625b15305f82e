/* A hostile caller of libcallboard (GNU C11: POSIX clocks, statement expressions), built with AddressSanitizer and UndefinedBehaviorSanitizer:
 * seeded random events (any kind and code, ids past every capacity, time going back, years
 * ahead, the end of time), every read for periods kept, evicted, never seen and in the future,
 * checkpoints with bytes changed and the CRC recomputed, the staffing functions over absurd
 * but finite inputs, NaN and infinities, and an SLA tracker at any instant. After every call: never CB_STATUS_PANIC, outputs
 * written only on success, every event counted once, and every figure read adds up.
 *
 * CB_HOSTILE_EVENTS (default 20000), CB_HOSTILE_CHECKPOINTS (default 200) and CB_HOSTILE_SEED
 * set the run; scripts/hostile runs it long. The slowest call of each function is printed, not
 * asserted. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "callboard.h"
#include "check.h"

#define T0 1795420800000ull /* 2026-11-23T08:00:00Z */
#define DAY_MS 86400000ull
#define YEAR_MS (365ull * DAY_MS)
#define MAX_TIMESTAMP 253402300799999ull

static uint64_t rng_state;

/* xorshift64*: small, seeded, the same on every machine. */
static uint64_t next_random(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static uint64_t below(uint64_t n) { return n == 0 ? 0 : next_random() % n; }

/* The slowest call seen of each function, printed at the end (measured, never asserted). */
#define MAX_TIMED 32
static struct {
    const char *name;
    double slowest_ms;
} timed[MAX_TIMED];

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void record_time(const char *name, double took) {
    for (int i = 0; i < MAX_TIMED; i++) {
        if (timed[i].name == NULL) timed[i].name = name;
        if (timed[i].name == name || strcmp(timed[i].name, name) == 0) {
            if (took > timed[i].slowest_ms) timed[i].slowest_ms = took;
            return;
        }
    }
}

/* Times a call, checks it did not panic, and gives its status. */
#define TIMED(name, call)                          \
    ({                                             \
        double started_ = now_ms();                \
        cb_status status_ = (call);                \
        record_time(name, now_ms() - started_);    \
        CHECK(status_ != CB_STATUS_PANIC);         \
        status_;                                   \
    })

static uint64_t env_or(const char *name, uint64_t fallback) {
    const char *value = getenv(name);
    return value ? strtoull(value, NULL, 10) : fallback;
}

/* CRC-32 (IEEE 802.3, the zlib CRC), written here from its definition. */
static uint32_t crc32(const uint8_t *bytes, size_t len) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= bytes[i];
        for (int bit = 0; bit < 8; bit++) crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return ~crc;
}

static int ratio_ok(const cb_period *p, uint32_t bit, double value) {
    return !(p->defined & bit) || (value >= 0.0 && value <= 1.0);
}

/* What every period read must satisfy. */
static void check_period(const cb_period *p) {
    uint64_t outcomes = (uint64_t)p->answered + p->abandoned + p->dequeued + p->transferred_out +
                        p->waiting;
    CHECK(outcomes == p->offered);
    CHECK(p->answered_within_sl <= p->answered);
    CHECK((uint64_t)p->short_abandoned + p->abandoned_within_sl <= p->abandoned);
    CHECK(p->waiting_past_sl <= p->waiting);
    CHECK(p->handled <= p->answered);
    CHECK(p->start_ms < p->end_ms);
    CHECK(ratio_ok(p, CB_PERIOD_SL_ANSWERED, p->sl_answered));
    CHECK(ratio_ok(p, CB_PERIOD_SL_OFFERED, p->sl_offered));
    CHECK(ratio_ok(p, CB_PERIOD_SL_ABANDONS_IGNORED, p->sl_abandons_ignored));
    CHECK(ratio_ok(p, CB_PERIOD_SL_ABANDONS_POSITIVE, p->sl_abandons_positive));
    CHECK(ratio_ok(p, CB_PERIOD_ABANDON_RATE, p->abandon_rate));
    CHECK(ratio_ok(p, CB_PERIOD_OCCUPANCY, p->occupancy));
    if ((p->defined & CB_PERIOD_ASA) && (p->defined & CB_PERIOD_MAX_WAIT)) {
        CHECK(p->asa_seconds <= p->max_wait_seconds + 1e-9);
    }
}

static cb_center *make_center(uint32_t attribution, uint64_t jump) {
    cb_center_config config;
    CHECK_STATUS(cb_center_config_default(&config), CB_STATUS_OK);
    config.utc_offset_minutes = -300;
    config.dst_rule = CB_DST_US;
    config.attribution = attribution;
    config.max_clock_jump_ms = jump;
    cb_center *center = NULL;
    CHECK_STATUS(cb_center_new(&config, &center), CB_STATUS_OK);
    cb_queue_config queue = {.sl_seconds = 20, .sl_rings = 0, .ring_cadence_ms = 0,
                             .short_abandon_ms = 5000};
    for (uint32_t q = 0; q < 3; q++) CHECK_STATUS(cb_center_add_queue(center, q, &queue), CB_STATUS_OK);
    return center;
}

static uint64_t move_time(uint64_t now) {
    switch (below(400)) {
        case 0: return now > 2 * YEAR_MS ? now - below(2 * YEAR_MS) : 0;
        case 1: return now + (1 + below(9000)) * YEAR_MS;
        case 2: return MAX_TIMESTAMP;
        case 3: return UINT64_MAX;
        case 4: return next_random();
        case 5: case 6: case 7: case 8: case 9: case 10: case 11: case 12:
            return now > 10000 ? now - below(10000) : now;
        default: return now + below(below(8) == 0 ? 4 * 3600000ull : 90000ull);
    }
}

static cb_event random_event(uint64_t at) {
    cb_event e;
    memset(&e, 0, sizeof e);
    e.at_ms = at;
    /* Mostly the kinds that build state (entries, answers, ends, agents working), so that
       sequences go deep; now and then anything at all. */
    static const uint32_t kinds[] = {1, 1, 1, 1, 2, 2, 2, 3, 4, 5, 6, 6, 6, 7, 7, 8, 8, 8, 9, 9, 10};
    e.kind = below(50) == 0 ? (uint32_t)next_random() : kinds[below(sizeof kinds / sizeof kinds[0])];
    e.call = below(64) == 0 ? next_random() : below(12);
    e.queue = (uint32_t)(below(64) == 0 ? next_random() : below(below(8) == 0 ? 4 : 3));
    e.has_queue = below(2);
    e.agent = (uint32_t)(below(64) == 0 ? next_random() : below(6));
    e.has_agent = below(4) != 0;
    e.priority = (uint8_t)below(256);
    e.reason = (uint32_t)(below(32) == 0 ? next_random() : below(6));
    e.not_ready_reason = (uint16_t)below(65536);
    e.talk_ms = below(16) == 0 ? next_random() : below(60000);
    e.hold_ms = below(16) == 0 ? next_random() : below(10000);
    return e;
}

/* Reads every kind of period, kept or not, for every queue. */
static void read_everything(const cb_center *center, uint64_t probe) {
    for (uint32_t q = 0; q < 4; q++) {
        cb_queue_snapshot snapshot;
        memset(&snapshot, 0xA5, sizeof snapshot);
        cb_queue_snapshot untouched = snapshot;
        cb_status status = TIMED("cb_center_snapshot", cb_center_snapshot(center, q, &snapshot));
        if (status != CB_STATUS_OK) {
            CHECK(memcmp(&snapshot, &untouched, sizeof snapshot) == 0);
            continue;
        }
        check_period(&snapshot.current_interval);
        check_period(&snapshot.today);
        CHECK(snapshot.has_longest_wait == (snapshot.waiting > 0));
        CHECK(snapshot.current_interval.start_ms <= snapshot.at_ms &&
              snapshot.at_ms < snapshot.current_interval.end_ms);
        CHECK(snapshot.today.start_ms <= snapshot.at_ms && snapshot.at_ms < snapshot.today.end_ms);
        uint64_t current = snapshot.current_interval.start_ms;
        uint64_t len = snapshot.current_interval.end_ms - current;
        uint64_t starts[] = {current, current + len, current - 95 * len, current - 96 * len,
                             current - YEAR_MS, probe - probe % len};
        for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
            cb_period period;
            memset(&period, 0x5A, sizeof period);
            cb_period before = period;
            status = TIMED("cb_center_interval", cb_center_interval(center, q, starts[i], &period));
            if (status == CB_STATUS_OK) {
                check_period(&period);
                CHECK(starts[i] <= current);                /* never the future */
                CHECK(starts[i] + 96 * len > current);      /* never older than the ring */
            } else {
                CHECK(status == CB_STATUS_NOT_KEPT);
                CHECK(memcmp(&period, &before, sizeof period) == 0);
            }
        }
        int years[] = {1970, 2025, 2026, 2027, 9999};
        for (size_t i = 0; i < sizeof years / sizeof years[0]; i++) {
            cb_period period;
            status = TIMED("cb_center_day",
                           cb_center_day(center, q, years[i], (uint8_t)(1 + below(12)),
                                         (uint8_t)(1 + below(28)), &period));
            if (status == CB_STATUS_OK) check_period(&period);
            else CHECK(status == CB_STATUS_NOT_KEPT);
        }
        uint64_t wait;
        status = TIMED("cb_center_expected_wait",
                       cb_center_expected_wait(center, q, (uint32_t)below(8), &wait));
        CHECK(status == CB_STATUS_OK || status == CB_STATUS_MISSING_INPUT ||
              status == CB_STATUS_NOT_KEPT || status == CB_STATUS_UNKNOWN_ID ||
              status == CB_STATUS_INVALID_ARGUMENT);
    }
    cb_csat csat;
    cb_status status = TIMED("cb_center_previous_day_csat", cb_center_previous_day_csat(center, &csat));
    CHECK(status == CB_STATUS_OK || status == CB_STATUS_NOT_KEPT);
}

/* A checkpoint of `center` with one to three bytes changed and its CRC recomputed, restored
 * into `target`: refused without a change, or accepted as a center that reads consistently
 * and checkpoints back to the same bytes. Returns 1 when accepted. */
static int mutate_and_restore(const cb_center *center, cb_center *target) {
    size_t needed = 0;
    CHECK_STATUS(cb_center_checkpoint(center, NULL, 0, &needed), CB_STATUS_BUFFER_TOO_SMALL);
    size_t written = 0;
    CHECK_STATUS(cb_center_checkpoint(center, NULL, 10, &written), CB_STATUS_NULL_ARGUMENT);
    CHECK(written == 0);
    size_t before_len = 0;
    cb_center_checkpoint(target, NULL, 0, &before_len);
    size_t room = (needed > before_len ? needed : before_len) + 64;
    uint8_t *bytes = malloc(needed);
    uint8_t *again = malloc(room);
    uint8_t *before = NULL;
    CHECK(bytes && again);
    if (!bytes || !again) return 0;
    CHECK_STATUS(cb_center_checkpoint(center, bytes, needed, &written), CB_STATUS_OK);
    CHECK(written == needed);
    uint64_t changes = 1 + below(3);
    for (uint64_t i = 0; i < changes && needed > 10; i++) bytes[6 + below(needed - 10)] = (uint8_t)next_random();
    uint32_t crc = crc32(bytes, needed - 4);
    for (int i = 0; i < 4; i++) bytes[needed - 4 + i] = (uint8_t)(crc >> (8 * i));

    before = malloc(before_len);
    CHECK(before != NULL);
    if (!before) return 0;
    CHECK_STATUS(cb_center_checkpoint(target, before, before_len, &before_len), CB_STATUS_OK);

    cb_status status = TIMED("cb_center_restore", cb_center_restore(target, bytes, needed));
    int accepted = status == CB_STATUS_OK;
    if (accepted) {
        read_everything(target, T0);
        size_t again_len = 0;
        CHECK_STATUS(cb_center_checkpoint(target, again, room, &again_len), CB_STATUS_OK);
        CHECK(again_len == needed && memcmp(again, bytes, needed) == 0);
    } else {
        CHECK(status == CB_STATUS_INVALID_CHECKPOINT);
        size_t after_len = 0;
        CHECK_STATUS(cb_center_checkpoint(target, again, room, &after_len), CB_STATUS_OK);
        CHECK(after_len == before_len && memcmp(again, before, before_len) == 0);
    }
    free(before);
    free(again);
    free(bytes);
    return accepted;
}

static double absurd(void) {
    static const double values[] = {0.0, -0.0, 1e-300, 1e-12, 0.5, 1.0, 7.0, 99.999, 1e6,
                                    999999.5, 1e9, 1e300, -1.0, NAN, INFINITY, -INFINITY};
    return values[below(sizeof values / sizeof values[0])];
}

static void staffing_under_fire(uint64_t rounds) {
    for (uint64_t i = 0; i < rounds; i++) {
        cb_erlang_query query = {.model = (uint32_t)(below(8) == 0 ? next_random() : 1 + below(3)),
                                 .traffic_erlangs = absurd(),
                                 .handle_seconds = absurd(),
                                 .patience_seconds = absurd(),
                                 .target_seconds = absurd()};
        cb_figures figures;
        TIMED("cb_erlang_evaluate", cb_erlang_evaluate(&query, absurd(), &figures));
        cb_targets targets;
        memset(&targets, 0, sizeof targets);
        targets.given = (uint32_t)below(64);
        targets.service_level = absurd();
        targets.max_asa_seconds = absurd();
        targets.max_p_wait = absurd();
        targets.max_p_abandon = absurd();
        targets.max_occupancy = absurd();
        targets.max_blocking = absurd();
        cb_staffing staffing;
        double shrinkage = below(4) == 0 ? absurd() : (double)below(100) / 100.0;
        TIMED("cb_erlang_staff", cb_erlang_staff(&query, &targets, shrinkage, &staffing));
    }
    /* The case: a million erlangs of Erlang C is unreachable, never a panic. */
    cb_erlang_query million = {.model = CB_MODEL_ERLANG_C, .traffic_erlangs = 1e6,
                               .handle_seconds = 180, .patience_seconds = 0, .target_seconds = 20};
    cb_targets sl = {.given = CB_TARGET_SERVICE_LEVEL, .service_level = 0.8};
    cb_staffing staffing;
    CHECK_STATUS(cb_erlang_staff(&million, &sl, 0.0, &staffing), CB_STATUS_UNREACHABLE);
}

/* A city's SLA tracker fed requests at any instant, read at any instant: never a panic, no due
 * instant past year 9999, and (timed) no cost that grows with the instants. */
static void agreements_under_fire(uint64_t rounds) {
    cb_sla_tracker *tracker = NULL;
    CHECK_STATUS(cb_sla_tracker_new(&tracker), CB_STATUS_OK);
    cb_business_calendar city;
    memset(&city, 0, sizeof city);
    city.utc_offset_minutes = -300;
    city.dst_rule = CB_DST_US;
    for (int d = 0; d < 5; d++) {
        city.days[d].count = 1;
        city.days[d].spans[0].start_min = 8 * 60;
        city.days[d].spans[0].end_min = 20 * 60;
    }
    uint8_t calendar = 0;
    CHECK_STATUS(cb_sla_add_calendar(tracker, &city, &calendar), CB_STATUS_OK);
    CHECK_STATUS(cb_sla_add_holiday(tracker, calendar, 2026, 11, 26), CB_STATUS_OK);
    uint32_t kinds[] = {CB_SLA_BUSINESS_MINUTES, CB_SLA_BUSINESS_DAYS, CB_SLA_CALENDAR_MINUTES,
                        CB_SLA_CALENDAR_DAYS};
    for (uint32_t k = 0; k < 4; k++) {
        cb_sla_policy policy = {.request_type = k, .target_kind = kinds[k],
                                .target_amount = k % 2 ? 7 : 3600, .calendar = calendar,
                                .at_risk_permille = 800};
        CHECK_STATUS(cb_sla_add_policy(tracker, &policy), CB_STATUS_OK);
    }
    uint64_t now = T0;
    for (uint64_t i = 0; i < rounds; i++) {
        now = move_time(now);
        uint64_t id = below(40);
        cb_status status = CB_STATUS_OK;
        switch (below(5)) {
            case 0: status = TIMED("cb_sla_open", cb_sla_open(tracker, id, (uint32_t)below(5), (uint32_t)below(3), now)); break;
            case 1: status = TIMED("cb_sla_pause", cb_sla_pause(tracker, id, now)); break;
            case 2: status = TIMED("cb_sla_resume", cb_sla_resume(tracker, id, now)); break;
            case 3: {
                uint32_t outcome;
                status = TIMED("cb_sla_close", cb_sla_close(tracker, id, now, &outcome));
                if (status == CB_STATUS_OK) CHECK(outcome == CB_SLA_MET || outcome == CB_SLA_MISSED);
                break;
            }
            default: {
                cb_sla_request clock;
                status = TIMED("cb_sla_request_clock", cb_sla_request_clock(tracker, id, now, &clock));
                if (status == CB_STATUS_OK) {
                    CHECK(!clock.has_due || clock.due_ms <= MAX_TIMESTAMP);
                    CHECK(clock.status <= CB_SLA_BREACHED);
                } else {
                    CHECK(status == CB_STATUS_UNKNOWN_ID || status == CB_STATUS_INVALID_ARGUMENT);
                }
            }
        }
        CHECK(status != CB_STATUS_POISONED);
        cb_sla_summary summary;
        status = TIMED("cb_sla_summary_get",
                       cb_sla_summary_get(tracker, true, 0, true, 0, T0, now, now, &summary));
        CHECK(status == CB_STATUS_OK || (now > MAX_TIMESTAMP && status == CB_STATUS_INVALID_ARGUMENT));
        if (status == CB_STATUS_OK) CHECK(summary.met + summary.missed == summary.closed);
    }
    cb_sla_tracker_free(tracker);
}

int main(void) {
    rng_state = env_or("CB_HOSTILE_SEED", 0x311C0FFEEull) | 1u;
    uint64_t events = env_or("CB_HOSTILE_EVENTS", 20000);
    uint64_t checkpoints = env_or("CB_HOSTILE_CHECKPOINTS", 200);
    uint64_t accepted = 0, tried = 0, applied_total = 0;
    uint64_t per_center = 2000;
    /* The checkpoints are spread over the centers the events make. */
    uint64_t checkpoints_per_center = checkpoints * per_center / (events ? events : 1) + 1;
    cb_center *target = make_center(CB_ATTRIBUTION_ENTRY, 31 * DAY_MS);
    for (uint64_t done = 0; done < events;) {
        uint64_t jump = below(3) == 0 ? UINT64_MAX : 31 * DAY_MS;
        cb_center *center = make_center((uint32_t)below(2), jump);
        uint64_t now = T0, calls_made = 0;
        for (uint64_t i = 0; i < per_center && done < events; i++, done++) {
            /* Each call's time moves from the center's clock, so that one jump to the end of
               time or a refused one does not leave every later event refused. */
            cb_queue_snapshot clock;
            if (cb_center_snapshot(center, 0, &clock) == CB_STATUS_OK) now = clock.at_ms;
            now = move_time(now);
            if (below(20) == 0) {
                cb_status status = TIMED("cb_center_advance_to", cb_center_advance_to(center, now));
                CHECK(status == CB_STATUS_OK || status == CB_STATUS_OUT_OF_ORDER ||
                      status == CB_STATUS_INVALID_ARGUMENT);
            } else if (below(40) == 0) {
                uint32_t queue;
                cb_period settled;
                cb_status status = TIMED("cb_center_pop_settled_interval",
                                         cb_center_pop_settled_interval(center, &queue, &settled));
                if (status == CB_STATUS_OK) {
                    check_period(&settled);
                    CHECK(settled.waiting == 0 && queue < 3);
                    CHECK_STATUS(cb_center_interval(center, queue, settled.start_ms, &settled),
                                 CB_STATUS_NOT_KEPT);
                } else {
                    CHECK(status == CB_STATUS_NOT_KEPT);
                }
            } else if (below(50) == 0) {
                cb_survey survey = {.contact_at_ms = move_time(now), .score = (uint8_t)below(8),
                                    .answers = {(int8_t)(below(4) - 1), 1, 0, -1},
                                    .follow_up_requested = below(2)};
                TIMED("cb_center_record_survey", cb_center_record_survey(center, &survey));
            } else {
                cb_event e = random_event(now);
                calls_made++;
                TIMED("cb_center_apply", cb_center_apply(center, &e));
            }
            cb_diagnostics d;
            CHECK_STATUS(cb_center_diagnostics(center, &d), CB_STATUS_OK);
            CHECK(d.applied + d.rejected == calls_made);
            if (i % 16 == 0) read_everything(center, now);
        }
        cb_diagnostics d;
        cb_center_diagnostics(center, &d);
        applied_total += d.applied;
        for (uint64_t k = 0; k < checkpoints_per_center && tried < checkpoints; k++, tried++) {
            accepted += (uint64_t)mutate_and_restore(center, target);
        }
        cb_center_free(center);
    }
    cb_center_free(target);
    staffing_under_fire(2000);
    agreements_under_fire(env_or("CB_HOSTILE_AGREEMENTS", 4000));
    printf("hostile: %llu events (%llu applied), %llu mutated checkpoints (%llu accepted)\n",
           (unsigned long long)events, (unsigned long long)applied_total,
           (unsigned long long)tried, (unsigned long long)accepted);
    for (int i = 0; i < MAX_TIMED && timed[i].name; i++) {
        printf("  slowest %-28s %9.3f ms\n", timed[i].name, timed[i].slowest_ms);
    }
    if (failures) fprintf(stderr, "%d checks failed\n", failures);
    return failures ? 1 : 0;
}
