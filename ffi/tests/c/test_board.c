/*
 * Reader boards from C: frames built from a center (queues, alerts, CSAT, opening hours, the
 * departments' agreements), encoded to the bytes PROTOCOL.md's worked examples give, boards'
 * answers decoded from bytes in any chunking among garbage, and every refusal leaving its
 * outputs as they were.
 */
#include "callboard.h"
#include "check.h"

#include <stdio.h>
#include <string.h>

#define HOUR 3600000ULL
/* Monday 2026-11-23 08:00 UTC. */
#define T0 1795420800000ULL
#define STREETS 311u
#define SANITATION 7u
#define PATTERN 0xA5

static void set_label(char *label, const char *text) {
    memset(label, 0, CB_BOARD_LABEL_SIZE);
    strncpy(label, text, CB_BOARD_LABEL_SIZE - 1);
}

static int untouched(const void *memory, size_t len) {
    const unsigned char *bytes = memory;
    for (size_t i = 0; i < len; i++) {
        if (bytes[i] != PATTERN) {
            return 0;
        }
    }
    return 1;
}

/* PROTOCOL.md, "Worked examples": the display frame to board 3, sequence 7. */
static cb_board_frame protocol_frame(void) {
    cb_board_frame f;
    memset(&f, 0, sizeof f);
    f.valid_at_ms = T0;
    f.ttl_s = 30;
    f.queue_count = 1;
    set_label(f.queues[0].label, "STREETS");
    f.queues[0].waiting = 4;
    f.queues[0].has_longest_wait = true;
    f.queues[0].longest_wait_s = 95;
    f.queues[0].has_service_level = true;
    f.queues[0].service_level_permille = 812;
    f.queues[0].service_level_target_permille = 800;
    f.queues[0].service_level_threshold_s = 20;
    f.queues[0].agents_available = 2;
    f.queues[0].alert_longest_wait = CB_ALERT_WARNING;
    f.csat.kind = CB_BOARD_CSAT_MEAN_SCORE;
    f.csat.value = 423;
    f.csat.scale_highest = 5;
    f.csat.responses = 57;
    strcpy(f.announcement, "Storm");
    f.sla_count = 1;
    set_label(f.sla[0].label, "SANITATION");
    f.sla[0].has_compliance = true;
    f.sla[0].compliance_permille = 930;
    f.sla[0].goal_permille = 900;
    f.sla[0].breached = 4;
    f.sla[0].alert_breached = CB_ALERT_ALARM;
    return f;
}

static const uint8_t PROTOCOL_DISPLAY[77] = {
    0x04, 0x02, 0x03, 0x07, 0x01, 0x14, 0x80, 0x88, 0xad, 0xbb, 0xa0, 0x34, 0x1e, 0x01, 0x07, 0x53,
    0x54, 0x52, 0x45, 0x45, 0x54, 0x53, 0x04, 0x01, 0x5f, 0x08, 0x01, 0xac, 0x06, 0xa0, 0x06, 0x14,
    0x02, 0x02, 0x01, 0x01, 0x01, 0x01, 0x0b, 0xa7, 0x03, 0x05, 0x39, 0x05, 0x53, 0x74, 0x6f, 0x72,
    0x6d, 0x12, 0x01, 0x0a, 0x53, 0x41, 0x4e, 0x49, 0x54, 0x41, 0x54, 0x49, 0x4f, 0x4e, 0x01, 0xa2,
    0x07, 0x84, 0x07, 0x02, 0x04, 0x01, 0x06, 0x02, 0xb8, 0x01, 0xe4, 0x2b, 0x00,
};
/* PROTOCOL.md: a ping to board 3, sequence 0x0102, and board 3's Ack to it. */
static const uint8_t PROTOCOL_PING[11] = {0x0a, 0x02, 0x03, 0x02, 0x01, 0x02,
                                          0x90, 0x8f, 0xc6, 0x5a, 0x00};
static const uint8_t PROTOCOL_ACK[11] = {0x05, 0x02, 0x03, 0x02, 0x01, 0x05,
                                         0xbc, 0xee, 0xc8, 0xb4, 0x00};
/* Board 5's answers to sequence 300, encoded by the core's encode_answer (what the firmware
 * runs): Nack(Expired); Status (up an hour, 12 frames accepted, 1 bad CRC, showing 299);
 * Showing (closed screen, sequence 300, drawn for T0, framebuffer CRC 0xdeadbeef). */
static const uint8_t NACK_EXPIRED[12] = {0x06, 0x02, 0x05, 0x2c, 0x01, 0x01,
                                         0x05, 0x28, 0xc4, 0xd7, 0xc6, 0x00};
static const uint8_t STATUS[24] = {0x09, 0x02, 0x05, 0x2c, 0x01, 0x02, 0x90, 0x1c,
                                   0x0c, 0x01, 0x01, 0x02, 0x01, 0x01, 0x01, 0x08,
                                   0x01, 0xab, 0x02, 0x48, 0x2b, 0xc4, 0x6d, 0x00};
static const uint8_t SHOWING[27] = {0x1a, 0x02, 0x05, 0x2c, 0x01, 0x03, 0x02, 0x01, 0xac,
                                    0x02, 0x01, 0x80, 0x88, 0xad, 0xbb, 0xa0, 0x34, 0xef,
                                    0xfd, 0xb6, 0xf5, 0x0d, 0x21, 0xae, 0xaa, 0x99, 0x00};

static void encoding(void) {
    cb_board_frame frame = protocol_frame();
    uint8_t buffer[CB_WIRE_MAX_FRAME_BYTES];
    size_t written = 0;
    CHECK_STATUS(cb_wire_encode_display(3, 7, &frame, buffer, sizeof buffer, &written),
                 CB_STATUS_OK);
    CHECK(written == sizeof PROTOCOL_DISPLAY);
    CHECK(memcmp(buffer, PROTOCOL_DISPLAY, sizeof PROTOCOL_DISPLAY) == 0);
    CHECK_STATUS(cb_wire_encode_ping(3, 0x0102, buffer, sizeof buffer, &written), CB_STATUS_OK);
    CHECK(written == sizeof PROTOCOL_PING && memcmp(buffer, PROTOCOL_PING, written) == 0);
    CHECK_STATUS(cb_wire_encode_what_are_you_showing(3, 1, buffer, sizeof buffer, &written),
                 CB_STATUS_OK);
    CHECK(written > 0 && buffer[written - 1] == 0);
    cb_board_config config;
    CHECK_STATUS(cb_board_config_default(&config), CB_STATUS_OK);
    CHECK_STATUS(cb_wire_encode_configure(CB_WIRE_BROADCAST, 2, &config.settings, buffer,
                                          sizeof buffer, &written),
                 CB_STATUS_OK);

    /* A buffer too short learns the length it needs, and is not written. */
    uint8_t small[40];
    memset(small, PATTERN, sizeof small);
    written = 0;
    CHECK_STATUS(cb_wire_encode_display(3, 7, &frame, small, sizeof small, &written),
                 CB_STATUS_BUFFER_TOO_SMALL);
    CHECK(written == sizeof PROTOCOL_DISPLAY && untouched(small, sizeof small));
    written = 0;
    CHECK_STATUS(cb_wire_encode_display(3, 7, &frame, NULL, 0, &written),
                 CB_STATUS_BUFFER_TOO_SMALL);
    CHECK(written == sizeof PROTOCOL_DISPLAY);

    /* Refusals: nothing written anywhere. */
    size_t before = 12345;
    memset(buffer, PATTERN, sizeof buffer);
    CHECK_STATUS(cb_wire_encode_display(0, 7, &frame, buffer, sizeof buffer, &before),
                 CB_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(cb_wire_encode_ping(0, 7, buffer, sizeof buffer, &before),
                 CB_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(cb_wire_encode_display(3, 7, NULL, buffer, sizeof buffer, &before),
                 CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_wire_encode_display(3, 7, &frame, NULL, sizeof buffer, &before),
                 CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_wire_encode_display(3, 7, &frame, buffer, sizeof buffer, NULL),
                 CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_wire_encode_configure(3, 7, NULL, buffer, sizeof buffer, &before),
                 CB_STATUS_NULL_ARGUMENT);

    cb_board_frame bad;
#define SPOILED(statement)                                                             \
    do {                                                                               \
        bad = protocol_frame();                                                        \
        statement;                                                                     \
        CHECK_STATUS(cb_wire_encode_display(3, 7, &bad, buffer, sizeof buffer, &before), \
                     CB_STATUS_INVALID_ARGUMENT);                                      \
    } while (0)
    SPOILED(bad.queue_count = CB_BOARD_QUEUES + 1);
    SPOILED(bad.sla_count = 0xFFFFFFFFu);
    SPOILED(memset(bad.queues[0].label, 'A', CB_BOARD_LABEL_SIZE)); /* no NUL */
    SPOILED(bad.queues[0].label[2] = (char)0xFF);                   /* not UTF-8 */
    SPOILED(memset(bad.announcement, 'x', CB_BOARD_ANNOUNCEMENT_SIZE));
    SPOILED(bad.sla[0].label[0] = (char)0xC3);                      /* a cut sequence */
    SPOILED(bad.queues[0].alert_waiting = 3);
    SPOILED(bad.sla[0].alert_breached = 0x80000000u);
    SPOILED(bad.queues[0].service_level_permille = 1001);
    SPOILED(bad.sla[0].goal_permille = 5000);
    SPOILED(bad.csat.kind = 9);
    SPOILED(bad.csat.value = 501);                                  /* 5.01 of 5 */
    SPOILED((bad.csat.kind = CB_BOARD_CSAT_TOP_TWO_BOX, bad.csat.value = 1001));
    SPOILED((bad.closed = true, bad.has_reopening = true, bad.reopens_hour = 24));
    SPOILED((bad.closed = true, bad.has_reopening = true, bad.reopens_weekday = 7));
#undef SPOILED
    CHECK(before == 12345 && untouched(buffer, sizeof buffer));

    cb_board_settings settings = config.settings;
    settings.page_seconds = 0;
    CHECK_STATUS(cb_wire_encode_configure(3, 1, &settings, buffer, sizeof buffer, &before),
                 CB_STATUS_INVALID_ARGUMENT);
    settings = config.settings;
    settings.thresholds.waiting_warning = settings.thresholds.waiting_alarm + 1;
    CHECK_STATUS(cb_wire_encode_configure(3, 1, &settings, buffer, sizeof buffer, &before),
                 CB_STATUS_INVALID_ARGUMENT);
    settings = config.settings;
    settings.thresholds.service_level_alarm_margin_permille = 1001;
    CHECK_STATUS(cb_wire_encode_configure(3, 1, &settings, buffer, sizeof buffer, &before),
                 CB_STATUS_INVALID_ARGUMENT);
    CHECK(before == 12345 && untouched(buffer, sizeof buffer));
}

static void event(cb_center *center, uint32_t kind, uint64_t at, uint64_t call, uint32_t agent) {
    cb_event e;
    memset(&e, 0, sizeof e);
    e.kind = kind;
    e.at_ms = at;
    e.call = call;
    e.queue = STREETS;
    e.agent = agent;
    e.has_agent = agent != 0;
    e.reason = CB_AGENT_AVAILABLE;
    CHECK_STATUS(cb_center_apply(center, &e), CB_STATUS_OK);
}

static cb_board_config streets_board(void) {
    cb_board_config config;
    CHECK_STATUS(cb_board_config_default(&config), CB_STATUS_OK);
    config.queue_count = 1;
    config.queues[0].queue = STREETS;
    set_label(config.queues[0].label, "STREETS");
    config.queues[0].service_level_target_permille = 800;
    strcpy(config.announcement, "Storm: expect delays");
    return config;
}

/* The core's own board test, through C: one agent, six calls, one answered at 7 s. */
static void frames_from_a_center(void) {
    cb_center_config center_config;
    CHECK_STATUS(cb_center_config_default(&center_config), CB_STATUS_OK);
    cb_center *center = NULL;
    CHECK_STATUS(cb_center_new(&center_config, &center), CB_STATUS_OK);
    cb_queue_config queue = {20, 0, 0, 0};
    CHECK_STATUS(cb_center_add_queue(center, STREETS, &queue), CB_STATUS_OK);
    cb_board_config config = streets_board();
    cb_board_frame frame;
    memset(&frame, PATTERN, sizeof frame);
    CHECK_STATUS(cb_board_frame_from_center(center, NULL, &config, &frame), CB_STATUS_NOT_KEPT);
    CHECK(untouched(&frame, sizeof frame));

    event(center, CB_EVENT_AGENT_JOINED_QUEUE, T0, 0, 1);
    for (uint64_t call = 1; call <= 6; call++) {
        event(center, CB_EVENT_CALL_ENTERED, T0 + call * 1000, call, 0);
    }
    event(center, CB_EVENT_CALL_ANSWERED, T0 + 7000, 1, 0);
    CHECK_STATUS(cb_center_advance_to(center, T0 + 200000), CB_STATUS_OK);

    CHECK_STATUS(cb_board_config_check(&config), CB_STATUS_OK);
    CHECK_STATUS(cb_board_frame_from_center(center, NULL, &config, &frame), CB_STATUS_OK);
    CHECK(frame.valid_at_ms == T0 + 200000 && frame.ttl_s == 30 && frame.queue_count == 1);
    const cb_board_line *line = &frame.queues[0];
    CHECK(strcmp(line->label, "STREETS") == 0);
    CHECK(line->waiting == 5 && line->has_longest_wait && line->longest_wait_s == 198);
    CHECK(line->alert_waiting == CB_ALERT_WARNING && line->alert_longest_wait == CB_ALERT_ALARM);
    /* One answered within 20 s, five waiting past 20 s: 1 of 6. */
    CHECK(line->has_service_level && line->service_level_permille == 167);
    CHECK(line->alert_service_level == CB_ALERT_ALARM);
    CHECK(line->agents_available == 0 && line->alert_agents_available == CB_ALERT_ALARM);
    CHECK(line->service_level_target_permille == 800 && line->service_level_threshold_s == 20);
    CHECK(frame.csat.kind == CB_BOARD_CSAT_UNAVAILABLE);
    CHECK(strcmp(frame.announcement, "Storm: expect delays") == 0);
    CHECK(!frame.closed && frame.sla_count == 0);

    /* The board's thresholds colour the frame: a wait alarm only at 10 minutes. */
    config.settings.thresholds.wait_alarm_s = 600;
    CHECK_STATUS(cb_board_frame_from_center(center, NULL, &config, &frame), CB_STATUS_OK);
    CHECK(frame.queues[0].alert_longest_wait == CB_ALERT_WARNING);
    config = streets_board();

    /* Another service level: answered within T over offered. */
    config.sl_variant = CB_SL_OFFERED;
    CHECK_STATUS(cb_board_frame_from_center(center, NULL, &config, &frame), CB_STATUS_OK);
    CHECK(frame.queues[0].has_service_level);
    config = streets_board();

    /* Closed by the switch; by hours: 08:00-20:00 on weekdays, UTC. */
    config.opening = CB_BOARD_CLOSED;
    CHECK_STATUS(cb_board_frame_from_center(center, NULL, &config, &frame), CB_STATUS_OK);
    CHECK(frame.closed && !frame.has_reopening);
    config.opening = CB_BOARD_BY_HOURS;
    for (int day = 0; day < 5; day++) {
        config.hours.days[day].count = 1;
        config.hours.days[day].spans[0].start_min = 8 * 60;
        config.hours.days[day].spans[0].end_min = 20 * 60;
    }
    CHECK_STATUS(cb_board_frame_from_center(center, NULL, &config, &frame), CB_STATUS_OK);
    CHECK(!frame.closed);
    CHECK_STATUS(cb_center_advance_to(center, T0 + 13 * HOUR), CB_STATUS_OK); /* 21:00 */
    CHECK_STATUS(cb_board_frame_from_center(center, NULL, &config, &frame), CB_STATUS_OK);
    CHECK(frame.closed && frame.has_reopening && frame.reopens_weekday == 1);
    CHECK(frame.reopens_hour == 8 && frame.reopens_minute == 0);
    /* And what it built encodes. */
    uint8_t buffer[CB_WIRE_MAX_FRAME_BYTES];
    size_t written = 0;
    CHECK_STATUS(cb_wire_encode_display(9, 1, &frame, buffer, sizeof buffer, &written),
                 CB_STATUS_OK);

    /* Yesterday's CSAT: surveys on Monday, read on Tuesday. */
    for (int i = 0; i < 40; i++) {
        cb_survey survey;
        memset(&survey, 0, sizeof survey);
        survey.contact_at_ms = T0 + HOUR;
        survey.score = (uint8_t)(i % 2 ? 5 : 4);
        for (int q = 0; q < 4; q++) {
            survey.answers[q] = -1;
        }
        CHECK_STATUS(cb_center_record_survey(center, &survey), CB_STATUS_OK);
    }
    CHECK_STATUS(cb_center_advance_to(center, T0 + 26 * HOUR), CB_STATUS_OK);
    config = streets_board();
    CHECK_STATUS(cb_board_frame_from_center(center, NULL, &config, &frame), CB_STATUS_OK);
    CHECK(frame.csat.kind == CB_BOARD_CSAT_MEAN_SCORE && frame.csat.value == 450);
    CHECK(frame.csat.responses == 40 && frame.csat.scale_highest == 5);

    /* Sanitation's agreement: ten missed pickups within a day, one after 30 hours. */
    cb_sla_tracker *tracker = NULL;
    CHECK_STATUS(cb_sla_tracker_new(&tracker), CB_STATUS_OK);
    cb_business_calendar always;
    memset(&always, 0, sizeof always);
    always.always = true;
    uint8_t index = 0;
    CHECK_STATUS(cb_sla_add_calendar(tracker, &always, &index), CB_STATUS_OK);
    cb_sla_policy pickup = {3, CB_SLA_CALENDAR_MINUTES, 24 * 60, 0, 750};
    CHECK_STATUS(cb_sla_add_policy(tracker, &pickup), CB_STATUS_OK);
    for (uint64_t id = 1; id <= 11; id++) {
        CHECK_STATUS(cb_sla_open(tracker, id, 3, SANITATION, T0 - 8 * HOUR), CB_STATUS_OK);
        uint64_t took = id == 11 ? 30 * HOUR : 2 * HOUR;
        CHECK_STATUS(cb_sla_close(tracker, id, T0 - 8 * HOUR + took, NULL), CB_STATUS_OK);
    }
    config.agreement_count = 1;
    config.agreements[0].department = SANITATION;
    set_label(config.agreements[0].label, "SANITATION");
    config.agreements[0].goal_permille = 900;
    config.agreement_days = 2;
    CHECK_STATUS(cb_board_frame_from_center(center, tracker, &config, &frame), CB_STATUS_OK);
    CHECK(frame.sla_count == 1 && strcmp(frame.sla[0].label, "SANITATION") == 0);
    CHECK(frame.sla[0].has_compliance && frame.sla[0].compliance_permille == 909);
    CHECK(frame.sla[0].alert_compliance == CB_ALERT_NORMAL && frame.sla[0].breached == 0);
    /* No tracker: no agreement lines. */
    CHECK_STATUS(cb_board_frame_from_center(center, NULL, &config, &frame), CB_STATUS_OK);
    CHECK(frame.sla_count == 0);

    /* Refusals: the frame is not touched. */
    memset(&frame, PATTERN, sizeof frame);
    cb_board_config bad;
#define REFUSED(statement, expected)                                                        \
    do {                                                                                    \
        bad = config;                                                                       \
        statement;                                                                          \
        CHECK_STATUS(cb_board_frame_from_center(center, tracker, &bad, &frame), expected); \
        if ((expected) == CB_STATUS_INVALID_ARGUMENT) {                                     \
            CHECK_STATUS(cb_board_config_check(&bad), CB_STATUS_INVALID_ARGUMENT);          \
        }                                                                                   \
    } while (0)
    REFUSED(bad.queues[0].queue = 4242, CB_STATUS_UNKNOWN_ID);
    REFUSED(bad.queue_count = CB_BOARD_QUEUES + 1, CB_STATUS_INVALID_ARGUMENT);
    REFUSED(bad.agreement_count = 9, CB_STATUS_INVALID_ARGUMENT);
    REFUSED(memset(bad.queues[0].label, 'S', CB_BOARD_LABEL_SIZE), CB_STATUS_INVALID_ARGUMENT);
    REFUSED(bad.queues[0].label[0] = (char)0x80, CB_STATUS_INVALID_ARGUMENT);
    REFUSED(bad.agreements[0].label[3] = (char)0xFE, CB_STATUS_INVALID_ARGUMENT);
    REFUSED(memset(bad.announcement, 'a', CB_BOARD_ANNOUNCEMENT_SIZE),
            CB_STATUS_INVALID_ARGUMENT);
    REFUSED(bad.queues[0].service_level_target_permille = 1001, CB_STATUS_INVALID_ARGUMENT);
    REFUSED(bad.agreements[0].goal_permille = 65535, CB_STATUS_INVALID_ARGUMENT);
    REFUSED(bad.sl_variant = 4, CB_STATUS_INVALID_ARGUMENT);
    REFUSED(bad.opening = 3, CB_STATUS_INVALID_ARGUMENT);
    REFUSED((bad.opening = CB_BOARD_BY_HOURS, bad.hours.days[0].count = 5),
            CB_STATUS_INVALID_ARGUMENT);
    REFUSED((bad.opening = CB_BOARD_BY_HOURS, bad.hours.dst_rule = 17),
            CB_STATUS_INVALID_ARGUMENT);
    REFUSED(bad.agreement_days = 0, CB_STATUS_INVALID_ARGUMENT);
    REFUSED(bad.agreement_days = 101, CB_STATUS_INVALID_ARGUMENT);
    REFUSED(bad.settings.page_seconds = 0, CB_STATUS_INVALID_ARGUMENT);
    REFUSED(bad.settings.thresholds.wait_warning_s = 4000000000u, CB_STATUS_INVALID_ARGUMENT);
    REFUSED(bad.settings.thresholds.service_level_alarm_margin_permille = 2000,
            CB_STATUS_INVALID_ARGUMENT);
#undef REFUSED
    CHECK_STATUS(cb_board_frame_from_center(NULL, tracker, &config, &frame),
                 CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_board_frame_from_center(center, tracker, NULL, &frame),
                 CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_board_frame_from_center(center, tracker, &config, NULL),
                 CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_board_config_check(NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_board_config_default(NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK(untouched(&frame, sizeof frame));

    /* A label of exactly 16 bytes of UTF-8 is a label. */
    config.agreement_count = 0;
    set_label(config.queues[0].label, "PUBLIC WORKS 311");
    CHECK_STATUS(cb_board_frame_from_center(center, NULL, &config, &frame), CB_STATUS_OK);
    strcpy(config.queues[0].label, "\xC3\x89LECTRICIT\xC3\x89"); /* ÉLECTRICITÉ: 13 bytes */
    CHECK_STATUS(cb_board_frame_from_center(center, NULL, &config, &frame), CB_STATUS_OK);
    CHECK(strcmp(frame.queues[0].label, "\xC3\x89LECTRICIT\xC3\x89") == 0);

    cb_sla_tracker_free(tracker);
    cb_center_free(center);
}

/* Feeds everything in `bytes`, one answer at a time, into `answers`; returns how many. */
static int feed_all(cb_wire_decoder *decoder, const uint8_t *bytes, size_t len,
                    cb_board_answer *answers, int most) {
    int found = 0;
    while (len > 0) {
        size_t consumed = 0;
        bool has = false;
        cb_board_answer answer;
        memset(&answer, PATTERN, sizeof answer);
        CHECK_STATUS(cb_wire_decoder_feed(decoder, bytes, len, &consumed, &has, &answer),
                     CB_STATUS_OK);
        CHECK(consumed > 0 && consumed <= len);
        if (has && found < most) {
            answers[found++] = answer;
        } else {
            CHECK(!has && untouched(&answer, sizeof answer));
        }
        bytes += consumed;
        len -= consumed;
    }
    return found;
}

static void decoding(void) {
    cb_wire_decoder *decoder = NULL;
    CHECK_STATUS(cb_wire_decoder_new(&decoder), CB_STATUS_OK);
    cb_board_answer answers[8];

    /* Board 3's Ack, a byte at a time: the answer comes with the delimiter. */
    for (size_t i = 0; i < sizeof PROTOCOL_ACK; i++) {
        int n = feed_all(decoder, &PROTOCOL_ACK[i], 1, answers, 8);
        CHECK(n == (i + 1 == sizeof PROTOCOL_ACK ? 1 : 0));
    }
    CHECK(answers[0].kind == CB_ANSWER_ACK && answers[0].address == 3);
    CHECK(answers[0].sequence == 0x0102 && answers[0].version == 2);

    /* Garbage, board 5's three answers, a frame cut short, a corrupted one, and the switch's
     * own ping echoed back, all in one read. */
    uint8_t line[256];
    size_t len = 0;
    const uint8_t garbage[] = {0x13, 0x37, 0xFF, 0x00, 0x00, 0x42, 0x00};
    memcpy(line + len, garbage, sizeof garbage), len += sizeof garbage;
    memcpy(line + len, NACK_EXPIRED, sizeof NACK_EXPIRED), len += sizeof NACK_EXPIRED;
    memcpy(line + len, STATUS, sizeof STATUS), len += sizeof STATUS;
    memcpy(line + len, SHOWING, 9), len += 9; /* cut off: the line fell silent */
    line[len++] = 0x00;
    memcpy(line + len, SHOWING, sizeof SHOWING), len += sizeof SHOWING;
    line[len - 3] ^= 0x40; /* one bit flipped in its CRC */
    memcpy(line + len, PROTOCOL_PING, sizeof PROTOCOL_PING), len += sizeof PROTOCOL_PING;
    memcpy(line + len, SHOWING, sizeof SHOWING), len += sizeof SHOWING;
    int n = feed_all(decoder, line, len, answers, 8);
    CHECK(n == 3);
    CHECK(answers[0].kind == CB_ANSWER_NACK && answers[0].nack_reason == CB_NACK_EXPIRED);
    CHECK(answers[0].address == 5 && answers[0].sequence == 300);
    CHECK(answers[1].kind == CB_ANSWER_STATUS && answers[1].uptime_s == 3600);
    CHECK(answers[1].counts.accepted == 12 && answers[1].counts.bad_crc == 1);
    CHECK(answers[1].has_shown_sequence && answers[1].shown_sequence == 299);
    CHECK(answers[2].kind == CB_ANSWER_SHOWING && answers[2].screen == CB_SCREEN_CLOSED);
    CHECK(answers[2].has_shown_sequence && answers[2].shown_sequence == 300);
    CHECK(answers[2].has_shown_at && answers[2].shown_at_ms == T0);
    CHECK(answers[2].framebuffer_crc == 0xdeadbeefu);

    cb_wire_counts counts;
    CHECK_STATUS(cb_wire_decoder_counts(decoder, &counts), CB_STATUS_OK);
    CHECK(counts.accepted == 4);
    CHECK(counts.bad_crc >= 1 && counts.malformed == 1);
    CHECK(counts.oversized + counts.bad_framing + counts.truncated + counts.bad_crc +
              counts.unknown_version + counts.other_address + counts.malformed ==
          5);

    /* Silence in the middle of a frame: abandoned and counted, the next answer clean. */
    bool dropped = false;
    CHECK(feed_all(decoder, STATUS, 10, answers, 8) == 0);
    CHECK_STATUS(cb_wire_decoder_abandon(decoder, &dropped), CB_STATUS_OK);
    CHECK(dropped);
    CHECK_STATUS(cb_wire_decoder_abandon(decoder, &dropped), CB_STATUS_OK);
    CHECK(!dropped);
    CHECK_STATUS(cb_wire_decoder_abandon(decoder, NULL), CB_STATUS_OK);
    CHECK(feed_all(decoder, PROTOCOL_ACK, sizeof PROTOCOL_ACK, answers, 8) == 1);
    cb_wire_counts after;
    CHECK_STATUS(cb_wire_decoder_counts(decoder, &after), CB_STATUS_OK);
    CHECK(after.truncated == counts.truncated + 1 && after.accepted == 5);

    /* An oversized run of bytes is discarded, not buffered. */
    uint8_t flood[CB_WIRE_MAX_FRAME_BYTES + 100];
    memset(flood, 0x55, sizeof flood);
    flood[sizeof flood - 1] = 0;
    CHECK(feed_all(decoder, flood, sizeof flood, answers, 8) == 0);
    CHECK_STATUS(cb_wire_decoder_counts(decoder, &after), CB_STATUS_OK);
    CHECK(after.oversized == 1);

    /* Refusals. */
    size_t consumed = 77;
    bool has = true;
    cb_board_answer answer;
    memset(&answer, PATTERN, sizeof answer);
    CHECK_STATUS(cb_wire_decoder_feed(NULL, PROTOCOL_ACK, 3, &consumed, &has, &answer),
                 CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_wire_decoder_feed(decoder, NULL, 3, &consumed, &has, &answer),
                 CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_wire_decoder_feed(decoder, PROTOCOL_ACK, 3, NULL, &has, &answer),
                 CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_wire_decoder_feed(decoder, PROTOCOL_ACK, 3, &consumed, NULL, &answer),
                 CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_wire_decoder_feed(decoder, PROTOCOL_ACK, 3, &consumed, &has, NULL),
                 CB_STATUS_NULL_ARGUMENT);
    CHECK(consumed == 77 && has && untouched(&answer, sizeof answer));
    CHECK_STATUS(cb_wire_decoder_feed(decoder, NULL, 0, &consumed, &has, &answer), CB_STATUS_OK);
    CHECK(consumed == 0 && !has);
    CHECK_STATUS(cb_wire_decoder_counts(NULL, &counts), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_wire_decoder_counts(decoder, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_wire_decoder_abandon(NULL, &dropped), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_wire_decoder_new(NULL), CB_STATUS_NULL_ARGUMENT);
    cb_wire_decoder_free(decoder);
    cb_wire_decoder_free(NULL);

    /* In caller memory: no allocation, no freeing. */
    static _Alignas(16) unsigned char memory[4096];
    CHECK(cb_wire_decoder_size() <= sizeof memory && cb_wire_decoder_align() <= 16);
    cb_wire_decoder *placed = NULL;
    CHECK_STATUS(cb_wire_decoder_init(memory, 10, &placed), CB_STATUS_BUFFER_TOO_SMALL);
    CHECK_STATUS(cb_wire_decoder_init(memory + 1, sizeof memory - 1, &placed),
                 CB_STATUS_MISALIGNED);
    CHECK_STATUS(cb_wire_decoder_init(NULL, sizeof memory, &placed), CB_STATUS_NULL_ARGUMENT);
    CHECK(placed == NULL);
    CHECK_STATUS(cb_wire_decoder_init(memory, sizeof memory, &placed), CB_STATUS_OK);
    CHECK(feed_all(placed, PROTOCOL_ACK, sizeof PROTOCOL_ACK, answers, 8) == 1);
    cb_wire_decoder_free(placed); /* ignored: caller memory */
}

/* A deterministic generator (xorshift64), so that a failure repeats. */
static uint64_t state = 0x9E3779B97F4A7C15ULL;
static uint64_t next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static void random_bytes(void *memory, size_t len) {
    unsigned char *bytes = memory;
    for (size_t i = 0; i < len; i++) {
        bytes[i] = (unsigned char)next();
    }
}

/* Whatever bytes a description or a frame holds, and whatever comes off the line: a status,
 * never a crash (the sanitizers watch); a refused frame writes nothing. */
static void hostile(void) {
    uint8_t buffer[CB_WIRE_MAX_FRAME_BYTES];
    int encoded = 0;
    for (int round = 0; round < 3000; round++) {
        cb_board_frame frame = protocol_frame();
        /* A few bytes of a good frame spoiled, or all of it random. */
        if (round % 10 == 0) {
            random_bytes(&frame, sizeof frame);
        } else {
            for (int k = 0; k < 3; k++) {
                ((unsigned char *)&frame)[next() % sizeof frame] = (unsigned char)next();
            }
        }
        size_t written = 99999;
        memset(buffer, PATTERN, sizeof buffer);
        cb_status status = cb_wire_encode_display(3, 1, &frame, buffer, sizeof buffer, &written);
        CHECK(status == CB_STATUS_OK || status == CB_STATUS_INVALID_ARGUMENT);
        if (status == CB_STATUS_OK) {
            encoded++;
            CHECK(written <= CB_WIRE_MAX_FRAME_BYTES && buffer[written - 1] == 0);
        } else {
            CHECK(written == 99999 && untouched(buffer, sizeof buffer));
        }
        cb_board_config config = streets_board();
        for (int k = 0; k < 4; k++) {
            ((unsigned char *)&config)[next() % sizeof config] = (unsigned char)next();
        }
        status = cb_board_config_check(&config);
        CHECK(status == CB_STATUS_OK || status == CB_STATUS_INVALID_ARGUMENT);
    }
    CHECK(encoded > 0);

    /* Random bytes and pieces of real answers, in random chunks. */
    cb_wire_decoder *decoder = NULL;
    CHECK_STATUS(cb_wire_decoder_new(&decoder), CB_STATUS_OK);
    size_t answers = 0;
    for (int round = 0; round < 2000; round++) {
        uint8_t line[600];
        size_t len = 1 + next() % sizeof line;
        random_bytes(line, len);
        if (round % 3 == 0 && len > sizeof STATUS + 1) {
            /* A real answer after a delimiter, amid the noise. */
            size_t at = 1 + next() % (len - sizeof STATUS - 1);
            line[at - 1] = 0x00;
            memcpy(line + at, STATUS, sizeof STATUS);
        }
        size_t at = 0;
        while (at < len) {
            size_t chunk = 1 + next() % (len - at);
            size_t consumed = 0;
            bool has = false;
            cb_board_answer answer;
            CHECK_STATUS(
                cb_wire_decoder_feed(decoder, line + at, chunk, &consumed, &has, &answer),
                CB_STATUS_OK);
            CHECK(consumed >= 1 && consumed <= chunk);
            answers += has;
            at += consumed;
        }
    }
    cb_wire_counts counts;
    CHECK_STATUS(cb_wire_decoder_counts(decoder, &counts), CB_STATUS_OK);
    CHECK(counts.accepted == answers && answers > 0);
    cb_wire_decoder_free(decoder);
    printf("boards: %d of 3000 spoiled frames still encodable, %zu answers among 2000 reads\n",
           encoded, answers);
}

int main(void) {
    encoding();
    frames_from_a_center();
    decoding();
    hostile();
    if (failures != 0) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    puts("boards: all checks passed");
    return 0;
}
