/*
 * wallboard.c: what an ACD vendor writes to put callboard behind a wallboard.
 *
 * The switch makes one center, adds its queues, and hands every call and agent event to
 * cb_center_apply as it happens. Whenever the wallboard refreshes, it asks for a snapshot.
 * Here the "switch" is a list of events from a morning at a 311 center; a real one would call
 * cb_center_apply from its event loop. Agents' states are events of their own, as an ACD
 * reports them (answering a call does not by itself make its agent busy).
 *
 * Build and run against an installed libcallboard (ffi/README.md; or with CMake,
 * examples/c/CMakeLists.txt):
 *   cc -std=c99 examples/c/wallboard.c $(pkg-config --cflags --libs callboard) -o wallboard \
 *      && ./wallboard
 * or from the repository root, after `cargo build --release -p callboard-ffi`:
 *   cc -std=c99 -Iinclude examples/c/wallboard.c target/release/libcallboard.a \
 *      -lgcc_s -lutil -lrt -lpthread -lm -ldl -o wallboard && ./wallboard
 */
#include "callboard.h"

#include <stdio.h>
#include <stdlib.h>

#define STREETS 311u                   /* the queue: potholes, street lights, graffiti */
#define AT(h, m, s) (1795392000000ULL + ((h) * 3600ULL + (m) * 60ULL + (s)) * 1000ULL)
/* 1795392000000 is 2026-11-23 00:00 UTC; the center keeps UTC here for simplicity. */

/* Stop on any error, saying what went wrong: a real switch would log it and carry on. */
static void check(cb_status status, const char *what) {
    if (status != CB_STATUS_OK) {
        fprintf(stderr, "%s: %s\n", what, cb_status_str(status));
        exit(1);
    }
}

static cb_event call(uint32_t kind, uint64_t at, uint64_t id) {
    cb_event e = {0};
    e.kind = kind;
    e.at_ms = at;
    e.call = id;
    e.queue = STREETS;
    return e;
}

static cb_event answer(uint64_t at, uint64_t id, uint32_t by) {
    cb_event e = call(CB_EVENT_CALL_ANSWERED, at, id);
    e.agent = by;
    e.has_agent = true;
    return e;
}

static cb_event agent(uint32_t kind, uint64_t at, uint32_t id, uint32_t state) {
    cb_event e = {0};
    e.kind = kind;
    e.at_ms = at;
    e.agent = id;
    e.queue = STREETS;
    e.reason = state;
    return e;
}

static void show(const cb_center *center, const char *when) {
    cb_queue_snapshot now;
    check(cb_center_snapshot(center, STREETS, &now), "snapshot");
    printf("%s  waiting %u", when, now.waiting);
    if (now.has_longest_wait) printf(" (oldest %llu s)", (unsigned long long)(now.longest_wait_ms / 1000));
    printf("  agents free %u of %u", now.agents.available,
           now.agents.available + now.agents.on_call + now.agents.after_call_work +
               now.agents.not_ready + now.agents.reserved);
    const cb_period *today = &now.today;
    printf("  today: %u offered, %u answered", today->offered, today->answered);
    if (today->defined & CB_PERIOD_SL_ANSWERED) printf(", SL %.0f %%", 100.0 * today->sl_answered);
    if (today->defined & CB_PERIOD_ASA) printf(", ASA %.0f s", today->asa_seconds);
    printf("\n");
}

int main(void) {
    cb_center_config config;
    check(cb_center_config_default(&config), "config");
    cb_center *center;
    check(cb_center_new(&config, &center), "new center");
    cb_queue_config streets = {0, 3, 6000, 5000}; /* answered by the third ring (18 s) */
    check(cb_center_add_queue(center, STREETS, &streets), "add queue");

    /* The morning, as the switch reports it. */
    const cb_event morning[] = {
        agent(CB_EVENT_AGENT_JOINED_QUEUE, AT(7, 55, 0), 1, 0),
        agent(CB_EVENT_AGENT_STATE, AT(7, 55, 0), 1, CB_AGENT_AVAILABLE),
        agent(CB_EVENT_AGENT_JOINED_QUEUE, AT(7, 58, 0), 2, 0),
        agent(CB_EVENT_AGENT_STATE, AT(7, 58, 0), 2, CB_AGENT_AVAILABLE),
        call(CB_EVENT_CALL_ENTERED, AT(8, 0, 5), 1001),
        answer(AT(8, 0, 12), 1001, 1),
        agent(CB_EVENT_AGENT_STATE, AT(8, 0, 12), 1, CB_AGENT_ON_CALL),
        call(CB_EVENT_CALL_ENTERED, AT(8, 1, 30), 1002),
        answer(AT(8, 1, 41), 1002, 2),
        agent(CB_EVENT_AGENT_STATE, AT(8, 1, 41), 2, CB_AGENT_ON_CALL),
        call(CB_EVENT_CALL_ENTERED, AT(8, 2, 0), 1003), /* both agents busy: it waits */
    };
    for (size_t i = 0; i < sizeof morning / sizeof morning[0]; i++) {
        check(cb_center_apply(center, &morning[i]), "apply");
    }
    check(cb_center_advance_to(center, AT(8, 2, 40)), "clock");
    show(center, "08:02:40");

    cb_event ended = call(CB_EVENT_CALL_ENDED, AT(8, 3, 0), 1001);
    ended.talk_ms = 160000;
    check(cb_center_apply(center, &ended), "apply");
    cb_event free_again = agent(CB_EVENT_AGENT_STATE, AT(8, 3, 0), 1, CB_AGENT_AVAILABLE);
    check(cb_center_apply(center, &free_again), "apply");
    cb_event answered = answer(AT(8, 3, 10), 1003, 1);
    check(cb_center_apply(center, &answered), "apply");
    cb_event busy_again = agent(CB_EVENT_AGENT_STATE, AT(8, 3, 10), 1, CB_AGENT_ON_CALL);
    check(cb_center_apply(center, &busy_again), "apply");
    check(cb_center_apply(center, &(cb_event){.kind = CB_EVENT_CALL_ENTERED, .at_ms = AT(8, 4, 0),
                                              .call = 1004, .queue = STREETS}),
          "apply");
    check(cb_center_apply(center, &(cb_event){.kind = CB_EVENT_CALL_ABANDONED, .at_ms = AT(8, 4, 50),
                                              .call = 1004}),
          "apply");
    check(cb_center_advance_to(center, AT(8, 5, 0)), "clock");
    show(center, "08:05:00");

    /* A bad event is refused with a reason and changes nothing. */
    cb_status refused = cb_center_apply(center, &(cb_event){.kind = CB_EVENT_CALL_ABANDONED,
                                                            .at_ms = AT(8, 5, 1), .call = 999});
    printf("a hang-up for an unknown call: %s\n", cb_status_str(refused));

    /* How many agents would the storm forecast need? 1,200 calls an hour, 4-minute calls,
     * 80 % within 20 s, callers giving up after 3 minutes on average, 30 % shrinkage. */
    cb_erlang_query storm = {CB_MODEL_ERLANG_A, 1200.0 * 240.0 / 3600.0, 240.0, 180.0, 20.0};
    cb_targets targets = {CB_TARGET_SERVICE_LEVEL, 0.8, 0, 0, 0, 0, 0};
    cb_staffing plan;
    check(cb_erlang_staff(&storm, &targets, 0.3, &plan), "staffing");
    printf("storm: %u agents on the phones, %u scheduled; %.1f %% would hang up\n", plan.agents,
           plan.scheduled_agents, 100.0 * plan.figures.p_abandon);

    cb_center_free(center);
    return 0;
}
