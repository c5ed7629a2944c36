/* breachdesk compiled detection core. The Python reference is breachdesk/detect/reference.py;
 * both follow the rules in docs/detect.md and a differential test holds them together.
 * Every read is bounds-checked against the buffer it belongs to (fuzzed with ASan). */
#include "bd_scan.h"

#include <stdlib.h>
#include <string.h>

#include "bd_tables.h"

/* ---------------------------------------------------------------- BLAKE2b (RFC 7693) */

static const uint64_t B2_IV[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

static const uint8_t B2_SIGMA[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

static inline uint64_t rotr64(uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

static inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8); /* little-endian machines only (x86-64, arm64) */
    return v;
}

#define B2G(a, b, c, d, x, y)         \
    do {                              \
        a = a + b + (x);              \
        d = rotr64(d ^ a, 32);        \
        c = c + d;                    \
        b = rotr64(b ^ c, 24);        \
        a = a + b + (y);              \
        d = rotr64(d ^ a, 16);        \
        c = c + d;                    \
        b = rotr64(b ^ c, 63);        \
    } while (0)

static void b2_compress(uint64_t h[8], const uint8_t block[128], uint64_t t, int last) {
    uint64_t m[16], v[16];
    for (int i = 0; i < 16; i++) m[i] = load64(block + 8 * i);
    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = B2_IV[i];
    }
    v[12] ^= t;
    if (last) v[14] = ~v[14];
    for (int r = 0; r < 12; r++) {
        const uint8_t *s = B2_SIGMA[r];
        B2G(v[0], v[4], v[8], v[12], m[s[0]], m[s[1]]);
        B2G(v[1], v[5], v[9], v[13], m[s[2]], m[s[3]]);
        B2G(v[2], v[6], v[10], v[14], m[s[4]], m[s[5]]);
        B2G(v[3], v[7], v[11], v[15], m[s[6]], m[s[7]]);
        B2G(v[0], v[5], v[10], v[15], m[s[8]], m[s[9]]);
        B2G(v[1], v[6], v[11], v[12], m[s[10]], m[s[11]]);
        B2G(v[2], v[7], v[8], v[13], m[s[12]], m[s[13]]);
        B2G(v[3], v[4], v[9], v[14], m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

/* keyed, 8-byte digest, personalisation: the state after the key block */
static void b2_init_keyed(bd_b2b *st, const uint8_t *key, size_t keylen, const char *person,
                          uint64_t outlen) {
    uint8_t block[128];
    uint8_t pers[16];
    memset(pers, 0, sizeof pers);
    memcpy(pers, person, strlen(person) < 16 ? strlen(person) : 16);
    for (int i = 0; i < 8; i++) st->h[i] = B2_IV[i];
    st->h[0] ^= 0x01010000ULL ^ ((uint64_t)keylen << 8) ^ outlen;
    st->h[6] ^= load64(pers);
    st->h[7] ^= load64(pers + 8);
    memset(block, 0, sizeof block);
    memcpy(block, key, keylen);
    b2_compress(st->h, block, 128, 0);
}

uint64_t bd_hash(const bd_b2b *st, const uint8_t *msg, size_t len) {
    uint64_t h[8];
    uint8_t block[128];
    uint64_t t = 128;
    memcpy(h, st->h, sizeof h);
    while (len > 128) {
        t += 128;
        b2_compress(h, msg, t, 0);
        msg += 128;
        len -= 128;
    }
    memset(block, 0, sizeof block);
    if (len) memcpy(block, msg, len);
    t += len;
    b2_compress(h, block, t, 1);
    return h[0];
}

void bd_index_init(bd_index *ix, const uint8_t *key, size_t keylen) {
    if (keylen > 64) keylen = 64;
    b2_init_keyed(&ix->email, key, keylen, "bd:email", 8);
    b2_init_keyed(&ix->phone, key, keylen, "bd:phone", 8);
    b2_init_keyed(&ix->cid, key, keylen, "bd:customerid", 8);
    b2_init_keyed(&ix->nameword, key, keylen, "bd:nameword", 2);
    b2_init_keyed(&ix->name, key, keylen, "bd:name", 2);
}

/* --------------------------------------------------------------------- index lookup */

/* first position with keys[pos] >= q; keys are uniform hashes, so start where q would be */
static size_t lower_bound(const uint64_t *keys, size_t n, uint64_t q) {
    if (n == 0) return 0;
    size_t guess = (size_t)(((unsigned __int128)q * n) >> 64);
    if (guess >= n) guess = n - 1;
    size_t lo, hi, step = 16;
    if (keys[guess] < q) {
        lo = guess + 1;
        hi = lo;
        while (hi < n && keys[hi] < q) {
            lo = hi + 1;
            hi = (n - hi > step) ? hi + step : n;
            step <<= 1;
        }
    } else {
        hi = guess;
        lo = hi;
        while (lo > 0 && keys[lo - 1] >= q) {
            hi = lo - 1;
            lo = (lo > step) ? lo - step : 0;
            step <<= 1;
        }
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < q)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int bd_lookup(const uint64_t *keys, const uint32_t *rows, size_t n, uint64_t q, uint32_t *out,
              int max) {
    if (!keys || n == 0) return 0;
    size_t i = lower_bound(keys, n, q);
    int k = 0;
    while (i < n && keys[i] == q && k < max) out[k++] = rows[i++];
    return k;
}

uint32_t *bd_buckets(const uint64_t *keys, size_t n, int *bits) {
    int b = 8;
    while (b < 26 && ((size_t)1 << b) * 8 < n) b++;
    size_t nb = (size_t)1 << b;
    uint32_t *t = malloc((nb + 1) * sizeof(uint32_t));
    if (!t) return NULL;
    size_t i = 0;
    for (size_t k = 0; k < nb; k++) {
        while (i < n && (keys[i] >> (64 - b)) < k) i++;
        t[k] = (uint32_t)i;
    }
    t[nb] = (uint32_t)n;
    *bits = b;
    return t;
}

int bd_lookup_b(const uint64_t *keys, const uint32_t *rows, size_t n, const uint32_t *bucket,
                int bits, uint64_t q, uint32_t *out, int max) {
    if (!bucket) return bd_lookup(keys, rows, n, q, out, max);
    if (!keys || n == 0) return 0;
    size_t b = (size_t)(q >> (64 - bits));
    size_t lo = bucket[b], hi = bucket[b + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < q)
            lo = mid + 1;
        else
            hi = mid;
    }
    int k = 0;
    while (lo < n && keys[lo] == q && k < max) out[k++] = rows[lo++];
    return k;
}

int64_t bd_viewer_row(const bd_index *ix, const uint8_t *id, size_t len) {
    uint32_t row;
    if (!ix->ids || ix->nids == 0 || len == 0) return -1;
    if (bd_lookup_b(ix->ids, ix->idrows, ix->nids, ix->ibucket, ix->ibits, bd_hash(&ix->cid, id, len), &row, 1))
        return row;
    return -1;
}

/* ------------------------------------------------------------------- character classes */

static int is_word_cp(uint32_t cp) {
    if (cp < 0x80) return 0;
    size_t lo = 0, hi = BD_WORD_RANGES;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < bd_word_ranges[mid][0])
            hi = mid;
        else if (cp > bd_word_ranges[mid][1])
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

static inline int is_alnum(uint8_t c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline int is_local(uint8_t c) {
    return is_alnum(c) || c == '.' || c == '_' || c == '+' || c == '-';
}
static inline int is_domain(uint8_t c) { return is_alnum(c) || c == '-' || c == '.'; }
static inline int hexval(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
static inline int uhex(uint8_t c) { /* upper-case hex, as quoted-printable writes it */
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* decode one UTF-8 sequence at p[0..n); returns its length, 0 when invalid */
static int utf8_at(const uint8_t *p, size_t n, uint32_t *cp) {
    uint8_t c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int len;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
    } else
        return 0;
    if ((size_t)len > n) return 0;
    for (int i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)))
        return 0;
    *cp = v;
    return len;
}

/* the code point that ends right before p[end], starting at or after lo; length or 0 */
static int utf8_before(const uint8_t *p, size_t lo, size_t end, uint32_t *cp) {
    size_t k = end - 1;
    int back = 0;
    while (k > lo && (p[k] & 0xC0) == 0x80 && back < 3) {
        k--;
        back++;
    }
    int len = utf8_at(p + k, end - k, cp);
    if (len == 0 || k + (size_t)len != end) return 0;
    return len;
}

static int put_utf8(uint8_t *o, uint32_t cp) {
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (uint8_t)(0xC0 | (cp >> 6));
        o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xE0 | (cp >> 12));
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | (cp >> 18));
    o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* offset of the first invalid UTF-8 sequence, or -1 (8 ASCII bytes a step) */
int64_t bd_utf8_invalid(const uint8_t *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n && (load64(p + i) & 0x8080808080808080ULL) == 0) {
            i += 8;
            continue;
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        int len = utf8_at(p + i, n - i, &cp);
        if (!len) return (int64_t)i;
        i += (size_t)len;
    }
    return -1;
}

/* ------------------------------------------------------------------------- decoding */

/* an HTML character reference at p[0] == '&': its code point and length, or 0 */
static size_t entity_at(const uint8_t *p, size_t n, uint32_t *cp) {
    if (n < 3) return 0;
    if (p[1] == '#') {
        size_t i = 2;
        uint32_t v = 0;
        int digits = 0;
        if (i < n && (p[i] == 'x' || p[i] == 'X')) {
            i++;
            while (i < n && digits < 6 && hexval(p[i]) >= 0) {
                v = v * 16 + (uint32_t)hexval(p[i]);
                i++;
                digits++;
            }
        } else {
            while (i < n && digits < 7 && p[i] >= '0' && p[i] <= '9') {
                v = v * 10 + (uint32_t)(p[i] - '0');
                i++;
                digits++;
            }
        }
        if (!digits || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
        if (i < n && p[i] == ';') i++;
        *cp = v;
        return i;
    }
    if (!((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z'))) return 0;
    size_t i = 2;
    while (i < n && i < 34 && is_alnum(p[i])) i++;
    if (i >= n || p[i] != ';' || i - 1 < 2) return 0;
    size_t len = i - 1;
    for (int k = 0; k < BD_ENTITIES; k++) {
        if (bd_entities[k].len == len && memcmp(bd_entities[k].name, p + 1, len) == 0) {
            *cp = bd_entities[k].cp;
            return i + 1;
        }
    }
    return 0;
}

/* ``\uXXXX`` at p[0] == '\\': the value, or -1 */
static int32_t u4_at(const uint8_t *p, size_t n) {
    if (n < 6 || p[1] != 'u') return -1;
    int32_t v = 0;
    for (int i = 2; i < 6; i++) {
        int h = hexval(p[i]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

/* one left-to-right pass; out and omap hold at least n entries; returns the length */
static size_t decode_pass(const uint8_t *in, size_t n, const uint32_t *imap, uint8_t *out,
                          uint32_t *omap, int *changed) {
    size_t i = 0, o = 0;
    while (i < n) {
        uint8_t c = in[i];
        uint32_t src = imap[i];
        size_t used = 0;
        int wrote = 0;
        uint8_t tmp[4];
        if (c == '\\' && i + 1 < n) {
            int32_t u = u4_at(in + i, n - i);
            if (u >= 0) {
                uint32_t cp = (uint32_t)u;
                used = 6;
                if (u >= 0xD800 && u <= 0xDBFF) {
                    int32_t lo2 = (i + 6 < n && in[i + 6] == '\\') ? u4_at(in + i + 6, n - i - 6) : -1;
                    if (lo2 >= 0xDC00 && lo2 <= 0xDFFF) {
                        cp = 0x10000 + (((uint32_t)u - 0xD800) << 10) + ((uint32_t)lo2 - 0xDC00);
                        used = 12;
                    } else
                        cp = 0xFFFD;
                } else if (u >= 0xDC00 && u <= 0xDFFF)
                    cp = 0xFFFD;
                wrote = put_utf8(tmp, cp);
            } else {
                uint8_t d = in[i + 1];
                uint8_t m = 0;
                switch (d) {
                    case '"': m = '"'; break;
                    case '\\': m = '\\'; break;
                    case '/': m = '/'; break;
                    case 'b': m = 8; break;
                    case 'f': m = 12; break;
                    case 'n': m = '\n'; break;
                    case 'r': m = '\r'; break;
                    case 't': m = '\t'; break;
                    default: break;
                }
                if (m) {
                    tmp[0] = m;
                    wrote = 1;
                    used = 2;
                }
            }
        } else if (c == '&') {
            uint32_t cp;
            size_t len = entity_at(in + i, n - i, &cp);
            if (len) {
                used = len;
                wrote = put_utf8(tmp, cp);
            }
        } else if (c == '%' && i + 2 < n && hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
            tmp[0] = (uint8_t)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
            wrote = 1;
            used = 3;
        } else if (c == '=' && i + 1 < n) {
            if (in[i + 1] == '\n') {
                used = 2;
            } else if (in[i + 1] == '\r' && i + 2 < n && in[i + 2] == '\n') {
                used = 3;
            } else if (i + 2 < n && uhex(in[i + 1]) && uhex(in[i + 2])) {
                uint8_t a = in[i + 1], b = in[i + 2];
                int v = hexval(a) * 16 + hexval(b);
                if (v == 0x40 || v == 0x2E || v == 0x2D || v == 0x5F || v == 0x2B || v == 0x3D) {
                    tmp[0] = (uint8_t)v;
                    wrote = 1;
                    used = 3;
                } else if (v >= 0xC2 && v <= 0xDF && i + 5 < n && in[i + 3] == '=' &&
                           (in[i + 4] == '8' || in[i + 4] == '9' || in[i + 4] == 'A' || in[i + 4] == 'B') &&
                           uhex(in[i + 5])) {
                    tmp[0] = (uint8_t)v;
                    tmp[1] = (uint8_t)(hexval(in[i + 4]) * 16 + hexval(in[i + 5]));
                    wrote = 2;
                    used = 6;
                } else if (v >= 0xE0 && v <= 0xEF && i + 8 < n && in[i + 3] == '=' &&
                           (in[i + 4] == '8' || in[i + 4] == '9' || in[i + 4] == 'A' || in[i + 4] == 'B') &&
                           uhex(in[i + 5]) && in[i + 6] == '=' &&
                           (in[i + 7] == '8' || in[i + 7] == '9' || in[i + 7] == 'A' || in[i + 7] == 'B') &&
                           uhex(in[i + 8])) {
                    tmp[0] = (uint8_t)v;
                    tmp[1] = (uint8_t)(hexval(in[i + 4]) * 16 + hexval(in[i + 5]));
                    tmp[2] = (uint8_t)(hexval(in[i + 7]) * 16 + hexval(in[i + 8]));
                    wrote = 3;
                    used = 9;
                }
            }
        } else if (c == 0xEF && i + 2 < n) {
            uint8_t b1 = in[i + 1], b2 = in[i + 2];
            if (b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF) {
                tmp[0] = (uint8_t)(b2 - 0x81 + 0x21);
                wrote = 1;
                used = 3;
            } else if (b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E) {
                tmp[0] = (uint8_t)(b2 - 0x80 + 0x60);
                wrote = 1;
                used = 3;
            } else if (b1 == 0xB9 && b2 == 0xAB) {
                tmp[0] = '@';
                wrote = 1;
                used = 3;
            }
        }
        if (used) {
            *changed = 1;
            for (int k = 0; k < wrote; k++) {
                out[o] = tmp[k];
                omap[o] = src;
                o++;
            }
            i += used;
        } else {
            out[o] = c;
            omap[o] = src;
            o++;
            i++;
        }
    }
    return o;
}

/* up to three passes (``%2540``, ``&amp;#64;``, ``\\u0040``); out/map hold n entries */
size_t bd_decode(const uint8_t *in, size_t n, uint8_t *out, uint32_t *map) {
    uint8_t *tmp = malloc(n ? n : 1);
    uint32_t *tmap = malloc((n ? n : 1) * sizeof(uint32_t));
    uint32_t *imap = malloc((n ? n : 1) * sizeof(uint32_t));
    if (!tmp || !tmap || !imap) {
        free(tmp);
        free(tmap);
        free(imap);
        return 0;
    }
    for (size_t i = 0; i < n; i++) imap[i] = (uint32_t)i;
    memcpy(tmp, in, n);
    memcpy(tmap, imap, n * sizeof(uint32_t));
    size_t len = n;
    for (int pass = 0; pass < 3; pass++) {
        int changed = 0;
        len = decode_pass(tmp, len, tmap, out, map, &changed);
        if (!changed) break;
        memcpy(tmp, out, len);
        memcpy(tmap, map, len * sizeof(uint32_t));
    }
    memcpy(out, tmp, len);
    memcpy(map, tmap, len * sizeof(uint32_t));
    free(tmp);
    free(tmap);
    free(imap);
    return len;
}

/* ----------------------------------------------------------------------- extraction */

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

static inline uint8_t lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c; }

/* the address around b[at] == '@' within [lo, hi) */
static void extract(const uint8_t *b, size_t lo, size_t hi, size_t at, bd_ext *x) {
    memset(x, 0, offsetof(bd_ext, val));
    x->vlen = 0;
    size_t s = at;
    while (s > lo) {
        uint8_t c = b[s - 1];
        if (c < 0x80) {
            if (!is_local(c)) break;
            if (at - (s - 1) > 64) {
                x->limit_l = 1;
                break;
            }
            s--;
            continue;
        }
        uint32_t cp;
        int len = utf8_before(b, lo, s, &cp);
        if (!len || !is_word_cp(cp)) break;
        if (at - (s - (size_t)len) > 64) {
            x->limit_l = 1;
            break;
        }
        s -= (size_t)len;
        x->nonascii_l = 1;
    }
    x->s = s;
    size_t e = at + 1;
    while (e < hi) {
        uint8_t c = b[e];
        if (e - (at + 1) >= 255) {
            x->limit_r = 1;
            break;
        }
        if (c < 0x80) {
            if (!is_domain(c)) break;
            e++;
            continue;
        }
        uint32_t cp;
        int len = utf8_at(b + e, hi - e, &cp);
        if (!len || !is_word_cp(cp)) break;
        e += (size_t)len;
        x->nonascii_r = 1;
    }
    x->e = e;
    /* domain labels, left to right */
    size_t lab_s[128], lab_n[128];
    int nl = 0;
    size_t pos = at + 1;
    while (nl < 128) {
        size_t st = pos;
        while (pos < e && b[pos] != '.') pos++;
        size_t len = pos - st;
        if (len == 0 || b[st] == '-') break;
        size_t t = len;
        while (t > 0 && b[st + t - 1] == '-') t--;
        if (t > 63) break;
        lab_s[nl] = st;
        lab_n[nl] = t;
        nl++;
        if (t != len) break;
        if (pos < e && b[pos] == '.') {
            pos++;
            continue;
        }
        break;
    }
    while (nl > 0) {
        uint8_t f = b[lab_s[nl - 1]];
        if ((f >= 'a' && f <= 'z') || (f >= 'A' && f <= 'Z') || f >= 0x80) break;
        nl--;
    }
    if (nl < 2) return;
    x->dom_ok = 1;
    /* local part: leading dots dropped; no trailing dot, no double dot */
    size_t ls = s;
    while (ls < at && b[ls] == '.') ls++;
    if (ls == at || b[at - 1] == '.') return;
    for (size_t k = ls; k + 1 < at; k++)
        if (b[k] == '.' && b[k + 1] == '.') return;
    int non = 0;
    for (size_t k = ls; k < at; k++) non |= b[k] >= 0x80;
    for (int k = 0; k < nl; k++)
        for (size_t j = 0; j < lab_n[k]; j++) non |= b[lab_s[k] + j] >= 0x80;
    size_t o = 0;
    if (non) { /* kept as written (decoded): Python applies NFKC, case-folding and IDNA */
        x->forced = 1;
        for (size_t k = ls; k < at && o < sizeof x->val; k++) x->val[o++] = b[k];
        if (o < sizeof x->val) x->val[o++] = '@';
        for (int k = 0; k < nl; k++) {
            if (k && o < sizeof x->val) x->val[o++] = '.';
            for (size_t j = 0; j < lab_n[k] && o < sizeof x->val; j++) x->val[o++] = b[lab_s[k] + j];
        }
        x->vlen = o;
        return;
    }
    for (size_t k = ls; k < at; k++) x->val[o++] = lower(b[k]);
    x->llen = o;
    x->val[o++] = '@';
    for (int k = 0; k < nl; k++) {
        if (k) {
            if (o >= sizeof x->val) return;
            x->val[o++] = '.';
        }
        for (size_t j = 0; j < lab_n[k]; j++) {
            if (o >= sizeof x->val) return;
            x->val[o++] = lower(b[lab_s[k] + j]);
        }
    }
    x->vlen = o;
    x->ok = 1;
}

/* a '=' that starts a soft line break or a quoted-printable code */
static int qp_start(const uint8_t *b, size_t i, size_t hi) {
    if (i + 1 >= hi) return 0;
    uint8_t d = b[i + 1];
    if (d == '\r' || d == '\n' || d == '\\') return 1;
    return i + 2 < hi && uhex(d) && uhex(b[i + 2]);
}

/* is the plain extraction's left edge touching something the decoder would change? */
static int left_needs_decode(const uint8_t *b, size_t lo, const bd_ext *x) {
    if (x->limit_l || x->nonascii_l) return 1;
    if (x->s <= lo) return 0;
    size_t p = x->s - 1;
    uint8_t c = b[p];
    switch (c) {
        case '\\':
        case '%':
        case '=':
            return 1;
        case '#':
            return p > lo && b[p - 1] == '&';
        case ';': {
            size_t k = p;
            while (k > lo && p - k < 40 && (is_alnum(b[k - 1]) || b[k - 1] == '#')) k--;
            return k > lo && b[k - 1] == '&';
        }
        case '\n':
            return (p > lo && b[p - 1] == '=') || (p > lo + 1 && b[p - 1] == '\r' && b[p - 2] == '=');
        case '\r':
            return p > lo && b[p - 1] == '=';
        default:
            if (c >= 0x80) {
                uint32_t cp;
                if (utf8_before(b, lo, x->s, &cp) && ((cp >= 0xFF01 && cp <= 0xFF5E) || cp == 0xFE6B))
                    return 1;
            }
    }
    return 0;
}

/* ... and its right edge? */
static int right_needs_decode(const uint8_t *b, size_t hi, const bd_ext *x) {
    if (x->limit_r || x->nonascii_r) return 1;
    if (x->e >= hi) return 0;
    size_t p = x->e;
    uint8_t c = b[p];
    if (c == '\\') return p + 1 < hi && (b[p + 1] == 'u' || b[p + 1] == '\\');
    if (c == '&') {
        uint32_t cp;
        return entity_at(b + p, hi - p, &cp) != 0;
    }
    if (c == '%') return p + 2 < hi && hexval(b[p + 1]) >= 0 && hexval(b[p + 2]) >= 0;
    if (c == '=') return qp_start(b, p, hi);
    if (c >= 0x80) {
        uint32_t cp;
        if (utf8_at(b + p, hi - p, &cp) && ((cp >= 0xFF01 && cp <= 0xFF5E) || cp == 0xFE6B)) return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------- the scan */

enum { A_NONE = 0, A_PLAIN = 1, A_ENC = 2, A_PCT = 3 };

/* does an (encoded) '@' start at b[i]? sets *len */
static int anchor_at(const uint8_t *b, size_t i, size_t hi, size_t *len) {
    uint8_t c = b[i];
    if (c == '@') {
        *len = 1;
        return A_PLAIN;
    }
    if (c == '&') {
        size_t j = i + 1;
        while (j + 4 <= hi && memcmp(b + j, "amp;", 4) == 0) j += 4;
        if (j < hi && b[j] == '#') {
            uint32_t cp;
            size_t l = entity_at(b + j - 1, hi - (j - 1), &cp);
            if (l && (cp == 0x40 || cp == 0xFF20 || cp == 0xFE6B)) {
                *len = j - 1 + l - i;
                return A_ENC;
            }
        } else if (j + 7 <= hi && memcmp(b + j, "commat;", 7) == 0) {
            *len = j + 7 - i;
            return A_ENC;
        }
        return A_NONE;
    }
    if (c == '\\') {
        size_t j = i;
        while (j < hi && b[j] == '\\') j++;
        if (j == i || j >= hi) return A_NONE;
        int32_t u = u4_at(b + j - 1, hi - (j - 1));
        if (u == 0x40 || u == 0xFF20 || u == 0xFE6B) {
            *len = j + 5 - i;
            return A_ENC;
        }
        return A_NONE;
    }
    if (c == '%') {
        size_t j = i + 1;
        while (j + 2 <= hi && b[j] == '2' && b[j + 1] == '5') j += 2;
        if (j + 2 <= hi && b[j] == '4' && b[j + 1] == '0') {
            *len = j + 2 - i;
            return A_PCT;
        }
        return A_NONE;
    }
    if (c == '=') {
        if (i + 2 < hi && b[i + 1] == '4' && b[i + 2] == '0') {
            *len = 3;
            return A_ENC;
        }
        return A_NONE;
    }
    if (c == 0xEF && i + 2 < hi &&
        ((b[i + 1] == 0xBC && b[i + 2] == 0xA0) || (b[i + 1] == 0xB9 && b[i + 2] == 0xAB))) {
        *len = 3;
        return A_ENC;
    }
    return A_NONE;
}

static void add_rows(bd_record *rec, const uint32_t *rows, int k) {
    for (int i = 0; i < k; i++) {
        int seen = 0;
        for (int j = 0; j < rec->nrows; j++)
            if (rec->rows[j] == rows[i]) {
                seen = 1;
                break;
            }
        if (seen) continue;
        if (rec->nrows < BD_MAX_ROWS)
            rec->rows[rec->nrows++] = rows[i];
        else
            rec->overflow = 1;
    }
}

static void push(bd_cands *cs, uint64_t h, int64_t row, uint32_t lo, uint32_t hi, uint32_t s,
                 uint32_t e, uint32_t kind) {
    if (!cs || cs->oom) return;
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 1024;
        bd_cand *p = realloc(cs->items, cap * sizeof(bd_cand));
        if (!p) {
            cs->oom = 1;
            return;
        }
        cs->items = p;
        cs->cap = cap;
    }
    bd_cand *c = &cs->items[cs->n++];
    c->hash = h;
    c->row = row;
    c->lo = lo;
    c->hi = hi;
    c->cs = s;
    c->ce = e;
    c->kind = kind;
    c->pad = 0;
}

typedef struct {
    const bd_index *ix;
    bd_record *rec;
    bd_cands *cands;
    uint32_t line_lo, line_hi; /* for candidates: the line (absolute offsets) */
} bd_ctx;

/* hash and look up an email, through the index's small cache of recent values */
static int cached_lookup(const bd_index *ix, const uint8_t *v, size_t n, uint64_t *h, uint32_t *rows) {
    bd_cache_entry *e = NULL;
    if (ix->cache && n <= sizeof e->val) {
        uint32_t f = 2166136261u;
        for (size_t i = 0; i < n; i++) f = (f ^ v[i]) * 16777619u;
        e = &ix->cache[f & (BD_CACHE - 1)];
        if (e->len == n && memcmp(e->val, v, n) == 0) {
            *h = e->hash;
            memcpy(rows, e->rows, e->nrows * sizeof(uint32_t));
            return e->nrows;
        }
    }
    *h = bd_hash(&ix->email, v, n);
    int k = bd_lookup_b(ix->keys, ix->rows, ix->nkeys, ix->kbucket, ix->kbits, *h, rows, 8);
    if (e && k <= 4) {
        e->hash = *h;
        e->nrows = (uint8_t)k;
        memcpy(e->rows, rows, (size_t)k * sizeof(uint32_t));
        memcpy(e->val, v, n);
        e->len = (uint8_t)n;
    }
    return k;
}

static void settle(bd_ctx *ctx, const bd_ext *x, int kind, uint32_t cs, uint32_t ce) {
    bd_record *rec = ctx->rec;
    if (x->forced) {
        rec->forced = 1;
        if (rec->nf < BD_MAX_FORCED && x->vlen + 1 < sizeof x->val) {
            /* a leading '%': the '@' was percent-encoded (try the parts after a '+') */
            size_t pre = kind == A_PCT;
            rec->fvals[rec->nf][0] = '%';
            memcpy(rec->fvals[rec->nf] + pre, x->val, x->vlen);
            rec->flen[rec->nf++] = (uint16_t)(x->vlen + pre);
        } else {
            rec->hard = 1;
        }
        push(ctx->cands, 0, -1, ctx->line_lo, ctx->line_hi, cs, ce, 4);
        return;
    }
    if (!x->ok) return;
    rec->emails++;
    uint32_t rows[8];
    uint64_t h;
    int k = cached_lookup(ctx->ix, x->val, x->vlen, &h, rows);
    if (k)
        add_rows(rec, rows, k);
    else
        rec->unknown++;
    push(ctx->cands, h, k ? (int64_t)rows[0] : -1, ctx->line_lo, ctx->line_hi, cs, ce, 1);
    if (kind == A_PCT) { /* ``q=hello+ann%40x.com``: each '+' may have been a space */
        for (size_t plus = 0; plus < x->llen; plus++) {
            if (x->val[plus] != '+') continue;
            const uint8_t *v = x->val + plus + 1;
            size_t n = x->vlen - plus - 1, ll = x->llen - plus - 1;
            if (ll == 0 || v[0] == '.' || v[0] == '+') continue;
            uint64_t h2 = bd_hash(&ctx->ix->email, v, n);
            int k2 = bd_lookup_b(ctx->ix->keys, ctx->ix->rows, ctx->ix->nkeys, ctx->ix->kbucket, ctx->ix->kbits, h2, rows, 8);
            if (k2) {
                add_rows(rec, rows, k2);
                push(ctx->cands, h2, rows[0], ctx->line_lo, ctx->line_hi, cs, ce, 1);
            }
        }
    }
}

#define WINDOW 2048
#define SMALL 256
#define MARGIN 64
#define WBUF (2 * WINDOW + 64)

/* decode [wlo, whi) and extract around the '@' that came from the anchor at ``at``;
   returns 0 when the address may reach past a window edge (try a wider one) */
static int decode_window(bd_ctx *ctx, const uint8_t *b, size_t lo, size_t hi, size_t wlo,
                         size_t whi, size_t at, int kind, uint32_t base, int last) {
    uint8_t in[WBUF], out[WBUF];
    uint32_t imap[WBUF], omap[WBUF];
    size_t n = whi - wlo;
    memcpy(in, b + wlo, n);
    for (size_t i = 0; i < n; i++) imap[i] = (uint32_t)(wlo + i);
    size_t len = n;
    for (int pass = 0; pass < 3; pass++) {
        int changed = 0;
        len = decode_pass(in, len, imap, out, omap, &changed);
        memcpy(in, out, len);
        memcpy(imap, omap, len * sizeof(uint32_t));
        if (!changed) break;
    }
    /* the decoded '@' that came from the anchor */
    size_t l = 0, r = len;
    while (l < r) {
        size_t m = (l + r) / 2;
        if (imap[m] < at)
            l = m + 1;
        else
            r = m;
    }
    if (l >= len || imap[l] != at || in[l] != '@') return 1;
    bd_ext x;
    extract(in, 0, len, l, &x);
    size_t rs = x.s < len ? imap[x.s] : whi, re = x.e < len ? imap[x.e] : whi;
    if (!last && ((wlo > lo && rs < wlo + MARGIN) || (whi < hi && re + MARGIN > whi))) return 0;
    settle(ctx, &x, kind, base + (uint32_t)rs, base + (uint32_t)re);
    return 1;
}

static void decode_path(bd_ctx *ctx, const uint8_t *b, size_t lo, size_t hi, size_t at,
                        size_t alen, int kind, uint32_t base) {
    size_t wlo = at > lo + SMALL ? at - SMALL : lo;
    size_t whi = (hi - at > SMALL + alen) ? at + alen + SMALL : hi;
    if (decode_window(ctx, b, lo, hi, wlo, whi, at, kind, base, 0)) return;
    wlo = at > lo + WINDOW ? at - WINDOW : lo;
    whi = (hi - at > WINDOW + alen) ? at + alen + WINDOW : hi;
    decode_window(ctx, b, lo, hi, wlo, whi, at, kind, base, 1);
}

static void phone_at(bd_ctx *ctx, const uint8_t *b, size_t i, size_t hi, size_t *next, uint32_t base) {
    *next = i + 1;
    if (i + 1 >= hi || b[i + 1] < '1' || b[i + 1] > '9') return;
    size_t j = i + 2, last = 0;
    int k = 0;
    while (j < hi && k < 23) {
        uint8_t c = b[j];
        if (c >= '0' && c <= '9')
            last = j;
        else if (!(c == ' ' || c == '.' || c == '(' || c == ')' || c == '-'))
            break;
        j++;
        k++;
    }
    if (!last || last < i + 2 + 5) return;
    size_t end = last + 1;
    uint8_t e164[24];
    size_t n = 0;
    e164[n++] = '+';
    for (size_t p = i + 1; p < end && n < sizeof e164; p++)
        if (b[p] >= '0' && b[p] <= '9') e164[n++] = b[p];
    *next = end;
    if (n - 1 < 7 || n - 1 > 15) return;
    uint32_t rows[8];
    uint64_t h = bd_hash(&ctx->ix->phone, e164, n);
    int found = bd_lookup_b(ctx->ix->keys, ctx->ix->rows, ctx->ix->nkeys, ctx->ix->kbucket, ctx->ix->kbits, h, rows, 8);
    if (found) add_rows(ctx->rec, rows, found);
    push(ctx->cands, h, found ? (int64_t)rows[0] : -1, ctx->line_lo, ctx->line_hi, base + (uint32_t)i,
         base + (uint32_t)end, 2);
}

static const int8_t *b64_table(void) {
    static int8_t t[256];
    static int ready = 0;
    if (!ready) {
        const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        memset(t, -1, sizeof t);
        for (int i = 0; i < 64; i++) t[(uint8_t)a[i]] = (int8_t)i;
        ready = 1;
    }
    return t;
}

static void scan_span(bd_ctx *ctx, const uint8_t *b, size_t lo, size_t hi, int depth, uint32_t base);

/* a JSON string that is all base64 (>= 24 characters): decode it and scan what it holds */
static void b64_field(bd_ctx *ctx, const uint8_t *b, size_t q, size_t hi, int depth, uint32_t base) {
    const int8_t *t = b64_table();
    size_t j = q + 1;
    while (j < hi && t[b[j]] >= 0) j++;
    size_t L = j - (q + 1);
    if (L < 24) return;
    size_t pad = 0;
    while (j < hi && b[j] == '=' && pad < 2) {
        j++;
        pad++;
    }
    if (!(j < hi && (b[j] == '"' || (b[j] == '\\' && j + 1 < hi && b[j + 1] == '"')))) return;
    if (!(((L + pad) % 4 == 0) || (pad == 0 && L % 4 != 1))) return;
    uint8_t *out = malloc(L / 4 * 3 + 3);
    if (!out) return;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t k = q + 1; k < q + 1 + L; k++) {
        acc = (acc << 6) | (uint32_t)t[b[k]];
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* binary payloads (images: a NUL byte in their first 64 bytes) hold no text */
    if (memchr(out, 0, o < 64 ? o : 64) != NULL) {
        free(out);
        return;
    }
    uint32_t saved_lo = ctx->line_lo, saved_hi = ctx->line_hi;
    /* candidates inside carry the field's raw span */
    bd_cands *cands = ctx->cands;
    size_t before = cands ? cands->n : 0;
    scan_span(ctx, out, 0, o, depth + 1, 0);
    if (cands)
        for (size_t k = before; k < cands->n; k++) {
            cands->items[k].cs = base + (uint32_t)(q + 1);
            cands->items[k].ce = base + (uint32_t)(q + 1 + L);
        }
    ctx->line_lo = saved_lo;
    ctx->line_hi = saved_hi;
    free(out);
}

static uint8_t TRIGGER[256];
static void init_triggers(void) {
    static int ready = 0;
    if (ready) return;
    TRIGGER['@'] = TRIGGER['&'] = TRIGGER['\\'] = TRIGGER['%'] = TRIGGER['='] = 1;
    TRIGGER['+'] = TRIGGER['"'] = TRIGGER[0xEF] = 1;
    ready = 1;
}

/* one trigger at b[i]: settle what starts there; returns where to go on */
static size_t handle(bd_ctx *ctx, const uint8_t *b, size_t i, size_t lo, size_t hi, int depth,
                     uint32_t base) {
    uint8_t c = b[i];
    if (c == '+') {
        size_t next;
        phone_at(ctx, b, i, hi, &next, base);
        return next;
    }
    if (c == '"') {
        if (depth < 2) b64_field(ctx, b, i, hi, depth, base);
        return i + 1;
    }
    size_t alen = 0;
    int kind = anchor_at(b, i, hi, &alen);
    if (kind == A_NONE) return i + 1;
    if (kind == A_PLAIN) {
        bd_ext x;
        extract(b, lo, hi, i, &x);
        int right = right_needs_decode(b, hi, &x);
        /* a domain that is invalid as written and as decoded (``@media``, ``@2x``): no
           address, whatever precedes the '@' */
        if (!right && !x.dom_ok) return i + alen;
        if (!right && !left_needs_decode(b, lo, &x))
            settle(ctx, &x, kind, base + (uint32_t)x.s, base + (uint32_t)x.e);
        else
            decode_path(ctx, b, lo, hi, i, alen, kind, base);
    } else {
        decode_path(ctx, b, lo, hi, i, alen, kind, base);
    }
    return i + alen;
}

#if defined(__SSE2__)
#include <emmintrin.h>
static inline __m128i in_range(__m128i v, char lo, int n) {
    __m128i t = _mm_add_epi8(_mm_sub_epi8(v, _mm_set1_epi8(lo)), _mm_set1_epi8((char)0x80));
    return _mm_cmplt_epi8(t, _mm_set1_epi8((char)(n - 128)));
}
static inline __m128i is_b64(__m128i v) {
    __m128i m = _mm_or_si128(in_range(v, 'A', 26), in_range(v, 'a', 26));
    m = _mm_or_si128(m, in_range(v, '0', 10));
    return _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('+')),
                                        _mm_cmpeq_epi8(v, _mm_set1_epi8('/'))));
}
/* positions in b[0..16) where something may start; reads b[0..39) */
static inline unsigned chunk_mask(const uint8_t *b) {
    __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)b);
    __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(b + 1));
    __m128i a = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8('@')),
                                          _mm_cmpeq_epi8(v0, _mm_set1_epi8('&'))),
                             _mm_or_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8('%')),
                                          _mm_cmpeq_epi8(v0, _mm_set1_epi8('+'))));
    a = _mm_or_si128(a, _mm_cmpeq_epi8(v0, _mm_set1_epi8((char)0xEF)));
    /* '\\' only before 'u' or another '\\'; '=' only before '4' (``=40``) */
    __m128i bs = _mm_and_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8('\\')),
                               _mm_or_si128(_mm_cmpeq_epi8(v1, _mm_set1_epi8('u')),
                                            _mm_cmpeq_epi8(v1, _mm_set1_epi8('\\'))));
    __m128i eq = _mm_and_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8('=')),
                               _mm_cmpeq_epi8(v1, _mm_set1_epi8('4')));
    a = _mm_or_si128(a, _mm_or_si128(bs, eq));
    /* '"' only where a base64 run of 24 could follow */
    __m128i q = _mm_cmpeq_epi8(v0, _mm_set1_epi8('"'));
    if (_mm_movemask_epi8(q)) {
        __m128i v12 = _mm_loadu_si128((const __m128i *)(const void *)(b + 12));
        __m128i v23 = _mm_loadu_si128((const __m128i *)(const void *)(b + 23));
        q = _mm_and_si128(q, _mm_and_si128(is_b64(v1), _mm_and_si128(is_b64(v12), is_b64(v23))));
        a = _mm_or_si128(a, q);
    }
    return (unsigned)_mm_movemask_epi8(a);
}
#define HAVE_CHUNKS 1
#endif

#if defined(HAVE_CHUNKS) && defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2")))
AVX2 static inline __m256i in_range32(__m256i v, char lo, int n) {
    __m256i t = _mm256_add_epi8(_mm256_sub_epi8(v, _mm256_set1_epi8(lo)), _mm256_set1_epi8((char)0x80));
    return _mm256_cmpgt_epi8(_mm256_set1_epi8((char)(n - 128)), t);
}
AVX2 static inline __m256i is_b64_32(__m256i v) {
    __m256i m = _mm256_or_si256(in_range32(v, 'A', 26), in_range32(v, 'a', 26));
    m = _mm256_or_si256(m, in_range32(v, '0', 10));
    return _mm256_or_si256(m, _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('+')),
                                              _mm256_cmpeq_epi8(v, _mm256_set1_epi8('/'))));
}
/* chunk_mask over 32 bytes; reads b[0..56) */
AVX2 static inline unsigned chunk_mask32(const uint8_t *b) {
    __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)b);
    __m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(b + 1));
    __m256i a = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v0, _mm256_set1_epi8('@')),
                                                 _mm256_cmpeq_epi8(v0, _mm256_set1_epi8('&'))),
                                _mm256_or_si256(_mm256_cmpeq_epi8(v0, _mm256_set1_epi8('%')),
                                                _mm256_cmpeq_epi8(v0, _mm256_set1_epi8('+'))));
    a = _mm256_or_si256(a, _mm256_cmpeq_epi8(v0, _mm256_set1_epi8((char)0xEF)));
    __m256i bs = _mm256_and_si256(_mm256_cmpeq_epi8(v0, _mm256_set1_epi8('\\')),
                                  _mm256_or_si256(_mm256_cmpeq_epi8(v1, _mm256_set1_epi8('u')),
                                                  _mm256_cmpeq_epi8(v1, _mm256_set1_epi8('\\'))));
    __m256i eq = _mm256_and_si256(_mm256_cmpeq_epi8(v0, _mm256_set1_epi8('=')),
                                  _mm256_cmpeq_epi8(v1, _mm256_set1_epi8('4')));
    a = _mm256_or_si256(a, _mm256_or_si256(bs, eq));
    __m256i q = _mm256_cmpeq_epi8(v0, _mm256_set1_epi8('"'));
    if (_mm256_movemask_epi8(q)) {
        __m256i v12 = _mm256_loadu_si256((const __m256i *)(const void *)(b + 12));
        __m256i v23 = _mm256_loadu_si256((const __m256i *)(const void *)(b + 23));
        q = _mm256_and_si256(q, _mm256_and_si256(is_b64_32(v1), _mm256_and_si256(is_b64_32(v12), is_b64_32(v23))));
        a = _mm256_or_si256(a, q);
    }
    return (unsigned)_mm256_movemask_epi8(a);
}
static int have_avx2(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return cached;
}
#define HAVE_CHUNKS32 1
#endif

#ifdef HAVE_CHUNKS32
AVX2 static size_t scan_avx2(bd_ctx *ctx, const uint8_t *b, size_t i, size_t lo, size_t hi, int depth,
                             uint32_t base) {
    while (hi - i >= 56) {
        unsigned mask = chunk_mask32(b + i);
        size_t chunk = i, resume = i;
        while (mask) {
            size_t p = chunk + (size_t)__builtin_ctz(mask);
            mask &= mask - 1;
            if (p < resume) continue;
            resume = handle(ctx, b, p, lo, hi, depth, base);
        }
        i = resume > chunk + 32 ? resume : chunk + 32;
        if (i >= hi) break;
    }
    return i;
}
#endif

static void scan_span(bd_ctx *ctx, const uint8_t *b, size_t lo, size_t hi, int depth, uint32_t base) {
    size_t i = lo;
#ifdef HAVE_CHUNKS32
    if (have_avx2()) {
        i = scan_avx2(ctx, b, i, lo, hi, depth, base);
        if (i >= hi) return;
    }
#endif
    while (i < hi) {
#ifdef HAVE_CHUNKS
        if (hi - i >= 40) {
            unsigned mask = chunk_mask(b + i);
            size_t chunk = i, resume = i;
            while (mask) {
                size_t p = chunk + (size_t)__builtin_ctz(mask);
                mask &= mask - 1;
                if (p < resume) continue;
                resume = handle(ctx, b, p, lo, hi, depth, base);
            }
            i = resume > chunk + 16 ? resume : chunk + 16;
            continue;
        }
#endif
        if (TRIGGER[b[i]])
            i = handle(ctx, b, i, lo, hi, depth, base);
        else
            i++;
    }
}

void bd_scan_record(const bd_index *ix, const uint8_t *p, size_t n, bd_record *rec,
                    bd_cands *cands, uint32_t base, uint32_t line_lo, uint32_t line_hi) {
    init_triggers();
    bd_ctx ctx = {ix, rec, cands, line_lo, line_hi};
    scan_span(&ctx, p, 0, n, 0, base);
}

/* ------------------------------------------------------------------- names (attribute) */

static inline int is_word_ascii(uint8_t c) { return is_alnum(c) || c == '_'; }

/* tokens ``[A-Za-z0-9_]+`` of the two segments, lower-cased, as spans into tmp */
typedef struct {
    uint8_t text[1024];
    uint16_t start[128], len[128];
    int n;
} bd_tokens;

static int tokenise(const uint8_t *p, size_t n, bd_tokens *t, size_t *used) {
    size_t i = 0;
    while (i < n) {
        if (p[i] >= 0x80) return -1;
        if (!is_word_ascii(p[i])) {
            i++;
            continue;
        }
        size_t st = i;
        while (i < n && is_word_ascii(p[i])) i++;
        if (t->n >= 128 || *used + (i - st) > sizeof t->text) return -2;
        t->start[t->n] = (uint16_t)*used;
        t->len[t->n] = (uint16_t)(i - st);
        for (size_t k = st; k < i; k++) t->text[(*used)++] = lower(p[k]);
        t->n++;
    }
    return 0;
}

static uint32_t word_hash(const bd_index *ix, const uint8_t *w, size_t n) {
    bd_word_entry *e = NULL;
    if (ix->words && n <= sizeof e->val) {
        uint32_t f = 2166136261u;
        for (size_t i = 0; i < n; i++) f = (f ^ w[i]) * 16777619u;
        e = &ix->words[f & (BD_CACHE - 1)];
        if (e->len == n && memcmp(e->val, w, n) == 0) return e->hash;
    }
    uint32_t h = (uint32_t)(bd_hash(&ix->nameword, w, n) & 0xFFFF);
    if (e) {
        e->hash = (uint16_t)h;
        memcpy(e->val, w, n);
        e->len = (uint16_t)n;
    }
    return h;
}

int bd_name_seen(const bd_index *ix, uint32_t packed, const uint8_t *a, size_t an,
                 const uint8_t *b, size_t bn) {
    bd_tokens t;
    size_t used = 0;
    t.n = 0;
    int r = tokenise(a, an, &t, &used);
    if (r == 0) r = tokenise(b, bn, &t, &used);
    if (r == -1) return -1; /* non-ASCII: NFKC and case-folding in Python */
    if (r == -2) return -1; /* too long for here: Python decides */
    int k = (int)(packed & 0xF);
    uint32_t rest = (packed >> 4) & 0xFFF, first = packed >> 16;
    uint8_t joined[1024 + 128];
    for (int i = 0; i + k <= t.n; i++) {
        if (word_hash(ix, t.text + t.start[i], t.len[i]) != first) continue;
        size_t o = 0;
        for (int j = i; j < i + k; j++) {
            if (j > i) joined[o++] = ' ';
            memcpy(joined + o, t.text + t.start[j], t.len[j]);
            o += t.len[j];
        }
        if ((bd_hash(&ix->name, joined, o) & 0x0FFF) == rest) return 1;
    }
    return 0;
}
