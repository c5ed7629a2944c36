/* Helpers shared by the core's C files (not part of its API). */
#ifndef BD_TEXT_H
#define BD_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8); /* little-endian machines only (x86-64, arm64) */
    return v;
}

/* character classes of ASCII bytes, one table look-up each (bytes >= 0x80 are in none) */
enum { BD_ALNUM = 1, BD_LOCAL = 2, BD_DOMAIN = 4 };
static const uint8_t BD_CLASS[256] = {
    ['0' ... '9'] = BD_ALNUM | BD_LOCAL | BD_DOMAIN,
    ['a' ... 'z'] = BD_ALNUM | BD_LOCAL | BD_DOMAIN,
    ['A' ... 'Z'] = BD_ALNUM | BD_LOCAL | BD_DOMAIN,
    ['.'] = BD_LOCAL | BD_DOMAIN,
    ['-'] = BD_LOCAL | BD_DOMAIN,
    ['_'] = BD_LOCAL,
    ['+'] = BD_LOCAL,
};

static inline int is_alnum(uint8_t c) { return BD_CLASS[c] & BD_ALNUM; }

static inline int is_local(uint8_t c) { return BD_CLASS[c] & BD_LOCAL; }

static inline int is_domain(uint8_t c) { return BD_CLASS[c] & BD_DOMAIN; }

static inline int hexval(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static inline int uhex(uint8_t c) { /* upper-case hex, as quoted-printable writes it */
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static inline uint8_t lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c; }

/* a letter, digit or mark outside ASCII (bd_tables.h, generated from Unicode data) */
int bd_is_word_cp(uint32_t cp);
/* one UTF-8 sequence at p[0..n): its length, 0 when invalid */
int bd_utf8_at(const uint8_t *p, size_t n, uint32_t *cp);
/* the code point that ends right before p[end], starting at or after lo: length or 0 */
int bd_utf8_before(const uint8_t *p, size_t lo, size_t end, uint32_t *cp);
/* an HTML character reference at p[0] == '&': its code point and length, or 0 */
size_t bd_entity_at(const uint8_t *p, size_t n, uint32_t *cp);
/* ``\\uXXXX`` at p[0] == '\\': the value, or -1 */
int32_t bd_u4_at(const uint8_t *p, size_t n);
/* one decoding pass; out and omap hold at least n entries; returns the length */
size_t bd_decode_pass(const uint8_t *in, size_t n, const uint32_t *imap, uint8_t *out, uint32_t *omap,
                      int *changed);

typedef struct {
    size_t s, e;      /* local run start, domain run end (boundaries for the fast path) */
    int limit_l, limit_r;       /* a run hit its length limit */
    int nonascii_l, nonascii_r; /* the runs hold non-ASCII characters */
    int dom_ok;                 /* the domain alone is valid */
    int ok;           /* a valid ASCII address is in val */
    int forced;       /* a valid-looking non-ASCII address: Python normalises it */
    uint8_t val[BD_VAL];
    size_t vlen, llen; /* value length, local-part length */
} bd_ext;

/* the address around b[at] == '@' within [lo, hi) */
void bd_extract(const uint8_t *b, size_t lo, size_t hi, size_t at, bd_ext *x);
/* does the plain extraction's left / right edge touch something the decoder would change? */
int bd_left_needs_decode(const uint8_t *b, size_t lo, const bd_ext *x);
int bd_right_needs_decode(const uint8_t *b, size_t hi, const bd_ext *x);

#endif
