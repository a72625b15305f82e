/*
 * Authenticated frames from C (PROTOCOL.md, "Authenticated frames"): a frame the encoders
 * wrote, sealed with cb_wire_seal into the bytes the golden vectors give (computed apart with
 * Python's hmac, hashlib and zlib); a decoder with a key taking a board's authenticated answer
 * with its session and the counter it answers, and refusing and counting the rest; every
 * refusal leaving its outputs as they were.
 */
#include "callboard.h"
#include "check.h"

#include <stdio.h>
#include <string.h>

/* The golden vectors' key: the bytes 00 to 1f. */
static void golden_key(uint8_t key[CB_WIRE_KEY_BYTES]) {
    for (size_t i = 0; i < CB_WIRE_KEY_BYTES; i++) {
        key[i] = (uint8_t)i;
    }
}

/* Ping to board 3, sequence 0x0102, session 0, counter 1. */
static const uint8_t SEALED_PING[] = {
    0x05, 0x03, 0x03, 0x02, 0x01, 0x01, 0x01, 0x01, 0x02, 0x01, 0x01, 0x01,
    0x16, 0x02, 0x1c, 0x45, 0xd5, 0x36, 0xd7, 0x1e, 0xc7, 0x70, 0x72, 0x1d,
    0x48, 0xeb, 0x39, 0x81, 0xe0, 0x7e, 0xa5, 0xe3, 0x5f, 0x8c, 0x00};
/* Board 3's Ack to it, in its session 42. */
static const uint8_t SEALED_ACK[] = {
    0x06, 0x03, 0x03, 0x02, 0x01, 0x2a, 0x01, 0x01, 0x02, 0x01, 0x01, 0x01,
    0x01, 0x15, 0x73, 0xcf, 0xde, 0x59, 0xb9, 0x07, 0x5e, 0xde, 0x20, 0xd1,
    0xbd, 0xfc, 0xa8, 0x0c, 0xb1, 0xff, 0x0a, 0x77, 0x97, 0xf7, 0x00};
/* The same Ack unauthenticated (version 2), PROTOCOL.md's worked example. */
static const uint8_t PLAIN_ACK[] = {0x05, 0x02, 0x03, 0x02, 0x01, 0x05,
                                    0xbc, 0xee, 0xc8, 0xb4, 0x00};

static void sealing(void) {
    uint8_t key[CB_WIRE_KEY_BYTES];
    golden_key(key);
    uint8_t plain[CB_WIRE_MAX_FRAME_BYTES];
    size_t plain_len = 0;
    CHECK_STATUS(cb_wire_encode_ping(3, 0x0102, plain, sizeof plain, &plain_len), CB_STATUS_OK);
    cb_wire_auth auth = {.session = 0, .counter = 1};
    uint8_t sealed[CB_WIRE_MAX_FRAME_BYTES];
    size_t written = 0;
    CHECK_STATUS(cb_wire_seal(key, sizeof key, auth, plain, plain_len, sealed, sizeof sealed,
                              &written),
                 CB_STATUS_OK);
    CHECK(written == sizeof SEALED_PING);
    CHECK(memcmp(sealed, SEALED_PING, sizeof SEALED_PING) == 0);

    /* A buffer too short learns the length it needs; nothing is written to it. */
    uint8_t small[8];
    memset(small, 0xA5, sizeof small);
    size_t needed = 0;
    CHECK_STATUS(cb_wire_seal(key, sizeof key, auth, plain, plain_len, small, sizeof small,
                              &needed),
                 CB_STATUS_BUFFER_TOO_SMALL);
    CHECK(needed == sizeof SEALED_PING);
    CHECK(small[0] == 0xA5 && small[7] == 0xA5);

    /* Refusals leave *written alone. */
    size_t before = 12345;
    CHECK_STATUS(cb_wire_seal(NULL, sizeof key, auth, plain, plain_len, sealed, sizeof sealed,
                              &before),
                 CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_wire_seal(key, 16, auth, plain, plain_len, sealed, sizeof sealed, &before),
                 CB_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(cb_wire_seal(key, sizeof key, auth, NULL, plain_len, sealed, sizeof sealed,
                              &before),
                 CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_wire_seal(key, sizeof key, auth, plain, plain_len, NULL, sizeof sealed,
                              &before),
                 CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_wire_seal(key, sizeof key, auth, plain, plain_len, sealed, sizeof sealed,
                              NULL),
                 CB_STATUS_NULL_ARGUMENT);
    /* Not one whole version-2 frame: cut, already sealed, a byte changed. */
    CHECK_STATUS(cb_wire_seal(key, sizeof key, auth, plain, plain_len - 1, sealed,
                              sizeof sealed, &before),
                 CB_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(cb_wire_seal(key, sizeof key, auth, SEALED_PING, sizeof SEALED_PING, sealed,
                              sizeof sealed, &before),
                 CB_STATUS_INVALID_ARGUMENT);
    plain[2] ^= 0x40;
    CHECK_STATUS(cb_wire_seal(key, sizeof key, auth, plain, plain_len, sealed, sizeof sealed,
                              &before),
                 CB_STATUS_INVALID_ARGUMENT);
    CHECK(before == 12345);
}

static void answers(void) {
    uint8_t key[CB_WIRE_KEY_BYTES];
    golden_key(key);
    cb_wire_decoder *decoder = NULL;
    CHECK_STATUS(cb_wire_decoder_new(&decoder), CB_STATUS_OK);
    CHECK_STATUS(cb_wire_decoder_set_key(decoder, key, 31), CB_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(cb_wire_decoder_set_key(decoder, NULL, sizeof key), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_wire_decoder_set_key(NULL, key, sizeof key), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_wire_decoder_set_key(decoder, key, sizeof key), CB_STATUS_OK);

    /* The authenticated Ack: the board's session and the counter it answers. */
    size_t consumed = 0;
    bool has = false;
    cb_board_answer answer;
    CHECK_STATUS(cb_wire_decoder_feed(decoder, SEALED_ACK, sizeof SEALED_ACK, &consumed, &has,
                                      &answer),
                 CB_STATUS_OK);
    CHECK(has && consumed == sizeof SEALED_ACK);
    CHECK(answer.kind == CB_ANSWER_ACK && answer.version == CB_WIRE_AUTHENTICATED_VERSION);
    CHECK(answer.address == 3 && answer.sequence == 0x0102);
    CHECK(answer.has_auth && answer.auth.session == 42 && answer.auth.counter == 1);

    /* An unauthenticated answer, and one tagged under another key: refused and counted. */
    CHECK_STATUS(cb_wire_decoder_feed(decoder, PLAIN_ACK, sizeof PLAIN_ACK, &consumed, &has,
                                      &answer),
                 CB_STATUS_OK);
    CHECK(!has && consumed == sizeof PLAIN_ACK);
    uint8_t forged[sizeof SEALED_ACK];
    memcpy(forged, SEALED_ACK, sizeof forged);
    forged[20] ^= 0x01; /* a tag byte: the CRC no longer holds either, so fix nothing else */
    CHECK_STATUS(cb_wire_decoder_feed(decoder, forged, sizeof forged, &consumed, &has, &answer),
                 CB_STATUS_OK);
    CHECK(!has);
    cb_wire_auth_counts refused;
    memset(&refused, 0xA5, sizeof refused);
    CHECK_STATUS(cb_wire_decoder_auth_counts(decoder, &refused), CB_STATUS_OK);
    CHECK(refused.unauthenticated == 1 && refused.forged == 0);
    CHECK(refused.replayed == 0 && refused.other_session == 0);
    cb_wire_counts counts;
    CHECK_STATUS(cb_wire_decoder_counts(decoder, &counts), CB_STATUS_OK);
    CHECK(counts.accepted == 1 && counts.bad_crc == 1);
    CHECK_STATUS(cb_wire_decoder_auth_counts(decoder, NULL), CB_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cb_wire_decoder_auth_counts(NULL, &refused), CB_STATUS_NULL_ARGUMENT);
    cb_wire_decoder_free(decoder);

    /* The security question encodes like the others. */
    uint8_t question[CB_WIRE_MAX_FRAME_BYTES];
    size_t written = 0;
    CHECK_STATUS(cb_wire_encode_security(3, 9, question, sizeof question, &written),
                 CB_STATUS_OK);
    CHECK(written > 0 && question[written - 1] == 0);
}

int main(void) {
    sealing();
    answers();
    if (failures != 0) {
        fprintf(stderr, "auth: %d checks failed\n", failures);
        return 1;
    }
    printf("auth: all checks passed\n");
    return 0;
}
