/*
 * Service agreements from C: a business calendar (8:00-20:00 weekdays, Eastern time with US
 * daylight saving, Thanksgiving closed), a policy in business hours, one in business days and
 * one around the clock; requests opened, paused, resumed and closed; their clocks and the
 * department's compliance; every error path leaving things as they were.
 */
#include "callboard.h"
#include "check.h"

#include <stdio.h>

#define HOUR 3600000ULL
/* Friday 2026-11-20 19:30 EST (UTC-5) = 2026-11-21 00:30 UTC. */
#define FRI_1930 1795221000000ULL
#define STREETS 20
#define LIGHT 2
#define GRAFFITI 1
#define TREE 3

static cb_sla_tracker *city_tracker(void) {
    cb_sla_tracker *t = NULL;
    CHECK_STATUS(cb_sla_tracker_new(&t), CB_STATUS_OK);
    cb_business_calendar city = {0};
    city.utc_offset_minutes = -300;
    city.dst_rule = CB_DST_US;
    for (int day = 0; day < 5; day++) {
        city.days[day].count = 1;
        city.days[day].spans[0].start_min = 8 * 60;
        city.days[day].spans[0].end_min = 20 * 60;
    }
    uint8_t index = 99;
    CHECK_STATUS(cb_sla_add_calendar(t, &city, &index), CB_STATUS_OK);
    CHECK(index == 0);
    CHECK_STATUS(cb_sla_add_holiday(t, 0, 2026, 11, 26), CB_STATUS_OK);
    cb_business_calendar always = {0};
    always.utc_offset_minutes = -300;
    always.dst_rule = CB_DST_US;
    always.always = true;
    CHECK_STATUS(cb_sla_add_calendar(t, &always, &index), CB_STATUS_OK);
    CHECK(index == 1);
    cb_sla_policy light = {LIGHT, CB_SLA_BUSINESS_MINUTES, 120, 0, 800};
    cb_sla_policy graffiti = {GRAFFITI, CB_SLA_BUSINESS_DAYS, 7, 0, 800};
    cb_sla_policy tree = {TREE, CB_SLA_CALENDAR_MINUTES, 24 * 60, 1, 500};
    CHECK_STATUS(cb_sla_add_policy(t, &light), CB_STATUS_OK);
    CHECK_STATUS(cb_sla_add_policy(t, &graffiti), CB_STATUS_OK);
    CHECK_STATUS(cb_sla_add_policy(t, &tree), CB_STATUS_OK);
    return t;
}

static void clocks(void) {
    cb_sla_tracker *t = city_tracker();
    cb_sla_request r;
    /* Friday 19:30 + 2 business hours = Monday 9:30 (2026-11-23 14:30 UTC). */
    CHECK_STATUS(cb_sla_open(t, 1, LIGHT, STREETS, FRI_1930), CB_STATUS_OK);
    CHECK_STATUS(cb_sla_request_clock(t, 1, FRI_1930, &r), CB_STATUS_OK);
    CHECK(r.has_due && r.due_ms == FRI_1930 + 62 * HOUR && r.budget_ms == 2 * HOUR);
    CHECK(r.status == CB_SLA_ON_TIME && !r.paused && r.used_ms == 0);
    /* Saturday noon: 30 minutes used. Monday 9:06: 1 h 36 = 80 %: at risk. */
    CHECK_STATUS(cb_sla_request_clock(t, 1, FRI_1930 + 16 * HOUR + HOUR / 2, &r), CB_STATUS_OK);
    CHECK(r.used_ms == HOUR / 2 && r.status == CB_SLA_ON_TIME);
    CHECK_STATUS(cb_sla_request_clock(t, 1, FRI_1930 + 61 * HOUR + 36 * 60000, &r), CB_STATUS_OK);
    CHECK(r.status == CB_SLA_AT_RISK);
    /* Paused Monday 9:00 to Tuesday 9:00: 12 business hours later, due Tuesday 9:30. */
    uint64_t mon_0900 = FRI_1930 + 61 * HOUR + HOUR / 2;
    CHECK_STATUS(cb_sla_pause(t, 1, mon_0900), CB_STATUS_OK);
    CHECK_STATUS(cb_sla_pause(t, 1, mon_0900), CB_STATUS_CONFLICT);
    CHECK_STATUS(cb_sla_request_clock(t, 1, mon_0900 + HOUR, &r), CB_STATUS_OK);
    CHECK(r.paused && !r.has_due && r.used_ms == HOUR + HOUR / 2);
    CHECK_STATUS(cb_sla_resume(t, 1, mon_0900 - 1), CB_STATUS_OUT_OF_ORDER);
    CHECK_STATUS(cb_sla_resume(t, 1, mon_0900 + 24 * HOUR), CB_STATUS_OK);
    CHECK_STATUS(cb_sla_resume(t, 1, mon_0900 + 24 * HOUR), CB_STATUS_CONFLICT);
    CHECK_STATUS(cb_sla_request_clock(t, 1, mon_0900 + 24 * HOUR, &r), CB_STATUS_OK);
    CHECK(r.has_due && r.due_ms == mon_0900 + 24 * HOUR + HOUR / 2);
    uint32_t outcome = 99;
    CHECK_STATUS(cb_sla_close(t, 1, mon_0900 + 24 * HOUR + HOUR / 2, &outcome), CB_STATUS_OK);
    CHECK(outcome == CB_SLA_MET);
    CHECK_STATUS(cb_sla_request_clock(t, 1, mon_0900, &r), CB_STATUS_UNKNOWN_ID);
    /* A tree down Friday 19:30: 24 h around the clock; closed 25 h later: missed. */
    CHECK_STATUS(cb_sla_open(t, 2, TREE, STREETS, FRI_1930), CB_STATUS_OK);
    CHECK_STATUS(cb_sla_request_clock(t, 2, FRI_1930 + 13 * HOUR, &r), CB_STATUS_OK);
    CHECK(r.status == CB_SLA_AT_RISK && r.due_ms == FRI_1930 + 24 * HOUR);
    CHECK_STATUS(cb_sla_close(t, 2, FRI_1930 + 25 * HOUR, NULL), CB_STATUS_OK);
    /* Graffiti Friday 19:30, 7 business days: Mon 23 … Wed 2 Dec (Thanksgiving closed), still
     * open and breached on Friday 4 December. */
    CHECK_STATUS(cb_sla_open(t, 3, GRAFFITI, STREETS, FRI_1930), CB_STATUS_OK);
    CHECK_STATUS(cb_sla_request_clock(t, 3, FRI_1930, &r), CB_STATUS_OK);
    /* Wednesday 2 December 20:00 EST = 12 days 30 minutes after Friday 19:30. */
    CHECK(r.due_ms == FRI_1930 + 12 * 24 * HOUR + HOUR / 2);
    CHECK(r.budget_ms == HOUR / 2 + 7 * 12 * HOUR);
    uint64_t later = FRI_1930 + 14 * 24 * HOUR;
    cb_sla_summary s;
    CHECK_STATUS(cb_sla_summary_get(t, false, STREETS, true, 0, FRI_1930, later, later, &s),
                 CB_STATUS_OK);
    CHECK(s.opened == 3 && s.closed == 2 && s.met == 1 && s.missed == 1);
    CHECK(s.has_compliance && s.compliance_permille == 500);
    CHECK(s.open_on_time == 0 && s.open_at_risk == 0 && s.open_breached == 1);
    /* Times to close: 2 h (business) and 25 h (elapsed) from the histogram's buckets. */
    CHECK(s.median_close_ms > 0 && s.median_close_ms <= 2 * HOUR);
    CHECK(s.p90_close_ms > 24 * HOUR && s.p90_close_ms <= 36 * HOUR);
    /* One type only; another department; a period with nothing. */
    CHECK_STATUS(cb_sla_summary_get(t, true, 0, false, TREE, FRI_1930, later, later, &s),
                 CB_STATUS_OK);
    CHECK(s.opened == 1 && s.missed == 1 && s.compliance_permille == 0);
    CHECK_STATUS(cb_sla_summary_get(t, false, 77, true, 0, FRI_1930, later, later, &s),
                 CB_STATUS_OK);
    CHECK(s.opened == 0 && !s.has_compliance);
    cb_sla_tracker_free(t);
}

static void refusals(void) {
    cb_sla_tracker *t = city_tracker();
    cb_sla_request r = {0};
    r.used_ms = 4242;
    CHECK_STATUS(cb_sla_open(t, 1, 999, STREETS, FRI_1930), CB_STATUS_UNKNOWN_ID);
    CHECK_STATUS(cb_sla_open(t, 1, LIGHT, STREETS, FRI_1930), CB_STATUS_OK);
    CHECK_STATUS(cb_sla_open(t, 1, LIGHT, STREETS, FRI_1930), CB_STATUS_CONFLICT);
    CHECK_STATUS(cb_sla_close(t, 1, FRI_1930 - 1, NULL), CB_STATUS_OUT_OF_ORDER);
    CHECK_STATUS(cb_sla_close(t, 5, FRI_1930, NULL), CB_STATUS_UNKNOWN_ID);
    CHECK_STATUS(cb_sla_resume(t, 1, FRI_1930), CB_STATUS_CONFLICT);
    CHECK_STATUS(cb_sla_request_clock(t, 5, FRI_1930, &r), CB_STATUS_UNKNOWN_ID);
    CHECK(r.used_ms == 4242);
    /* Policies: unknown kind, zero amount, over a year, at risk over 1000, unknown calendar,
     * duplicate type; holidays on a calendar in use. */
    cb_sla_policy p = {9, 77, 1, 0, 800};
    CHECK_STATUS(cb_sla_add_policy(t, &p), CB_STATUS_INVALID_ARGUMENT);
    p.target_kind = CB_SLA_BUSINESS_DAYS;
    p.target_amount = 0;
    CHECK_STATUS(cb_sla_add_policy(t, &p), CB_STATUS_INVALID_ARGUMENT);
    p.target_amount = 367;
    CHECK_STATUS(cb_sla_add_policy(t, &p), CB_STATUS_INVALID_ARGUMENT);
    p.target_amount = 3;
    p.at_risk_permille = 1001;
    CHECK_STATUS(cb_sla_add_policy(t, &p), CB_STATUS_INVALID_ARGUMENT);
    p.at_risk_permille = 800;
    p.calendar = 7;
    CHECK_STATUS(cb_sla_add_policy(t, &p), CB_STATUS_UNKNOWN_ID);
    p.calendar = 0;
    p.request_type = LIGHT;
    CHECK_STATUS(cb_sla_add_policy(t, &p), CB_STATUS_CONFLICT);
    CHECK_STATUS(cb_sla_add_holiday(t, 0, 2026, 12, 25), CB_STATUS_CONFLICT);
    CHECK_STATUS(cb_sla_add_holiday(t, 0, 2026, 2, 30), CB_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(cb_sla_add_holiday(t, 9, 2026, 12, 25), CB_STATUS_UNKNOWN_ID);
    /* Calendars: overlapping spans, a span past midnight, too many spans, a bad rule. */
    cb_business_calendar bad = {0};
    bad.days[0].count = 2;
    bad.days[0].spans[0] = (cb_open_span){9 * 60, 12 * 60};
    bad.days[0].spans[1] = (cb_open_span){11 * 60, 14 * 60};
    uint8_t index = 99;
    CHECK_STATUS(cb_sla_add_calendar(t, &bad, &index), CB_STATUS_INVALID_ARGUMENT);
    bad.days[0].count = 1;
    bad.days[0].spans[0] = (cb_open_span){20 * 60, 25 * 60};
    CHECK_STATUS(cb_sla_add_calendar(t, &bad, &index), CB_STATUS_INVALID_ARGUMENT);
    bad.days[0].count = 5;
    CHECK_STATUS(cb_sla_add_calendar(t, &bad, &index), CB_STATUS_INVALID_ARGUMENT);
    bad.days[0].count = 0;
    bad.dst_rule = 42;
    CHECK_STATUS(cb_sla_add_calendar(t, &bad, &index), CB_STATUS_INVALID_ARGUMENT);
    CHECK(index == 99);
    /* NULLs. */
    CHECK_STATUS(cb_sla_tracker_new(NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_sla_open(NULL, 1, LIGHT, STREETS, 0), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_sla_add_calendar(t, NULL, &index), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_sla_add_policy(t, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_sla_request_clock(t, 1, 0, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_sla_summary_get(t, true, 0, true, 0, 0, 0, 0, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_sla_summary_get(NULL, true, 0, true, 0, 0, 0, 0, NULL),
                 CB_STATUS_NULL_ARGUMENT);
    /* Still there, unchanged. */
    CHECK_STATUS(cb_sla_request_clock(t, 1, FRI_1930, &r), CB_STATUS_OK);
    CHECK(r.used_ms == 0 && r.budget_ms == 2 * HOUR);
    cb_sla_tracker_free(t);
    cb_sla_tracker_free(NULL);
}

int main(void) {
    clocks();
    refusals();
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    puts("test_sla: all checks passed");
    return 0;
}
