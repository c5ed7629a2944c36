/* breachdesk compiled detection core: the address around an '@', and whether its edges
 * touch an escape (then the scan decodes a window around it). The Python reference is
 * breachdesk/detect/reference.py (``extract_at``); every read stays within [lo, hi). */
#include <string.h>

#include "bd_scan.h"
#include "bd_text.h"

/* ----------------------------------------------------------------------- extraction */



/* the address around b[at] == '@' within [lo, hi) */
void bd_extract(const uint8_t *b, size_t lo, size_t hi, size_t at, bd_ext *x) {
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
        int len = bd_utf8_before(b, lo, s, &cp);
        if (!len || !bd_is_word_cp(cp)) break;
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
        int len = bd_utf8_at(b + e, hi - e, &cp);
        if (!len || !bd_is_word_cp(cp)) break;
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
    int non = 0; /* the address holds a non-ASCII character only if a run did */
    if (x->nonascii_l)
        for (size_t k = ls; k < at; k++) non |= b[k] >= 0x80;
    if (x->nonascii_r)
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
int bd_left_needs_decode(const uint8_t *b, size_t lo, const bd_ext *x) {
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
                if (bd_utf8_before(b, lo, x->s, &cp) && ((cp >= 0xFF01 && cp <= 0xFF5E) || cp == 0xFE6B))
                    return 1;
            }
    }
    return 0;
}

/* ... and its right edge? */
int bd_right_needs_decode(const uint8_t *b, size_t hi, const bd_ext *x) {
    if (x->limit_r || x->nonascii_r) return 1;
    if (x->e >= hi) return 0;
    size_t p = x->e;
    uint8_t c = b[p];
    if (c == '\\') return p + 1 < hi && (b[p + 1] == 'u' || b[p + 1] == '\\');
    if (c == '&') {
        uint32_t cp;
        return bd_entity_at(b + p, hi - p, &cp) != 0;
    }
    if (c == '%') return p + 2 < hi && hexval(b[p + 1]) >= 0 && hexval(b[p + 2]) >= 0;
    if (c == '=') return qp_start(b, p, hi);
    if (c >= 0x80) {
        uint32_t cp;
        if (bd_utf8_at(b + p, hi - p, &cp) && ((cp >= 0xFF01 && cp <= 0xFF5E) || cp == 0xFE6B)) return 1;
    }
    return 0;
}
