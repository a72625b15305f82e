/* The figures from the header's words alone: three days of a two-queue center (calls answered,
 * abandoned short and not, dequeued, transferred between the queues while waiting or after
 * their answer; agents moving between states, three of them left logged in overnight), with
 * every period's figures computed here from the definitions in callboard.h's `cb_period` and
 * compared with the library's: every interval kept and every day, at the end and at moments
 * in the day when calls are still waiting, under both attribution rules. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "callboard.h"
#include "check.h"

#define MINUTE 60000ull
#define HOUR (60u * MINUTE)
#define DAY (24u * HOUR)
#define OFFSET_MIN (-300) /* the site: UTC-5, no daylight saving */
/* 2026-11-23T00:00 local (05:00Z), a Monday. */
#define FIRST_DAY 1795410000000ull
#define DAYS 3
#define LEGS 2400
#define AGENTS 4
#define SEGMENTS 400

enum outcome { ANSWERED, ABANDONED, DEQUEUED, TRANSFERRED };

/* One call's stay in one queue. A transfer ends one leg and starts the next at once. */
typedef struct leg {
    uint64_t call;
    uint32_t queue;    /* index: 0 or 1 */
    uint64_t entered;
    enum outcome outcome;
    uint64_t left;     /* answer, abandon, dequeue or transfer */
    uint64_t ended;    /* answered: end of the conversation */
    uint64_t talk, hold;
} leg;

/* An agent's time in one state. */
typedef struct segment {
    uint32_t agent;
    uint32_t state;
    uint64_t from, to;
    int overnight; /* the agent stays logged in until its first state of the next day */
} segment;

static leg legs[LEGS];
static size_t leg_count;
static segment segments[SEGMENTS];
static size_t segment_count;
static const uint32_t QUEUE_IDS[2] = {311, 411};
static const uint64_t T_MS[2] = {20000, 18000}; /* 20 s; three rings of 6 s */
static const uint64_t S_MS[2] = {0, 5000};

static uint64_t rng = 0x5EED311;
static uint64_t below(uint64_t n) {
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (rng >> 33) % n;
}

static void make_day(uint64_t day_start) {
    uint64_t t = day_start + 8u * HOUR;
    uint64_t call = leg_count + 1000;
    while (t < day_start + 20u * HOUR && leg_count + 2 < LEGS) {
        t += 20000 + below(160000);
        uint32_t q = (uint32_t)below(2);
        uint64_t entered = t;
        for (int hop = 0; hop < 2; hop++) {
            leg *l = &legs[leg_count++];
            memset(l, 0, sizeof *l);
            l->call = call;
            l->queue = q;
            l->entered = entered;
            uint64_t wait = below(8) == 0 ? 1000u * below(600) : 1000u * below(60) + below(1000);
            uint64_t roll = below(100);
            l->left = entered + wait;
            l->outcome = roll < 65 ? ANSWERED : roll < 85 ? ABANDONED : roll < 92 ? DEQUEUED
                                                                       : TRANSFERRED;
            if (hop == 1 && l->outcome == TRANSFERRED) l->outcome = ANSWERED;
            if (l->outcome == ANSWERED) {
                l->talk = 30000 + below(400000);
                l->hold = below(4) == 0 ? below(60000) : 0;
                l->ended = l->left + l->talk + l->hold + below(3000);
            }
            /* Transferred while waiting, or after its conversation (one call in ten answered):
               the next leg starts in the other queue. */
            int answered_then_transferred = l->outcome == ANSWERED && below(10) == 0;
            if (l->outcome != TRANSFERRED && !answered_then_transferred) break;
            q = 1 - q;
            entered = l->outcome == ANSWERED ? l->ended : l->left;
        }
        call++;
    }
    /* Agents: logged in 7:50, then available, on call, after-call work, not ready (break)
     * and reserved in turn until 20:10. */
    static const uint32_t cycle[] = {CB_AGENT_AVAILABLE, CB_AGENT_RESERVED, CB_AGENT_ON_CALL,
                                     CB_AGENT_AFTER_CALL_WORK, CB_AGENT_AVAILABLE,
                                     CB_AGENT_NOT_READY};
    for (uint32_t a = 0; a < AGENTS; a++) {
        uint64_t from = day_start + 7u * HOUR + 50u * MINUTE + a * 7000u;
        for (size_t k = 0; from < day_start + 20u * HOUR + 10u * MINUTE && segment_count < SEGMENTS; k++) {
            uint64_t to = from + 5u * MINUTE + below(80u * MINUTE);
            segments[segment_count++] = (segment){a, cycle[k % 6], from, to, 0};
            from = to;
        }
        /* Three agents stay logged in overnight in a state occupancy sees (on a call, or in
           after-call work if they already were), so that the quiet night's time is counted
           across many intervals at once; the others log out. */
        if (a < 3 && day_start + DAY < FIRST_DAY + DAYS * DAY && segment_count < SEGMENTS) {
            uint64_t next_morning = day_start + DAY + 7u * HOUR + 50u * MINUTE + a * 7000u;
            uint32_t state = segments[segment_count - 1].state == CB_AGENT_ON_CALL
                                 ? CB_AGENT_AFTER_CALL_WORK
                                 : CB_AGENT_ON_CALL;
            segments[segment_count++] = (segment){a, state, from, next_morning, 1};
        }
    }
}

/* ---- the oracle: the header's definitions, nothing else ----------------------------------- */

typedef struct oracle {
    uint64_t offered, answered, within, abandoned, short_ab, ab_within, dequeued, transferred,
        waiting, waiting_past, handled;
    uint64_t answer_wait, abandon_wait, handle_ms, max_wait, on_call, acw, available;
    int any_wait;
} oracle;

static int attribution_exit;

static void count_leg(oracle *o, const leg *l, uint32_t q, uint64_t start, uint64_t end,
                      uint64_t now) {
    if (l->queue != q || l->entered > now) return;
    int done = l->left <= now;
    uint64_t counted_at = attribution_exit ? (done ? l->left : now) : l->entered;
    if (counted_at < start || counted_at >= end) return;
    o->offered++;
    uint64_t wait = (done ? l->left : now) - l->entered;
    if (!o->any_wait || wait > o->max_wait) o->max_wait = wait;
    o->any_wait = 1;
    if (!done) {
        o->waiting++;
        if (wait > T_MS[q]) o->waiting_past++;
        return;
    }
    switch (l->outcome) {
        case ANSWERED:
            o->answered++;
            o->answer_wait += wait;
            if (wait <= T_MS[q]) o->within++;
            if (l->ended <= now) {
                o->handled++;
                o->handle_ms += l->talk + l->hold; /* answered with no agent: no after-call work */
            }
            break;
        case ABANDONED:
            o->abandoned++;
            o->abandon_wait += wait;
            if (wait < S_MS[q]) o->short_ab++;
            else if (wait <= T_MS[q]) o->ab_within++;
            break;
        case DEQUEUED: o->dequeued++; break;
        case TRANSFERRED: o->transferred++; break;
    }
}

static void count_agents(oracle *o, uint64_t start, uint64_t end, uint64_t now) {
    for (size_t k = 0; k < segment_count; k++) {
        const segment *s = &segments[k];
        uint64_t from = s->from > start ? s->from : start;
        uint64_t to = s->to < end ? s->to : end;
        if (to > now) to = now;
        if (from >= to) continue;
        uint64_t ms = to - from;
        if (s->state == CB_AGENT_ON_CALL) o->on_call += ms;
        if (s->state == CB_AGENT_AFTER_CALL_WORK) o->acw += ms;
        if (s->state == CB_AGENT_AVAILABLE) o->available += ms;
    }
}

static int same(double library, int defined, uint64_t num, uint64_t den, double scale) {
    if (den == 0) return !defined && library == 0.0;
    double expected = (double)num / (double)den / scale;
    return defined && fabs(library - expected) <= 1e-9 * (1.0 + fabs(expected));
}

static int periods_compared, periods_disagreeing;

static void compare(const cb_period *p, uint32_t q, uint64_t now, const char *what) {
    oracle o;
    memset(&o, 0, sizeof o);
    for (size_t k = 0; k < leg_count; k++) count_leg(&o, &legs[k], q, p->start_ms, p->end_ms, now);
    count_agents(&o, p->start_ms, p->end_ms, now);
    uint64_t net_offered = o.offered - o.short_ab, net_abandoned = o.abandoned - o.short_ab;
    uint64_t undecided = o.waiting - o.waiting_past, handle = o.on_call + o.acw;
    uint32_t d = p->defined;
    int ok = p->offered == o.offered && p->answered == o.answered &&
             p->answered_within_sl == o.within && p->abandoned == o.abandoned &&
             p->short_abandoned == o.short_ab && p->abandoned_within_sl == o.ab_within &&
             p->dequeued == o.dequeued && p->transferred_out == o.transferred &&
             p->waiting == o.waiting && p->waiting_past_sl == o.waiting_past &&
             p->handled == o.handled &&
             same(p->sl_answered, d & CB_PERIOD_SL_ANSWERED, o.within, o.answered + o.waiting_past, 1) &&
             same(p->sl_offered, d & CB_PERIOD_SL_OFFERED, o.within,
                  o.answered + net_abandoned + o.dequeued + o.waiting_past, 1) &&
             same(p->sl_abandons_ignored, d & CB_PERIOD_SL_ABANDONS_IGNORED, o.within,
                  net_offered - undecided - o.ab_within, 1) &&
             same(p->sl_abandons_positive, d & CB_PERIOD_SL_ABANDONS_POSITIVE, o.within + o.ab_within,
                  net_offered - undecided, 1) &&
             same(p->asa_seconds, d & CB_PERIOD_ASA, o.answer_wait, o.answered, 1000) &&
             same(p->aht_seconds, d & CB_PERIOD_AHT, o.handle_ms, o.handled, 1000) &&
             same(p->average_abandon_seconds, d & CB_PERIOD_AVERAGE_ABANDON, o.abandon_wait,
                  o.abandoned, 1000) &&
             same(p->max_wait_seconds, d & CB_PERIOD_MAX_WAIT, o.max_wait, o.any_wait ? 1 : 0, 1000) &&
             same(p->abandon_rate, d & CB_PERIOD_ABANDON_RATE, net_abandoned, net_offered, 1) &&
             same(p->occupancy, d & CB_PERIOD_OCCUPANCY, handle, handle + o.available, 1);
    periods_compared++;
    if (!ok) {
        periods_disagreeing++;
        if (periods_disagreeing <= 5) {
            fprintf(stderr,
                    "%s queue %u [%llu, %llu) at %llu: library offered %u answered %u within %u "
                    "abandoned %u short %u waiting %u past %u handled %u; header says %llu %llu "
                    "%llu %llu %llu %llu %llu %llu\n",
                    what, QUEUE_IDS[q], (unsigned long long)p->start_ms,
                    (unsigned long long)p->end_ms, (unsigned long long)now, p->offered,
                    p->answered, p->answered_within_sl, p->abandoned, p->short_abandoned,
                    p->waiting, p->waiting_past_sl, p->handled, (unsigned long long)o.offered,
                    (unsigned long long)o.answered, (unsigned long long)o.within,
                    (unsigned long long)o.abandoned, (unsigned long long)o.short_ab,
                    (unsigned long long)o.waiting, (unsigned long long)o.waiting_past,
                    (unsigned long long)o.handled);
        }
    }
}

/* ---- the library ---------------------------------------------------------------------------- */

typedef struct timed {
    cb_event event;
    size_t sequence;
} timed;

static timed events[LEGS * 3 + SEGMENTS * 2 + 16];
static size_t event_count;

static void add(cb_event e) {
    events[event_count].event = e;
    events[event_count].sequence = event_count;
    event_count++;
}

static int by_time(const void *left, const void *right) {
    const timed *a = left, *b = right;
    if (a->event.at_ms != b->event.at_ms) return a->event.at_ms < b->event.at_ms ? -1 : 1;
    return a->sequence < b->sequence ? -1 : (a->sequence > b->sequence);
}

static void make_events(void) {
    event_count = 0;
    for (uint32_t a = 0; a < AGENTS; a++) {
        for (int q = 0; q < 2; q++) {
            cb_event e = {.at_ms = FIRST_DAY, .kind = CB_EVENT_AGENT_JOINED_QUEUE, .agent = a,
                          .queue = QUEUE_IDS[q]};
            add(e);
        }
    }
    for (size_t k = 0; k < segment_count; k++) {
        const segment *s = &segments[k];
        cb_event e = {.at_ms = s->from, .kind = CB_EVENT_AGENT_STATE, .agent = s->agent,
                      .reason = s->state, .not_ready_reason = 7};
        add(e);
        int last = !s->overnight && (k + 1 == segment_count || segments[k + 1].agent != s->agent ||
                                     segments[k + 1].from != s->to);
        if (last) {
            cb_event out = {.at_ms = s->to, .kind = CB_EVENT_AGENT_STATE, .agent = s->agent,
                            .reason = CB_AGENT_LOGGED_OUT};
            add(out);
        }
    }
    for (size_t k = 0; k < leg_count; k++) {
        const leg *l = &legs[k];
        /* A call transferred after its answer ends (CALL_ENDED) and enters the other queue with
           the same id; one transferred while waiting moves there with CALL_TRANSFERRED. */
        int enters = k == 0 || legs[k - 1].call != l->call || legs[k - 1].outcome == ANSWERED;
        if (enters) {
            cb_event e = {.at_ms = l->entered, .kind = CB_EVENT_CALL_ENTERED, .call = l->call,
                          .queue = QUEUE_IDS[l->queue]};
            add(e);
        }
        cb_event out = {.at_ms = l->left, .call = l->call};
        switch (l->outcome) {
            case ANSWERED: out.kind = CB_EVENT_CALL_ANSWERED; break;
            case ABANDONED: out.kind = CB_EVENT_CALL_ABANDONED; break;
            case DEQUEUED: out.kind = CB_EVENT_CALL_DEQUEUED; out.reason = CB_DEQUEUE_TIMEOUT; break;
            case TRANSFERRED:
                out.kind = CB_EVENT_CALL_TRANSFERRED;
                out.has_queue = true;
                out.queue = QUEUE_IDS[1 - l->queue];
                break;
        }
        add(out);
        if (l->outcome == ANSWERED) {
            cb_event end = {.at_ms = l->ended, .kind = CB_EVENT_CALL_ENDED, .call = l->call,
                            .talk_ms = l->talk, .hold_ms = l->hold};
            add(end);
        }
    }
    qsort(events, event_count, sizeof events[0], by_time);
}

static void compare_everything(const cb_center *center, uint64_t now, const char *what) {
    for (uint32_t q = 0; q < 2; q++) {
        cb_queue_snapshot snapshot;
        CHECK_STATUS(cb_center_snapshot(center, QUEUE_IDS[q], &snapshot), CB_STATUS_OK);
        compare(&snapshot.current_interval, q, now, what);
        compare(&snapshot.today, q, now, what);
        for (uint64_t start = now - now % (15u * MINUTE) + 15u * MINUTE; start > now - 2u * DAY;
             start -= 15u * MINUTE) {
            cb_period p;
            if (cb_center_interval(center, QUEUE_IDS[q], start, &p) == CB_STATUS_OK) {
                compare(&p, q, now, what);
            }
        }
        for (int day = 0; day < DAYS + 1; day++) {
            cb_period p;
            int date = 23 + day;
            if (cb_center_day(center, QUEUE_IDS[q], 2026, 11, (uint8_t)date, &p) == CB_STATUS_OK) {
                compare(&p, q, now, what);
            }
        }
    }
}

static void run(uint32_t attribution) {
    attribution_exit = attribution == CB_ATTRIBUTION_EXIT;
    cb_center_config config;
    CHECK_STATUS(cb_center_config_default(&config), CB_STATUS_OK);
    config.utc_offset_minutes = OFFSET_MIN;
    config.attribution = attribution;
    cb_center *center = NULL;
    CHECK_STATUS(cb_center_new(&config, &center), CB_STATUS_OK);
    for (int q = 0; q < 2; q++) {
        cb_queue_config queue = {.sl_seconds = 20, .sl_rings = q ? 3 : 0,
                                 .ring_cadence_ms = q ? 6000 : 0, .short_abandon_ms = S_MS[q]};
        CHECK_STATUS(cb_center_add_queue(center, QUEUE_IDS[q], &queue), CB_STATUS_OK);
    }
    /* Moments to look: every 97 minutes of each open day (calls waiting), then the end. */
    uint64_t next_look = FIRST_DAY + 8u * HOUR + 97u * MINUTE;
    for (size_t k = 0; k < event_count; k++) {
        while (events[k].event.at_ms > next_look && next_look < FIRST_DAY + DAYS * DAY) {
            CHECK_STATUS(cb_center_advance_to(center, next_look), CB_STATUS_OK);
            compare_everything(center, next_look, attribution_exit ? "exit" : "entry");
            next_look += 97u * MINUTE;
        }
        CHECK_STATUS(cb_center_apply(center, &events[k].event), CB_STATUS_OK);
    }
    uint64_t end = FIRST_DAY + DAYS * DAY - MINUTE;
    CHECK_STATUS(cb_center_advance_to(center, end), CB_STATUS_OK);
    compare_everything(center, end, attribution_exit ? "exit" : "entry");
    cb_center_free(center);
}

int main(void) {
    for (int day = 0; day < DAYS; day++) make_day(FIRST_DAY + (uint64_t)day * DAY);
    make_events();
    run(CB_ATTRIBUTION_ENTRY);
    run(CB_ATTRIBUTION_EXIT);
    CHECK(periods_disagreeing == 0);
    printf("definitions: %zu call legs, %zu agent segments, %d periods compared, %d disagree\n",
           leg_count, segment_count, periods_compared, periods_disagreeing);
    if (failures) fprintf(stderr, "%d checks failed\n", failures);
    return failures ? 1 : 0;
}
