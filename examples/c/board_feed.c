/*
 * board_feed.c: what an ACD vendor writes to have the switch itself drive its reader boards.
 *
 * The switch owns the line to the boards (RS-485 behind a serial server; here a TCP socket).
 * libcallboard does the rest with the same code as every other callboard tool: it keeps the
 * center the switch feeds its events, builds each board's frame from it
 * (cb_board_frame_from_center), encodes the frame for the line (cb_wire_encode_display), and
 * decodes what the board answers (cb_wire_decoder). This program never computes a figure.
 *
 * The "switch" here is a simulated Monday at a city 311 center in New York: two queues,
 * STREETS and SANITATION, six agents, open 8:00-20:00, a storm at 14:00 that floods the lines,
 * yesterday's surveys for the CSAT line, and Sanitation's service agreement. A real switch
 * calls cb_center_apply from its event loop and runs the board loop on a timer.
 *
 * Build against an installed libcallboard (ffi/README.md; or with CMake,
 * examples/c/CMakeLists.txt):
 *   cc -std=c99 examples/c/board_feed.c $(pkg-config --cflags --libs callboard) -o board_feed
 * or from the repository root, after `cargo build --release -p callboard-ffi`:
 *   cc -std=c99 -Iinclude examples/c/board_feed.c target/release/libcallboard.a \
 *      -lgcc_s -lutil -lrt -lpthread -lm -ldl -o board_feed
 * Run against a board's serial server (the emulated board: see hil-tests/README.md):
 *   ./board_feed 127.0.0.1:4001 --address 3
 *
 * Options: --address N (the board, 1-254; default 3); --every S (seconds of the day between
 * frames; default 900); --pause-ms N (real time between frames; default 1000, so the day
 * passes in under a minute: a real switch sends one every few seconds); --timeout-ms N (how
 * long to wait for each answer; default 2000);
 * --check (after each frame, ask the board what it shows and print the frame's bytes and the
 * board's framebuffer CRC, which the hardware-in-the-loop test compares with the host's own
 * render). Exit status: 0 when the board acknowledged every frame, 2 when it refused or missed
 * any, 1 on an error.
 */
#define _POSIX_C_SOURCE 200112L
#include "callboard.h"

#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define STREETS 1u
#define SANITATION 2u /* the queue and the department */
#define AGENTS 6
/* Monday 2026-11-23 00:00 in New York (05:00 UTC; standard time, UTC-5). */
#define MONDAY 1795410000000ULL
#define AT(h, m) (MONDAY + ((h) * 60ULL + (m)) * 60000ULL)
#define SECOND 1000ULL
#define MINUTE 60000ULL
#define HOUR 3600000ULL
#define DAY (24 * HOUR)
#define MISSES_BEFORE_REPORT 3

static void check(cb_status status, const char *what) {
    if (status != CB_STATUS_OK) {
        fprintf(stderr, "board_feed: %s: %s\n", what, cb_status_str(status));
        exit(1);
    }
}

static void apply(cb_center *center, cb_event e) {
    check(cb_center_apply(center, &e), "an event");
}

/* ---- The switch: a simulated day, every call and agent change reported to the center ---- */

static uint64_t seed = 311;
static unsigned random_below(unsigned n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((seed >> 33) % n);
}

typedef struct {
    uint64_t id;
    uint32_t queue;
    uint64_t entered_at;
    int agent; /* 0 while waiting */
    uint64_t answered_at;
    uint64_t ends_at;
} call_t;

static call_t calls[1024];
static size_t call_count = 0;
static uint64_t next_call_id = 1;
static uint64_t busy[AGENTS + 1]; /* the call an agent is on, 0 when free */

static cb_event agent_event(uint32_t kind, uint64_t at, uint32_t agent, uint32_t queue,
                            uint32_t state) {
    cb_event e;
    memset(&e, 0, sizeof e);
    e.kind = kind;
    e.at_ms = at;
    e.agent = agent;
    e.queue = queue;
    e.reason = state;
    return e;
}

static cb_event call_event(uint32_t kind, uint64_t at, const call_t *call) {
    cb_event e;
    memset(&e, 0, sizeof e);
    e.kind = kind;
    e.at_ms = at;
    e.call = call->id;
    e.queue = call->queue;
    return e;
}

static void forget(size_t i) {
    calls[i] = calls[--call_count];
}

/* Calls a minute, on average: a storm from 14:00 to 15:30 floods the lines. */
static unsigned arrivals(unsigned hour, unsigned minute) {
    unsigned tenths = 11;
    if (hour < 8 || hour >= 20) {
        return 0;
    } else if (hour == 14 || (hour == 15 && minute < 30)) {
        tenths = 26;
    } else if (hour >= 15) {
        tenths = 9;
    }
    return (tenths + random_below(10)) / 10;
}

/* One minute of the switch: calls ending at :02, arriving from :05, free agents taking the
 * longest-waiting call at :15, and callers hanging up at :45. */
static void minute_of_switch(cb_center *center, unsigned hour, unsigned minute) {
    uint64_t start = AT(hour, minute);
    for (size_t i = 0; i < call_count;) {
        call_t *c = &calls[i];
        if (c->agent != 0 && c->ends_at <= start + 2 * SECOND) {
            cb_event ended = call_event(CB_EVENT_CALL_ENDED, start + 2 * SECOND, c);
            ended.talk_ms = start + 2 * SECOND - c->answered_at;
            apply(center, ended);
            apply(center, agent_event(CB_EVENT_AGENT_STATE, start + 2 * SECOND, (uint32_t)c->agent,
                                      0, CB_AGENT_AVAILABLE));
            busy[c->agent] = 0;
            forget(i);
        } else {
            i++;
        }
    }
    unsigned n = arrivals(hour, minute);
    for (unsigned k = 0; k < n && call_count < sizeof calls / sizeof calls[0]; k++) {
        call_t *c = &calls[call_count++];
        memset(c, 0, sizeof *c);
        c->id = next_call_id++;
        c->queue = random_below(10) < 7 ? STREETS : SANITATION;
        c->entered_at = start + (5 + k) * SECOND;
        apply(center, call_event(CB_EVENT_CALL_ENTERED, c->entered_at, c));
    }
    for (int a = 1; a <= AGENTS; a++) {
        if (busy[a] != 0 || hour < 8 || hour >= 20) {
            continue;
        }
        call_t *oldest = NULL;
        for (size_t i = 0; i < call_count; i++) {
            if (calls[i].agent == 0 && (!oldest || calls[i].entered_at < oldest->entered_at)) {
                oldest = &calls[i];
            }
        }
        if (!oldest) {
            break;
        }
        uint64_t at = start + 15 * SECOND;
        cb_event answered = call_event(CB_EVENT_CALL_ANSWERED, at, oldest);
        answered.agent = (uint32_t)a;
        answered.has_agent = true;
        apply(center, answered);
        apply(center, agent_event(CB_EVENT_AGENT_STATE, at, (uint32_t)a, 0, CB_AGENT_ON_CALL));
        oldest->agent = a;
        oldest->answered_at = at;
        oldest->ends_at = start + (2 + random_below(5)) * MINUTE; /* 2 to 6 minutes */
        busy[a] = oldest->id;
    }
    for (size_t i = 0; i < call_count;) {
        call_t *c = &calls[i];
        if (c->agent == 0 && start + 45 * SECOND - c->entered_at >= 4 * MINUTE &&
            random_below(3) == 0) {
            apply(center, call_event(CB_EVENT_CALL_ABANDONED, start + 45 * SECOND, c));
            forget(i);
        } else {
            i++;
        }
    }
}

/* Sunday: the center's clock starts, and yesterday's callers answer the survey. */
static void sunday(cb_center *center) {
    apply(center, agent_event(CB_EVENT_AGENT_STATE, MONDAY - 6 * HOUR, 1, 0, CB_AGENT_LOGGED_OUT));
    for (int i = 0; i < 48; i++) {
        cb_survey survey;
        memset(&survey, 0, sizeof survey);
        survey.contact_at_ms = MONDAY - DAY + 9 * HOUR + (uint64_t)i * 10 * MINUTE;
        survey.score = (uint8_t)(3 + random_below(3)); /* 3, 4 or 5 of 5 */
        memset(survey.answers, -1, sizeof survey.answers);
        check(cb_center_record_survey(center, &survey), "a survey");
    }
}

/* Sanitation's missed pickups over the last week: due within a day, a few late, two open. */
static cb_sla_tracker *sanitation_agreement(void) {
    cb_sla_tracker *tracker = NULL;
    check(cb_sla_tracker_new(&tracker), "a tracker");
    cb_business_calendar always;
    memset(&always, 0, sizeof always);
    always.utc_offset_minutes = -300;
    always.dst_rule = CB_DST_US;
    always.always = true;
    uint8_t calendar = 0;
    check(cb_sla_add_calendar(tracker, &always, &calendar), "a calendar");
    cb_sla_policy pickup = {1, CB_SLA_CALENDAR_MINUTES, 24 * 60, calendar, 750};
    check(cb_sla_add_policy(tracker, &pickup), "a policy");
    for (uint64_t id = 1; id <= 40; id++) {
        uint64_t opened = MONDAY - 7 * DAY + id * 4 * HOUR;
        check(cb_sla_open(tracker, id, 1, SANITATION, opened), "a request");
        if (id < 39) {
            uint64_t took = id % 9 == 0 ? 30 * HOUR : (2 + id % 5) * HOUR;
            check(cb_sla_close(tracker, id, opened + took, NULL), "a closing");
        }
    }
    return tracker;
}

/* ---- The board: a description, and the line ---- */

static cb_board_config describe_board(void) {
    cb_board_config board;
    check(cb_board_config_default(&board), "a board");
    board.queue_count = 2;
    board.queues[0].queue = STREETS;
    strcpy(board.queues[0].label, "STREETS");
    board.queues[0].service_level_target_permille = 800;
    board.queues[1].queue = SANITATION;
    strcpy(board.queues[1].label, "SANITATION");
    board.queues[1].service_level_target_permille = 800;
    board.opening = CB_BOARD_BY_HOURS;
    board.hours.utc_offset_minutes = -300;
    board.hours.dst_rule = CB_DST_US;
    for (int day = 0; day < 7; day++) {
        board.hours.days[day].count = 1;
        board.hours.days[day].spans[0].start_min = 8 * 60;
        board.hours.days[day].spans[0].end_min = 20 * 60;
    }
    board.agreement_count = 1;
    board.agreements[0].department = SANITATION;
    strcpy(board.agreements[0].label, "SANITATION");
    board.agreements[0].goal_permille = 900;
    board.agreement_days = 7;
    board.settings.page_seconds = 4;
    check(cb_board_config_check(&board), "the board's description");
    return board;
}

static int connect_to(const char *where) {
    char host[256];
    const char *colon = strrchr(where, ':');
    if (!colon || (size_t)(colon - where) >= sizeof host) {
        fprintf(stderr, "board_feed: expected HOST:PORT, not %s\n", where);
        exit(1);
    }
    memcpy(host, where, (size_t)(colon - where));
    host[colon - where] = '\0';
    struct addrinfo hints, *found;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, colon + 1, &hints, &found) != 0) {
        fprintf(stderr, "board_feed: no such address: %s\n", where);
        exit(1);
    }
    int fd = -1;
    for (struct addrinfo *a = found; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(found);
    if (fd < 0) {
        fprintf(stderr, "board_feed: cannot connect to %s\n", where);
        exit(1);
    }
    return fd;
}

static void send_all(int fd, const uint8_t *bytes, size_t len) {
    while (len > 0) {
        ssize_t sent = send(fd, bytes, len, 0);
        if (sent <= 0) {
            fprintf(stderr, "board_feed: the line to the board broke\n");
            exit(1);
        }
        bytes += sent;
        len -= (size_t)sent;
    }
}

/* Bytes read off the line and not yet fed to the decoder (after an answer). */
static uint8_t pending[2048];
static size_t pending_len = 0;

/* Waits up to `timeout_ms` for the board's answer to `sequence`; 1 when it came, 0 when not.
 * Answers to other frames or from other boards on the line are passed over. */
static int await_answer(int fd, cb_wire_decoder *decoder, uint8_t address, uint16_t sequence,
                        int timeout_ms, cb_board_answer *answer) {
    int waited = 0;
    for (;;) {
        while (pending_len > 0) {
            size_t consumed = 0;
            bool has = false;
            check(cb_wire_decoder_feed(decoder, pending, pending_len, &consumed, &has, answer),
                  "decoding");
            memmove(pending, pending + consumed, pending_len - consumed);
            pending_len -= consumed;
            if (has && answer->address == address && answer->sequence == sequence) {
                return 1;
            }
        }
        if (waited >= timeout_ms) {
            bool dropped = false;
            check(cb_wire_decoder_abandon(decoder, &dropped), "decoding");
            return 0;
        }
        struct pollfd readable = {fd, POLLIN, 0};
        int slice = timeout_ms - waited < 50 ? timeout_ms - waited : 50;
        if (poll(&readable, 1, slice) > 0) {
            ssize_t got = recv(fd, pending, sizeof pending, 0);
            if (got <= 0) {
                fprintf(stderr, "board_feed: the board closed the line\n");
                exit(2);
            }
            pending_len = (size_t)got;
        } else {
            waited += slice;
        }
    }
}

static uint16_t next_sequence = 1;

/* Sends one message's bytes and waits for the answer: 1 answered, 0 not. */
static int exchange(int fd, cb_wire_decoder *decoder, uint8_t address, const uint8_t *bytes,
                    size_t len, uint16_t sequence, int timeout_ms, cb_board_answer *answer) {
    send_all(fd, bytes, len);
    return await_answer(fd, decoder, address, sequence, timeout_ms, answer);
}

static void print_bytes(const char *what, uint16_t sequence, const uint8_t *bytes, size_t len) {
    printf("%s %u", what, sequence);
    for (size_t i = 0; i < len; i++) {
        printf(" %02x", bytes[i]);
    }
    printf("\n");
}

static void describe_frame(const cb_board_frame *frame, char *out, size_t size) {
    int used = 0;
    if (frame->closed) {
        snprintf(out, size, "closed, reopens %02u:%02u", frame->reopens_hour,
                 frame->reopens_minute);
        return;
    }
    for (uint32_t q = 0; q < frame->queue_count && used >= 0 && (size_t)used < size; q++) {
        const cb_board_line *line = &frame->queues[q];
        int red = line->alert_waiting == CB_ALERT_ALARM ||
                  line->alert_longest_wait == CB_ALERT_ALARM ||
                  line->alert_service_level == CB_ALERT_ALARM;
        used += snprintf(out + used, size - (size_t)used, "%s%s %u waiting", q ? ", " : "",
                         line->label, line->waiting);
        if (line->has_service_level && (size_t)used < size) {
            used += snprintf(out + used, size - (size_t)used, " SL %u%%",
                             (line->service_level_permille + 5) / 10);
        }
        if (red && (size_t)used < size) {
            used += snprintf(out + used, size - (size_t)used, " (red)");
        }
    }
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0); /* a line at a time, into a log or a pipe */
    if (argc < 2) {
        fprintf(stderr, "usage: board_feed HOST:PORT [--address N] [--every S] [--pause-ms N] "
                        "[--timeout-ms N] [--check]\n");
        return 1;
    }
    unsigned address = 3, every_s = 900;
    int timeout_ms = 2000, pause_ms = 1000, checking = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--address") == 0 && i + 1 < argc) {
            address = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--every") == 0 && i + 1 < argc) {
            every_s = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--pause-ms") == 0 && i + 1 < argc) {
            pause_ms = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--timeout-ms") == 0 && i + 1 < argc) {
            timeout_ms = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--check") == 0) {
            checking = 1;
        } else {
            fprintf(stderr, "board_feed: unknown option %s\n", argv[i]);
            return 1;
        }
    }
    if (address < 1 || address > 254 || every_s < 60 || every_s % 60 != 0 || timeout_ms <= 0 ||
        pause_ms < 0) {
        fprintf(stderr, "board_feed: the address is 1 to 254, --every a whole number of minutes, "
                        "--timeout-ms above 0\n");
        return 1;
    }

    /* The center, as the switch keeps it: New York time, two queues, SL within 20 s. */
    cb_center_config config;
    check(cb_center_config_default(&config), "a center");
    config.utc_offset_minutes = -300;
    config.dst_rule = CB_DST_US;
    cb_center *center = NULL;
    check(cb_center_new(&config, &center), "a center");
    cb_queue_config queue = {20, 0, 0, 5000};
    check(cb_center_add_queue(center, STREETS, &queue), "a queue");
    check(cb_center_add_queue(center, SANITATION, &queue), "a queue");
    sunday(center);
    cb_sla_tracker *tracker = sanitation_agreement();
    cb_board_config board = describe_board();

    int fd = connect_to(argv[1]);
    cb_wire_decoder *decoder = NULL;
    check(cb_wire_decoder_new(&decoder), "a decoder");
    uint8_t bytes[CB_WIRE_MAX_FRAME_BYTES];
    size_t len = 0;
    cb_board_answer answer;

    /* Is the board there? Then its settings. */
    uint16_t sequence = next_sequence++;
    check(cb_wire_encode_ping((uint8_t)address, sequence, bytes, sizeof bytes, &len), "a ping");
    if (!exchange(fd, decoder, (uint8_t)address, bytes, len, sequence, timeout_ms, &answer) ||
        answer.kind != CB_ANSWER_STATUS) {
        fprintf(stderr, "board_feed: board %u does not answer at %s\n", address, argv[1]);
        return 2;
    }
    printf("board %u at %s: up %u s, showing %s\n", address, argv[1], answer.uptime_s,
           answer.has_shown_sequence ? "a frame" : "its start-up screen");
    sequence = next_sequence++;
    check(cb_wire_encode_configure((uint8_t)address, sequence, &board.settings, bytes,
                                   sizeof bytes, &len),
          "settings");
    if (!exchange(fd, decoder, (uint8_t)address, bytes, len, sequence, timeout_ms, &answer) ||
        answer.kind != CB_ANSWER_ACK) {
        fprintf(stderr, "board_feed: board %u refused its settings\n", address);
        return 2;
    }

    /* The day: the switch runs minute by minute; every `every_s` the board gets a frame. */
    unsigned sent = 0, acknowledged = 0, refused = 0, unanswered = 0, missed_in_a_row = 0;
    for (unsigned hour = 7, minute = 30; hour * 60 + minute <= 20 * 60 + 30;) {
        if (hour == 7 && minute == 55) {
            for (uint32_t a = 1; a <= AGENTS; a++) {
                apply(center, agent_event(CB_EVENT_AGENT_JOINED_QUEUE, AT(7, 55), a, STREETS, 0));
                apply(center,
                      agent_event(CB_EVENT_AGENT_JOINED_QUEUE, AT(7, 55), a, SANITATION, 0));
                apply(center, agent_event(CB_EVENT_AGENT_STATE, AT(7, 55), a, 0,
                                          CB_AGENT_AVAILABLE));
            }
        }
        minute_of_switch(center, hour, minute);
        if (hour == 14 && minute == 0) {
            strcpy(board.announcement, "Storm: streets flooded, expect long waits");
        } else if (hour == 16 && minute == 0) {
            board.announcement[0] = '\0';
        }
        if ((hour * 60 + minute - 7 * 60 - 30) % (every_s / 60) == 0) {
            if (sent > 0 && pause_ms > 0) {
                struct timespec pause = {pause_ms / 1000, (long)(pause_ms % 1000) * 1000000L};
                nanosleep(&pause, NULL);
            }
            uint64_t now = AT(hour, minute) + 59 * SECOND;
            check(cb_center_advance_to(center, now), "the clock");
            cb_board_frame frame;
            check(cb_board_frame_from_center(center, tracker, &board, &frame), "a frame");
            sequence = next_sequence++;
            check(cb_wire_encode_display((uint8_t)address, sequence, &frame, bytes, sizeof bytes,
                                         &len),
                  "encoding a frame");
            char what[160] = "";
            describe_frame(&frame, what, sizeof what);
            printf("%02u:%02u  %-60s #%u: ", hour, minute, what, sequence);
            sent++;
            if (!exchange(fd, decoder, (uint8_t)address, bytes, len, sequence, timeout_ms,
                          &answer)) {
                unanswered++;
                printf("no answer\n");
                if (++missed_in_a_row == MISSES_BEFORE_REPORT) {
                    printf("board %u stopped answering: %u frames in a row unanswered\n",
                           address, missed_in_a_row);
                }
            } else {
                if (answer.kind == CB_ANSWER_ACK) {
                    acknowledged++;
                    printf("ack");
                } else {
                    refused++;
                    printf("refused (reason %u)", answer.nack_reason);
                }
                if (missed_in_a_row >= MISSES_BEFORE_REPORT) {
                    printf("; board %u answers again", address);
                }
                printf("\n");
                missed_in_a_row = 0;
                if (checking && answer.kind == CB_ANSWER_ACK) {
                    print_bytes("frame", sequence, bytes, len);
                    uint16_t asked = next_sequence++;
                    uint8_t question[64];
                    size_t question_len = 0;
                    check(cb_wire_encode_what_are_you_showing((uint8_t)address, asked, question,
                                                              sizeof question, &question_len),
                          "a question");
                    if (exchange(fd, decoder, (uint8_t)address, question, question_len, asked,
                                 timeout_ms, &answer) &&
                        answer.kind == CB_ANSWER_SHOWING) {
                        printf("showing %u screen %u at %llu crc %08x\n", answer.shown_sequence,
                               answer.screen, (unsigned long long)answer.shown_at_ms,
                               answer.framebuffer_crc);
                    } else {
                        printf("showing: no answer\n");
                    }
                }
            }
        }
        if (++minute == 60) {
            minute = 0;
            hour++;
        }
    }

    printf("sent %u frames: %u acknowledged, %u refused, %u unanswered\n", sent, acknowledged,
           refused, unanswered);
    sequence = next_sequence++;
    check(cb_wire_encode_ping((uint8_t)address, sequence, bytes, sizeof bytes, &len), "a ping");
    if (exchange(fd, decoder, (uint8_t)address, bytes, len, sequence, timeout_ms, &answer)) {
        uint32_t discarded = answer.counts.oversized + answer.counts.bad_framing +
                             answer.counts.truncated + answer.counts.bad_crc +
                             answer.counts.unknown_version + answer.counts.other_address +
                             answer.counts.malformed;
        printf("board %u: up %u s; it accepted %u frames and discarded %u\n", address,
               answer.uptime_s, answer.counts.accepted, discarded);
    } else {
        printf("board %u: no status\n", address);
    }
    cb_wire_counts counts;
    check(cb_wire_decoder_counts(decoder, &counts), "counts");
    printf("answers read: %u, discarded: %u\n", counts.accepted,
           counts.oversized + counts.bad_framing + counts.truncated + counts.bad_crc +
               counts.unknown_version + counts.other_address + counts.malformed);

    close(fd);
    cb_wire_decoder_free(decoder);
    cb_sla_tracker_free(tracker);
    cb_center_free(center);
    return acknowledged == sent ? 0 : 2;
}
