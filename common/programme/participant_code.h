/* participant_code.h - participant codes: the pseudonym a person is known by
 * everywhere (registers, exports, the reader's display).
 *
 * A new code is "P-" and six characters drawn at random from an alphabet
 * without look-alikes (no 0/O, 1/I/L, 5/S, 2/Z, 8/B, U/V), so it can be read
 * out at a session and typed back without mistakes, and says nothing about
 * the person or the order they joined in. Codes made before this rule
 * ("P-" and digits) stay valid. */
#ifndef TL_PARTICIPANT_CODE_H
#define TL_PARTICIPANT_CODE_H

#include <stddef.h>

#define TL_CODE_LEN 16          /* room for any valid code and its NUL */
#define TL_CODE_RANDOM 6        /* characters after "P-" in a new code */

/* Writes a new random code to out; -1 if the kernel gave no randomness. */
int tl_participant_code_new(char out[TL_CODE_LEN]);
/* 1 if code is a well-formed participant code: "P-" and 4 to 12 of the
 * code alphabet or digits (upper case). */
int tl_participant_code_valid(const char *code);

#endif
