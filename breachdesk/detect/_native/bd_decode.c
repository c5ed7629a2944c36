/* breachdesk compiled detection core: character classes, UTF-8 and the universal decoder. The Python reference is
 * breachdesk/detect/reference.py; a differential test holds them together, and every read
 * is bounds-checked against the buffer it belongs to (fuzzed with ASan). */
#include <stdlib.h>
#include <string.h>

#include "bd_scan.h"
#include "bd_text.h"

#include "bd_tables.h"

/* ------------------------------------------------------------------- character classes */

int bd_is_word_cp(uint32_t cp) {
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


/* decode one UTF-8 sequence at p[0..n); returns its length, 0 when invalid */
int bd_utf8_at(const uint8_t *p, size_t n, uint32_t *cp) {
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
int bd_utf8_before(const uint8_t *p, size_t lo, size_t end, uint32_t *cp) {
    size_t k = end - 1;
    int back = 0;
    while (k > lo && (p[k] & 0xC0) == 0x80 && back < 3) {
        k--;
        back++;
    }
    int len = bd_utf8_at(p + k, end - k, cp);
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

/* offset of the first invalid UTF-8 sequence, or -1 (32, then 8 ASCII bytes a step) */
int64_t bd_utf8_invalid(const uint8_t *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        /* ASCII runs 32 bytes at a time (most of a log is ASCII), then 8 */
        while (i + 32 <= n && ((load64(p + i) | load64(p + i + 8) | load64(p + i + 16) |
                                load64(p + i + 24)) &
                               0x8080808080808080ULL) == 0)
            i += 32;
        if (i >= n) break;
        if (i + 8 <= n && (load64(p + i) & 0x8080808080808080ULL) == 0) {
            i += 8;
            continue;
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        int len = bd_utf8_at(p + i, n - i, &cp);
        if (!len) return (int64_t)i;
        i += (size_t)len;
    }
    return -1;
}

/* ------------------------------------------------------------------------- decoding */

/* an HTML character reference at p[0] == '&': its code point and length, or 0 */
size_t bd_entity_at(const uint8_t *p, size_t n, uint32_t *cp) {
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
int32_t bd_u4_at(const uint8_t *p, size_t n) {
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
size_t bd_decode_pass(const uint8_t *in, size_t n, const uint32_t *imap, uint8_t *out,
                          uint32_t *omap, int *changed) {
    size_t i = 0, o = 0;
    while (i < n) {
        uint8_t c = in[i];
        uint32_t src = imap[i];
        size_t used = 0;
        int wrote = 0;
        uint8_t tmp[4];
        if (c == '\\' && i + 1 < n) {
            int32_t u = bd_u4_at(in + i, n - i);
            if (u >= 0) {
                uint32_t cp = (uint32_t)u;
                used = 6;
                if (u >= 0xD800 && u <= 0xDBFF) {
                    int32_t lo2 = (i + 6 < n && in[i + 6] == '\\') ? bd_u4_at(in + i + 6, n - i - 6) : -1;
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
            size_t len = bd_entity_at(in + i, n - i, &cp);
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
        len = bd_decode_pass(tmp, len, tmap, out, map, &changed);
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
